"""The client's side: open a link, save answers as they go, submit once, opt out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from core import audit
from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.security import Role, hash_token
from core.urls import external_url
from members.models import ClientContact, Member, Project, User
from satisfaction import scoring
from satisfaction.errors import (
    AlreadyAnsweredError,
    AnswersRefusedError,
    LinkError,
)
from satisfaction.links import read_unsubscribe_token
from satisfaction.models import (
    Alert,
    AlertReason,
    Answer,
    AnswerValue,
    Campaign,
    Invitation,
    Question,
    QuestionnaireVersion,
    QuestionType,
    Response,
)
from satisfaction.services.frozen import FrozenQuestion, version_questions

PAGE_SIZE = 5

# Questions whose low answers alert the member (scoring.needs_alert decides).
_ALERTING = {QuestionType.NPS, QuestionType.CSAT, QuestionType.RATING_1_5}


# ---------------------------------------------------------------- links


def _link_gone() -> LinkError:
    return LinkError(
        _l("Ce lien a expiré. Demandez un nouveau lien à votre prestataire."),
        status=410,
        reason="expired",
    )


def _already_answered() -> AlreadyAnsweredError:
    return AlreadyAnsweredError(
        _l("Vous avez déjà répondu à ce questionnaire. Merci !")
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


# An ORM invitation (tests, demo data) or the answer pages' light one.
AnyInvitation = Invitation | OpenInvitation


def _invitation_query() -> Any:
    return (
        select(
            Invitation.id,
            Invitation.campaign_id,
            Invitation.contact_id,
            Invitation.member_id,
            Invitation.version_id,
            QuestionnaireVersion.uid,
            QuestionnaireVersion.frozen_at,
            Invitation.cycle,
            Invitation.expires_at,
            Invitation.opened_at,
            Invitation.answered_at,
            ClientContact.locale,
            ClientContact.name.label("contact_name"),
            Member.name.label("member_name"),
            Project.title,
        )
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Invitation.version_id)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .join(Member, Member.id == Invitation.member_id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
    )


class _Statements:
    """The answer pages' statements, built once per database dialect.

    Building a SELECT with five joins or an upsert costs more Python than
    running it (about a millisecond each): the hot path reuses these, with bound
    parameters, through the session's connection (its one transaction).
    """

    def __init__(self, dialect: Any) -> None:
        responses, answers = Response.__table__, Answer.__table__
        query = _invitation_query()
        self.invitation_by_id = query.where(Invitation.id == bindparam("key"))
        self.invitation_by_token = query.where(
            Invitation.token_hash == bindparam("key")
        )
        self.mark_opened = (
            update(Invitation.__table__)
            .where(Invitation.id == bindparam("key"), Invitation.opened_at.is_(None))
            .values(opened_at=bindparam("now"))
        )
        self.saved = (
            select(
                responses.c.share_with_board,
                answers.c.question_id,
                answers.c.value,
                answers.c.text,
                answers.c.choices,
            )
            .select_from(responses)
            .outerjoin(answers, answers.c.response_id == responses.c.id)
            .where(responses.c.invitation_id == bindparam("invitation_id"))
        )
        upsert = dialect.insert(responses).values(
            invitation_id=bindparam("invitation_id"),
            campaign_id=bindparam("campaign_id"),
            started_at=bindparam("now"),
            updated_at=bindparam("now"),
            share_with_board=bindparam("share"),
        )
        touch = {"updated_at": upsert.excluded.updated_at}
        returned = (responses.c.id, responses.c.submitted_at)
        self.lock_response = upsert.on_conflict_do_update(
            index_elements=[responses.c.invitation_id], set_=touch
        ).returning(*returned)
        self.lock_response_share = upsert.on_conflict_do_update(
            index_elements=[responses.c.invitation_id],
            set_={**touch, "share_with_board": upsert.excluded.share_with_board},
        ).returning(*returned)
        self.delete_answers = delete(answers).where(
            answers.c.response_id == bindparam("response_id"),
            answers.c.question_id.in_(bindparam("question_ids", expanding=True)),
        )
        store = dialect.insert(answers)
        self.store_answers = store.on_conflict_do_update(
            index_elements=[answers.c.response_id, answers.c.question_id],
            set_={
                "value": store.excluded.value,
                "text": store.excluded.text,
                "choices": store.excluded.choices,
            },
        )
        self.answered = select(answers.c.question_id, answers.c.value).where(
            answers.c.response_id == bindparam("response_id")
        )
        self.submit = (
            update(responses)
            .where(
                responses.c.id == bindparam("response_id"),
                responses.c.submitted_at.is_(None),
            )
            .values(submitted_at=bindparam("now"), updated_at=bindparam("now"))
        )
        self.close_invitation = (
            update(Invitation.__table__)
            .where(Invitation.id == bindparam("key"))
            .values(answered_at=bindparam("now"))
        )


_statements: dict[str, _Statements] = {}


def _sql() -> _Statements:
    name = db.engine.dialect.name
    found = _statements.get(name)
    if found is None:
        found = _statements[name] = _Statements(
            postgresql if name == "postgresql" else sqlite
        )
    return found


def _run(statement: Any, params: Any = None, connection: Any = None) -> Any:
    """Run a Core statement in the session's transaction, without the ORM layer
    (``connection``: the session's, when the caller already holds it)."""
    return (connection or db.session.connection()).execute(statement, params)


def _sync(invitation_id: int, **values: Any) -> None:
    """Show a Core UPDATE to an Invitation object this session may hold."""
    held = db.session.identity_map.get(
        db.session.identity_key(Invitation, invitation_id)
    )
    if held is not None:
        for name, value in values.items():
            set_committed_value(held, name, value)


def _open_invitation(statement: Any, key: object) -> OpenInvitation | None:
    row = _run(statement, {"key": key}).first()
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
    invitation = _open_invitation(_sql().invitation_by_token, hash_token(token))
    if invitation is None:
        raise LinkError(
            _l("Ce lien n'existe pas. Vérifiez qu'il est complet."),
            status=404,
            reason="unknown",
        )
    check_open(invitation, now=now)
    if invitation.opened_at is None:
        _run(_sql().mark_opened, {"key": invitation.id, "now": now})
        _sync(invitation.id, opened_at=now)
        invitation.opened_at = now
        db.session.commit()
    return invitation


def check_open(invitation: AnyInvitation, *, now: datetime) -> None:
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
        _open_invitation(_sql().invitation_by_id, invitation_id)
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
    check_open(invitation, now=now or utcnow())
    return invitation


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
    rows = _run(_sql().saved, {"invitation_id": invitation.id}).all()
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


# ---------------------------------------------------------------- answers


def _lock_response(
    invitation: AnyInvitation,
    now: datetime,
    share_with_board: bool | None,
    connection: Any,
) -> tuple[int, datetime | None]:
    """The invitation's response (id, submitted_at), created if needed, locked
    for this transaction, in ONE statement.

    ``INSERT … ON CONFLICT (invitation_id) DO UPDATE … RETURNING``: the UNIQUE
    invitation_id makes concurrent first saves create one row, and the update
    takes its row lock (SQLite: the IMMEDIATE transaction holds the database),
    so what follows is serialised; a submission that committed first is seen
    here (``submitted_at``).
    """
    sql = _sql()
    row = _run(
        sql.lock_response if share_with_board is None else sql.lock_response_share,
        {
            "invitation_id": invitation.id,
            "campaign_id": invitation.campaign_id,
            "now": now,
            "share": bool(share_with_board),
        },
        connection,
    ).one()
    return row.id, row.submitted_at


def save_answers(
    invitation: AnyInvitation,
    *,
    page: SurveyPage,
    answers: Mapping[int, AnswerValue | None],
    share_with_board: bool | None,
    submit: bool,
    now: datetime | None = None,
) -> int:
    """Save the page's ``answers`` (parsed by ``satisfaction.answer_form``; None
    for a question left empty); with ``submit``, send the whole questionnaire.

    One transaction, a statement count that does not grow with the questions:
    the response upserted and locked, the page's answers replaced (one
    executemany upsert, one DELETE of those left empty, if any) and, on
    submission, the submission claimed, the invitation closed, the alerts and
    the audit entry. Returns the response's id.

    :raises AnswersRefusedError: on submission, the required questions left
        empty (the page's answers are saved).
    :raises AlreadyAnsweredError: the questionnaire was already submitted.
    """
    now = now or utcnow()
    parsed = {q.id: answers.get(q.id) for q in page.questions}
    connection = db.session.connection()
    response_id, submitted_at = _lock_response(
        invitation, now, share_with_board, connection
    )
    if submitted_at is not None:
        db.session.rollback()
        raise _already_answered()
    # The page's answers replace what was saved: upserted in one executemany,
    # and the questions left empty this time deleted (no statement if none).
    sql = _sql()
    rows = [
        {
            "response_id": response_id,
            "question_id": question_id,
            "value": value.get("value"),
            "text": value.get("text"),
            "choices": value.get("choices"),
        }
        for question_id, value in parsed.items()
        if value is not None
    ]
    if rows:
        _run(sql.store_answers, rows, connection)
    emptied = [q.id for q in page.questions if parsed.get(q.id) is None]
    if emptied:
        _run(
            sql.delete_answers,
            {"response_id": response_id, "question_ids": emptied},
            connection,
        )
    missing = _submit(invitation, response_id, now, connection) if submit else {}
    db.session.commit()
    if missing:
        # The page's answers are saved; the questions left empty are shown.
        raise AnswersRefusedError(
            _l("Certaines questions obligatoires n'ont pas de réponse."),
            errors=missing,
        )
    return response_id


def _submit(
    invitation: AnyInvitation, response_id: int, now: datetime, connection: Any
) -> dict[int, str | LazyString]:
    """Submit the response, or return the required questions left empty."""
    sql = _sql()
    saved = dict(_run(sql.answered, {"response_id": response_id}, connection).all())
    questions = questions_of(invitation)
    missing: dict[int, str | LazyString] = {
        q.id: _l("Cette question demande une réponse.")
        for q in questions
        if q.is_required and q.id not in saved
    }
    if missing:
        return missing
    won = _run(sql.submit, {"response_id": response_id, "now": now}, connection)
    if won.rowcount != 1:
        db.session.rollback()
        raise _already_answered()
    _run(sql.close_invitation, {"key": invitation.id, "now": now}, connection)
    _sync(invitation.id, answered_at=now)
    if isinstance(invitation, OpenInvitation):
        invitation.answered_at = now
    _raise_alerts(invitation, response_id, questions, saved, now)
    audit.record(
        None,
        "response.submit",
        object_type="response",
        object_id=response_id,
        member_id=invitation.member_id,
        detail={"campaign_id": invitation.campaign_id, "cycle": invitation.cycle},
    )
    return {}


def first_missing_page(invitation: AnyInvitation, question_ids: Sequence[int]) -> int:
    """The page holding the first of ``question_ids``."""
    for index, question in enumerate(questions_of(invitation)):
        if question.id in question_ids:
            return index // PAGE_SIZE + 1
    return 1


# ---------------------------------------------------------------- alerts


def _raise_alerts(
    invitation: AnyInvitation,
    response_id: int,
    questions: Sequence[FrozenQuestion],
    saved: Mapping[int, int | None],
    now: datetime,
) -> None:
    """Alert the member of the low answers: no statement when there is none."""
    by_id = {q.id: q for q in questions}
    alerts: list[dict[str, Any]] = []
    for question_id, value in saved.items():
        question = by_id.get(question_id)
        if question is None or question.type not in _ALERTING or value is None:
            continue
        if not scoring.needs_alert(question.type.value, value):
            continue
        alerts.append(
            {
                "member_id": invitation.member_id,
                "response_id": response_id,
                "question_id": question_id,
                "reason": AlertReason.DETRACTOR
                if question.type == QuestionType.NPS
                else AlertReason.LOW_RATING,
                "value": value,
                "created_at": now,
                "follow_up": "",
            }
        )
    if not alerts:
        return
    db.session.execute(Alert.__table__.insert(), alerts)
    if isinstance(invitation, OpenInvitation):
        contact_name, member_name, project_title = (
            invitation.contact_name,
            invitation.member_name,
            invitation.project_title,
        )
    else:
        contact_name, member_name, project_title = db.session.execute(
            select(ClientContact.name, Member.name, Project.title)
            .select_from(Invitation)
            .join(ClientContact, ClientContact.id == Invitation.contact_id)
            .join(Member, Member.id == Invitation.member_id)
            .join(Campaign, Campaign.id == Invitation.campaign_id)
            .join(Project, Project.id == Campaign.project_id)
            .where(Invitation.id == invitation.id)
        ).one()
    admins = db.session.execute(
        select(User.id, User.email, User.locale).where(
            User.member_id == invitation.member_id,
            User.role == Role.MEMBER_ADMIN,
            User.is_active.is_(True),
        )
    ).all()
    link = external_url("satisfaction.alerts")
    for admin in admins:
        lines = [
            {
                "question": by_id[alert["question_id"]].text(admin.locale),
                "value": alert["value"],
            }
            for alert in alerts
        ]
        queue_email(
            to=admin.email,
            template="satisfaction/email/alert",
            context={
                "member_name": member_name,
                "contact_name": contact_name,
                "project_title": project_title,
                "lines": lines,
                "link": link,
            },
            locale=admin.locale,
            key=f"satisfaction.alert:{response_id}:{admin.id}",
            now=now,
        )


# ---------------------------------------------------------------- opt-out


def get_invitation(invitation_id: object) -> Invitation | None:
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        return None
    return db.session.get(Invitation, invitation_id)


def invitation_for_unsubscribe(token: str) -> Invitation | None:
    invitation_id = read_unsubscribe_token(token)
    if invitation_id is None:
        return None
    return db.session.get(Invitation, invitation_id)


def unsubscribe(invitation: Invitation, *, now: datetime | None = None) -> None:
    """The contact asks for no more questionnaires (from any member)."""
    now = now or utcnow()
    contact = db.session.get(ClientContact, invitation.contact_id)
    assert contact is not None
    if contact.opted_out_at is None:
        contact.opted_out_at = now
        audit.record(
            None,
            "contact.opt_out",
            object_type="contact",
            object_id=contact.id,
            member_id=invitation.member_id,
            detail={"invitation_id": invitation.id},
        )
    db.session.commit()


def association_name() -> str:
    return str(current_app.config["ASSOCIATION_NAME"])
