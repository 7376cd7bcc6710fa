"""The questions of a frozen questionnaire version, cached in the process.

A version is frozen when a campaign first sends it and never changes afterwards
(an edit makes a new version), so its questions can be read once per process and
kept. The cache is keyed by the version's id AND its random ``uid``: an id can
come back after a deletion (SQLite reuses the highest freed id; the tests empty
their tables), a uid never does, so a cached entry can never be served for
another version. A version not yet frozen is read from the database every time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import select

from core.extensions import db
from satisfaction.models import Commitment, Question, QuestionType

MAX_CACHED_VERSIONS = 256


@dataclass(frozen=True, slots=True)
class FrozenQuestion:
    """A question as the answer page and its validation need it (read-only)."""

    id: int
    position: int
    type: QuestionType
    text_fr: str
    text_en: str
    # Choice questions: ((fr, en), …); the answer stores the index.
    labels: tuple[tuple[str, str], ...]
    is_required: bool
    commitment: Commitment | None

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        return self.labels

    def text(self, locale: str) -> str:
        return (
            self.text_en if locale.startswith("en") and self.text_en else self.text_fr
        )

    def option_labels(self, locale: str) -> list[str]:
        english = locale.startswith("en")
        return [(en or fr) if english else fr for fr, en in self.labels]


_cache: OrderedDict[tuple[int, str], tuple[FrozenQuestion, ...]] = OrderedDict()
_lock = Lock()


def _read(version_id: int) -> tuple[FrozenQuestion, ...]:
    rows = db.session.execute(
        select(
            Question.id,
            Question.position,
            Question.type,
            Question.text_fr,
            Question.text_en,
            Question.options,
            Question.is_required,
            Question.commitment,
        )
        .where(Question.version_id == version_id)
        .order_by(Question.position, Question.id)
    ).all()
    return tuple(
        FrozenQuestion(
            id=row.id,
            position=row.position,
            type=row.type,
            text_fr=row.text_fr,
            text_en=row.text_en,
            labels=tuple(
                (option.get("fr") or "", option.get("en") or "")
                for option in (row.options or [])
            ),
            is_required=row.is_required,
            commitment=row.commitment,
        )
        for row in rows
    )


def version_questions(
    version_id: int, *, uid: str, frozen: bool
) -> tuple[FrozenQuestion, ...]:
    """The version's questions in order; no statement once a frozen one is cached."""
    if not frozen:
        return _read(version_id)
    key = (version_id, uid)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    questions = _read(version_id)
    with _lock:
        _cache[key] = questions
        while len(_cache) > MAX_CACHED_VERSIONS:
            _cache.popitem(last=False)
    return questions


def clear_cache() -> None:
    with _lock:
        _cache.clear()
