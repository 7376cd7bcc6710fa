"""The answer page's form read into typed answers (no Flask request, no database).

The client's browser posts ``q<id>`` → values; the view turns them into
``{question_id: AnswerValue | None}`` here and hands those to the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict

from satisfaction import scoring
from satisfaction.errors import AnswersRefusedError, InvalidAnswerError
from satisfaction.models import AnswerValue, QuestionType

MAX_TEXT = 5000


class AnsweredQuestion(Protocol):
    """What parsing needs of a question (a model or a frozen copy)."""

    @property
    def id(self) -> int: ...
    @property
    def type(self) -> QuestionType: ...
    @property
    def options(self) -> Sequence[object]: ...
    @property
    def is_required(self) -> bool: ...


@dataclass(frozen=True)
class PageSubmission:
    """What the client sent from one page: the button pressed, the raw values
    (to show again when refused) and the consent to share with the board."""

    page: int
    action: str
    values: dict[str, list[str]]
    share_with_board: bool

    @classmethod
    def from_form(cls, form: MultiDict[str, str]) -> PageSubmission:
        """Read a page's POST."""
        return cls(
            page=form.get("page", 1, type=int),
            action=form.get("action", "next"),
            values=form.to_dict(flat=False),
            share_with_board=form.get("share_with_board") == "1",
        )

    @property
    def requires_answers(self) -> bool:
        """Going on or submitting needs the page's required questions answered."""
        return self.action in ("next", "submit")


def parse_one(question: AnsweredQuestion, raw: Sequence[str]) -> AnswerValue | None:
    """One question's answer from its form values; None when left empty.

    :raises InvalidAnswerError:
    """
    given = [value.strip() for value in raw if value.strip()]
    if not given:
        return None
    kind = question.type
    if kind == QuestionType.TEXT:
        text = "\n".join(given)
        if len(text) > MAX_TEXT:
            raise InvalidAnswerError(
                _l("Pas plus de %(max)d caractères.", max=MAX_TEXT)
            )
        return {"text": text}
    if kind == QuestionType.MULTIPLE_CHOICE:
        try:
            picked = sorted({int(value) for value in given})
        except ValueError:
            raise InvalidAnswerError(_l("Choix invalide.")) from None
        if any(not 0 <= index < len(question.options) for index in picked):
            raise InvalidAnswerError(_l("Choix invalide."))
        return {"choices": picked}
    if len(given) > 1:
        raise InvalidAnswerError(_l("Une seule réponse est possible."))
    try:
        number = int(given[0])
    except ValueError:
        raise InvalidAnswerError(_l("Choix invalide.")) from None
    if kind == QuestionType.YES_NO:
        if number not in (0, 1):
            raise InvalidAnswerError(_l("Choix invalide."))
        return {"value": number}
    if kind == QuestionType.SINGLE_CHOICE:
        if not 0 <= number < len(question.options):
            raise InvalidAnswerError(_l("Choix invalide."))
        return {"value": number}
    return {"value": scoring.validate_value(kind.value, number)}


def parse_answers(
    questions: Sequence[AnsweredQuestion],
    form: Mapping[str, Sequence[str]],
    *,
    require: bool,
) -> dict[int, AnswerValue | None]:
    """The answers of ``questions`` in ``form`` (``q<id>`` → values).

    :raises AnswersRefusedError: with one message per refused question.
    """
    parsed: dict[int, AnswerValue | None] = {}
    errors: dict[int, str | LazyString] = {}
    for question in questions:
        try:
            value = parse_one(question, form.get(f"q{question.id}", []))
        except InvalidAnswerError as error:
            errors[question.id] = error.message
            continue
        if value is None and require and question.is_required:
            errors[question.id] = _l("Cette question demande une réponse.")
            continue
        parsed[question.id] = value
    if errors:
        raise AnswersRefusedError(
            _l("Certaines réponses sont à revoir : voir les questions signalées."),
            errors=errors,
        )
    return parsed
