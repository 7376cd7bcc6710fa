"""The client's questionnaire: an e-mailed link opened, the invitation the
browser's session holds, its pages and the answers saved so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from core.database import utcnow
from core.extensions import db
from core.security import hash_token
from satisfaction.errors import LinkError
from satisfaction.models import Invitation, Question
from satisfaction.services.frozen import FrozenQuestion, version_questions
from satisfaction.services.statements import prepared, run, sync_invitation

PAGE_SIZE = 5


def _link_gone() -> LinkError:
    return LinkError(
        _l("Ce lien a expiré. Demandez un nouveau lien à votre prestataire."),
        status=410,
        reason="expired",
    )


@dataclass(slots=True)
class OpenInvitation:
    """What the answer pages need of an invitation, read in ONE statement (its
    version, contact, member and project joined), instead of an ORM graph."""

    id: int
    campaign_id: int
    contact_id: int
    member_id: int
    version_id: int
    version_uid: str
    version_frozen: bool
    cycle: int
    expires_at: datetime
    opened_at: datetime | None
    answered_at: datetime | None
    locale: str
    contact_name: str
    member_name: str
    project_title: str


@dataclass(frozen=True, slots=True)
class HeldInvitation:
    """The invitation a browser's session holds, as saving a page needs it,
    without reading it: its id and its frozen version, which the signed session
    cookie received when the link was opened (an invitation's version never
    changes, a frozen version's questions neither). Whether it is still open is
    checked by the statement that saves the page; the rare answers that need
    more (an error page, the "saved" message) read the invitation then."""

    id: int
    version_id: int
    version_uid: str


# An ORM invitation (tests, demo data), the answer pages' light one, or the one
# a session holds.
AnyInvitation = Invitation | OpenInvitation | HeldInvitation


def session_version(invitation: OpenInvitation) -> list[int | str] | None:
    """What the session keeps of the invitation's version to save pages without
    reading the invitation (``held_invitation``): only a frozen version."""
    if not invitation.version_frozen:
        return None
    return [invitation.version_id, invitation.version_uid]


def held_invitation(invitation_id: object, version: object) -> HeldInvitation | None:
    """The invitation of a session that holds its id and its frozen version
    (``session_version``); None for any other session (read it instead)."""
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        return None
    if not isinstance(version, list) or len(version) != 2:
        return None
    version_id, uid = version
    if not isinstance(version_id, int) or isinstance(version_id, bool):
        return None
    if not isinstance(uid, str):
        return None
    return HeldInvitation(invitation_id, version_id, uid)


def _open_invitation(statement: Any, key: object) -> OpenInvitation | None:
    row = run(statement, {"key": key}).first()
    if row is None:
        return None
    return OpenInvitation(
        id=row.id,
        campaign_id=row.campaign_id,
        contact_id=row.contact_id,
        member_id=row.member_id,
        version_id=row.version_id,
        version_uid=row.uid,
        version_frozen=row.frozen_at is not None,
        cycle=row.cycle,
        expires_at=row.expires_at,
        opened_at=row.opened_at,
        answered_at=row.answered_at,
        locale=row.locale,
        contact_name=row.contact_name,
        member_name=row.member_name,
        project_title=row.title,
    )


def open_link(token: str, *, now: datetime | None = None) -> OpenInvitation:
    """The invitation of an e-mailed link, marked as opened.

    :raises LinkError: unknown (404), expired (410) or already answered (410).
    """
    now = now or utcnow()
    invitation = _open_invitation(prepared().invitation_by_token, hash_token(token))
    if invitation is None:
        raise LinkError(
            _l("Ce lien n'existe pas. Vérifiez qu'il est complet."),
            status=404,
            reason="unknown",
        )
    try:
        check_open(invitation, now=now)
    except LinkError as error:
        error.locale = invitation.locale
        raise
    if invitation.opened_at is None:
        run(prepared().mark_opened, {"key": invitation.id, "now": now})
        sync_invitation(invitation.id, opened_at=now)
        invitation.opened_at = now
        db.session.commit()
    return invitation


def check_open(invitation: Invitation | OpenInvitation, *, now: datetime) -> None:
    """:raises LinkError: the invitation can no longer be answered."""
    if invitation.answered_at is not None:
        raise LinkError(
            _l("Vous avez déjà répondu à ce questionnaire. Merci !"),
            status=410,
            reason="answered",
        )
    if invitation.expires_at <= now:
        raise _link_gone()


def invitation_for_session(
    invitation_id: int | None, *, now: datetime | None = None
) -> OpenInvitation:
    """The invitation the browser's session holds, still open (one statement).

    :raises LinkError:
    """
    invitation = (
        _open_invitation(prepared().invitation_by_id, invitation_id)
        if isinstance(invitation_id, int) and not isinstance(invitation_id, bool)
        else None
    )
    if invitation is None:
        raise LinkError(
            _l(
                "Votre session a expiré. Rouvrez le lien reçu par e-mail : vos "
                "réponses déjà enregistrées vous attendent."
            ),
            status=404,
            reason="no_session",
        )
    try:
        check_open(invitation, now=now or utcnow())
    except LinkError as error:
        error.locale = invitation.locale
        raise
    return invitation


def invitation_by_id(invitation_id: object) -> OpenInvitation | None:
    """An invitation read by id whatever its state (its contact's language, its
    member's name, its expiry), in one statement: for the thank-you page and
    the answers that name it; None for no or an unknown id."""
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        return None
    return _open_invitation(prepared().invitation_by_id, invitation_id)


@dataclass(frozen=True)
class SurveyPage:
    """One page of the questionnaire as the client sees it."""

    number: int
    count: int
    questions: Sequence[FrozenQuestion | Question]

    @property
    def is_last(self) -> bool:
        return self.number == self.count


def questions_of(invitation: AnyInvitation) -> tuple[FrozenQuestion, ...]:
    """The invitation's questions in order (cached once its version is frozen)."""
    if isinstance(invitation, OpenInvitation):
        return version_questions(
            invitation.version_id,
            uid=invitation.version_uid,
            frozen=invitation.version_frozen,
        )
    if isinstance(invitation, HeldInvitation):
        return version_questions(
            invitation.version_id, uid=invitation.version_uid, frozen=True
        )
    version = invitation.version
    return version_questions(version.id, uid=version.uid, frozen=version.is_frozen)


def page_of(invitation: AnyInvitation, number: int) -> SurveyPage:
    """Page ``number`` (1-based, clamped) of the invitation's questions."""
    questions = questions_of(invitation)
    count = max(1, -(-len(questions) // PAGE_SIZE))
    number = min(max(1, number), count)
    start = (number - 1) * PAGE_SIZE
    return SurveyPage(number, count, questions[start : start + PAGE_SIZE])


def saved_form(invitation: AnyInvitation) -> tuple[dict[str, list[str]], bool]:
    """The saved answers as form values (``q<id>`` → values) and the consent
    (one statement)."""
    rows = run(prepared().saved, {"invitation_id": invitation.id}).all()
    if not rows:
        return {}, False
    values: dict[str, list[str]] = {}
    for row in rows:
        if row.question_id is None:
            continue
        name = f"q{row.question_id}"
        if row.choices is not None:
            values[name] = [str(choice) for choice in row.choices]
        elif row.text is not None:
            values[name] = [row.text]
        elif row.value is not None:
            values[name] = [str(row.value)]
    return values, bool(rows[0].share_with_board)


def first_missing_page(invitation: AnyInvitation, question_ids: Sequence[int]) -> int:
    """The page holding the first of ``question_ids``."""
    for index, question in enumerate(questions_of(invitation)):
        if question.id in question_ids:
            return index // PAGE_SIZE + 1
    return 1
