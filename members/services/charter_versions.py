"""The charter's versions: the text in force, drafts, publication, re-signing.

The secretariat copies the version in force into a draft, rewords it, and
publishes it; a published version is never changed again, and the one before
stays (members signed it). Every version has one commitment per
:class:`~members.commitments.CommitmentCode`: wording changes, codes do not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import files

from flask import g
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.dates import local_today
from core.extensions import db
from core.i18n import LazyMapping
from members.commitments import TITLES
from members.errors import MembersError
from members.models import Member, User
from members.models_charter import NUMBER_LENGTH, CharterCommitment, CharterVersion
from members.services.charter import record_signature

#: "2.1", "2.2", "3.0": numbers, dot-separated.
NUMBER_PATTERN = re.compile(r"\d{1,4}(\.\d{1,4}){0,3}")
TITLE_LENGTH = 200
BODY_LENGTH = 200_000
CLAUSE_LENGTH = 5_000
EVIDENCE_LENGTH = 2_000
SEED = "charte-qualite-2.1.json"


@dataclass(frozen=True)
class Wording:
    """What the secretariat writes for one commitment of a draft."""

    title: str
    text: str
    evidence: str


# ---------------------------------------------------------------- reading


def list_versions() -> Sequence[CharterVersion]:
    """Every version, the newest first (a draft before the published ones)."""
    return db.session.scalars(
        select(CharterVersion).order_by(
            CharterVersion.published_on.is_(None).desc(),
            CharterVersion.published_on.desc(),
            CharterVersion.id.desc(),
        )
    ).all()


def get_version(version_id: int) -> CharterVersion | None:
    return db.session.get(CharterVersion, version_id)


def version_by_number(number: str) -> CharterVersion | None:
    return db.session.scalar(
        select(CharterVersion).where(CharterVersion.number == number)
    )


def current_version() -> CharterVersion | None:
    """The version in force: the latest published (None before any is stored)."""
    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.published_on.is_not(None))
        .order_by(CharterVersion.published_on.desc(), CharterVersion.id.desc())
        .limit(1)
    )


def draft_version() -> CharterVersion | None:
    """The draft being written, if any (there is at most one)."""
    return db.session.scalar(
        select(CharterVersion).where(CharterVersion.published_on.is_(None)).limit(1)
    )


def previous_version(version: CharterVersion) -> CharterVersion | None:
    """The published version before ``version`` (what a draft was copied from)."""
    query = select(CharterVersion).where(
        CharterVersion.published_on.is_not(None), CharterVersion.id != version.id
    )
    if version.published_on is not None:
        query = query.where(
            (CharterVersion.published_on < version.published_on)
            | (
                (CharterVersion.published_on == version.published_on)
                & (CharterVersion.id < version.id)
            )
        )
    return db.session.scalar(
        query.order_by(
            CharterVersion.published_on.desc(), CharterVersion.id.desc()
        ).limit(1)
    )


def commitments(version: CharterVersion | None = None) -> list[CharterCommitment]:
    """The commitments of ``version`` (by default the one in force), in order."""
    version = version or current_version()
    return list(version.commitments) if version is not None else []


def commitment_titles(version: CharterVersion | None = None) -> dict[str, str]:
    """Code -> title of each commitment, in the user's language.

    A title the secretariat left as in 2.1 is translated by the catalogue; a
    reworded one is shown as written (the charter is a French text). Before any
    version is stored, the 2.1 titles of :mod:`members.commitments`.
    """
    stored = {c.code: gettext(c.title) for c in commitments(version)}
    return {code.value: stored.get(code.value) or str(TITLES[code]) for code in TITLES}


def current_titles() -> dict[str, str]:
    """:func:`commitment_titles` of the version in force, read once per request."""
    key = "members_charter_titles"
    cache: dict[str, dict[str, str]] = g.setdefault(key, {})
    locale = str(get_locale())
    if locale not in cache:
        cache[locale] = commitment_titles()
    return cache[locale]


def lazy_titles() -> LazyMapping:
    """:func:`current_titles`, read when a template first looks a title up
    (pages that show no commitment run no query)."""
    return LazyMapping(current_titles)


def changed_commitments(
    old: CharterVersion | None, new: CharterVersion
) -> list[CharterCommitment]:
    """The commitments of ``new`` whose title, clause or evidence differ from ``old``."""
    if old is None:
        return list(new.commitments)
    before = {c.code: (c.title, c.text, c.evidence) for c in old.commitments}
    return [
        c
        for c in new.commitments
        if before.get(c.code) != (c.title, c.text, c.evidence)
    ]


def signature_due(member: Member) -> CharterVersion | None:
    """The version in force, when the member signed an older one (else None).

    A member that never signed is onboarded by the secretariat, not asked here.
    """
    if member.signed_on is None:
        return None
    current = current_version()
    if current is None or member.charter_version == current.number:
        return None
    return current


# ---------------------------------------------------------------- writing


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def create_draft(
    actor: User, *, number: str, now: datetime | None = None
) -> CharterVersion:
    """A new draft, copied from the version in force. :raises MembersError:"""
    number = (number or "").strip()
    if not NUMBER_PATTERN.fullmatch(number) or len(number) > NUMBER_LENGTH:
        raise MembersError(
            _l(
                "Le numéro de version s'écrit en chiffres séparés par des points (ex. 2.2)."
            ),
            field="number",
        )
    if draft_version() is not None:
        raise MembersError(
            _l("Un brouillon est déjà en cours : publiez-le ou modifiez-le d'abord.")
        )
    current = current_version()
    if current is None:
        raise MembersError(_l("Aucune version publiée à recopier."))
    if version_by_number(number) is not None:
        raise MembersError(
            _l("La version %(number)s existe déjà.", number=number), field="number"
        )
    latest = max((v.number for v in list_versions()), key=_number_key)
    if _number_key(number) <= _number_key(latest):
        raise MembersError(
            _l("La nouvelle version doit suivre la version %(latest)s.", latest=latest),
            field="number",
        )
    draft = CharterVersion(
        number=number,
        title=current.title,
        body=current.body,
        created_at=now or utcnow(),
        created_by_id=actor.id,
        commitments=[
            CharterCommitment(
                code=c.code,
                position=c.position,
                title=c.title,
                text=c.text,
                evidence=c.evidence,
            )
            for c in current.commitments
        ],
    )
    db.session.add(draft)
    db.session.flush()
    audit.record(
        actor,
        "charter.draft",
        object_type="charter_version",
        object_id=draft.id,
        detail={"number": number, "copied_from": current.number},
    )
    db.session.commit()
    return draft


def _check_text(value: str, limit: int, message: object, field: str | None) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise MembersError(message, field=field)
    return value


def update_draft(
    actor: User,
    version: CharterVersion,
    *,
    title: str,
    body: str,
    wordings: Mapping[str, Wording],
) -> None:
    """Reword a draft: its title, text and each commitment. :raises MembersError:"""
    if version.is_published:
        raise MembersError(
            _l(
                "La version %(number)s est publiée : elle ne se modifie plus.",
                number=version.number,
            )
        )
    known = {c.code for c in version.commitments}
    if set(wordings) != known:
        raise MembersError(
            _l("Chaque engagement de la charte doit être présent, une seule fois.")
        )
    title = _check_text(
        title,
        TITLE_LENGTH,
        _l("Le titre est obligatoire (200 caractères au plus)."),
        "title",
    )
    body = _check_text(
        body,
        BODY_LENGTH,
        _l("Le texte de la charte est obligatoire (200 000 caractères au plus)."),
        "body",
    )
    checked: dict[str, Wording] = {}
    for commitment in version.commitments:
        wording = wordings[commitment.code]
        name = wording.title.strip() or commitment.title
        checked[commitment.code] = Wording(
            title=_check_text(
                wording.title,
                TITLE_LENGTH,
                _l(
                    "« %(name)s » : le titre est obligatoire (200 caractères au plus).",
                    name=name,
                ),
                None,
            ),
            text=_check_text(
                wording.text,
                CLAUSE_LENGTH,
                _l(
                    "« %(name)s » : la clause est obligatoire (5 000 caractères au plus).",
                    name=name,
                ),
                None,
            ),
            evidence=_check_text(
                wording.evidence,
                EVIDENCE_LENGTH,
                _l(
                    "« %(name)s » : indiquez les preuves attendues "
                    "(2 000 caractères au plus).",
                    name=name,
                ),
                None,
            ),
        )
    changed = [
        c.code
        for c in version.commitments
        if (c.title, c.text, c.evidence) != tuple(vars(checked[c.code]).values())
    ]
    version.title, version.body = title, body
    for commitment in version.commitments:
        wording = checked[commitment.code]
        commitment.title = wording.title
        commitment.text = wording.text
        commitment.evidence = wording.evidence
    audit.record(
        actor,
        "charter.edit",
        object_type="charter_version",
        object_id=version.id,
        detail={"number": version.number, "commitments_changed": changed},
    )
    db.session.commit()


def publish_version(
    actor: User, version: CharterVersion, *, today: date | None = None
) -> None:
    """Publish a draft today: it becomes the version in force. :raises MembersError:"""
    if version.is_published:
        raise MembersError(
            _l("La version %(number)s est déjà publiée.", number=version.number)
        )
    today = today or local_today()
    current = current_version()
    if current is not None and current.published_on and current.published_on > today:
        raise MembersError(
            _l(
                "La version en vigueur est datée après aujourd'hui : vérifiez l'horloge."
            )
        )
    version.published_on = today
    audit.record(
        actor,
        "charter.publish",
        object_type="charter_version",
        object_id=version.id,
        detail={
            "number": version.number,
            "published_on": today.isoformat(),
            "replaces": current.number if current is not None else None,
        },
    )
    db.session.commit()


def sign_current(actor: User, member: Member, *, today: date | None = None) -> None:
    """The member's administrator signs the version in force. :raises MembersError:"""
    current = current_version()
    if current is None:
        raise MembersError(_l("Aucune version de la charte n'est publiée."))
    if member.charter_version == current.number:
        raise MembersError(
            _l("Vous avez déjà signé la version %(number)s.", number=current.number)
        )
    today = today or local_today()
    record_signature(
        actor, member, charter_version=current.number, signed_on=today, today=today
    )


def seed_first_version(*, published_on: date | None = None) -> CharterVersion:
    """Charter 2.1 from the package's files, as migration 0012 stores it
    (idempotent: the stored version when it exists). For demo data and tests."""
    data = files("members") / "data"
    seed = json.loads((data / SEED).read_text(encoding="utf-8"))
    found = version_by_number(seed["number"])
    if found is not None:
        return found
    version = CharterVersion(
        number=seed["number"],
        title=seed["title"],
        body=(data / seed["body"]).read_text(encoding="utf-8"),
        published_on=published_on or date.fromisoformat(seed["published_on"]),
        commitments=[
            CharterCommitment(
                code=item["code"],
                position=position,
                title=item["title"],
                text=item["text"],
                evidence=item["evidence"],
            )
            for position, item in enumerate(seed["commitments"], start=1)
        ],
    )
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        Member.__table__.update()
        .where(Member.charter_version == version.number)
        .values(charter_version_id=version.id)
    )
    db.session.commit()
    return version
