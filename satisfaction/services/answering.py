"""The client's answers: each page saved as it goes, the questionnaire submitted
once, and the member alerted of the low answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.security import Role
from core.urls import external_url
from members.models import ClientContact, Member, Project, User
from satisfaction import scoring
from satisfaction.errors import AlreadyAnsweredError, AnswersRefusedError
from satisfaction.models import (
    Alert,
    AlertItem,
    AlertReason,
    AnswerValue,
    Campaign,
    Invitation,
    QuestionType,
)
from satisfaction.services.frozen import FrozenQuestion
from satisfaction.services.statements import (
    answer_params,
    prepared,
    run,
    sync_invitation,
)
from satisfaction.services.survey import (
    AnyInvitation,
    HeldInvitation,
    OpenInvitation,
    SurveyPage,
    invitation_for_session,
    questions_of,
)

# Questions whose low answers alert the member (scoring.needs_alert decides).
_ALERTING = {QuestionType.NPS, QuestionType.CSAT, QuestionType.RATING_1_5}


def _already_answered() -> AlreadyAnsweredError:
    return AlreadyAnsweredError(
        _l("Vous avez déjà répondu à ce questionnaire. Merci !")
    )


def _lock_response(
    invitation: AnyInvitation,
    now: datetime,
    share_with_board: bool | None,
    connection: Any,
    *,
    submit: bool,
    answers: Sequence[tuple[int, AnswerValue]],
) -> tuple[int, bool]:
    """The invitation's response, created if needed and locked for this
    transaction, in ONE statement; its id, and whether that statement also
    stored ``answers`` (on PostgreSQL, ``Statements.lock_and_store``).

    ``INSERT … ON CONFLICT (invitation_id) DO UPDATE … RETURNING``: the UNIQUE
    invitation_id makes concurrent first saves create one row, and the update
    takes its row lock (SQLite: the IMMEDIATE transaction holds the database),
    so what follows is serialised; a submission that committed first is seen
    here (``submitted_at``). With ``submit`` the same statement claims the
    submission, only if there was none: of concurrent submissions, one gets the
    row. For a ``HeldInvitation`` (not read before) the row is made from the
    invitation only while it is open.

    :raises AlreadyAnsweredError: the response was already submitted.
    :raises LinkError: the held invitation is no longer open.
    """
    held = isinstance(invitation, HeldInvitation)
    params: dict[str, Any] = {
        "invitation_id": invitation.id,
        "now": now,
        "share": bool(share_with_board),
    }
    if isinstance(invitation, HeldInvitation):
        params["version_id"] = invitation.version_id
        params["version_uid"] = invitation.version_uid
    else:
        params["campaign_id"] = invitation.campaign_id
    sql = prepared()
    key = (held, share_with_board is not None, submit)
    statement = sql.lock_and_store(key, len(answers)) if answers else None
    if statement is not None:
        params.update(answer_params(answers))
    else:
        statement = sql.locks[key]
    row = run(statement, params, connection).first()
    if row is not None and (submit or row.submitted_at is None):
        return int(row.id), statement is not sql.locks[key]
    db.session.rollback()
    if held:
        # Not open any more: say why, as reading it first would have.
        invitation_for_session(invitation.id, now=now)
    raise _already_answered()


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
    upsert, one DELETE of those left empty, if any) and, on
    submission, the submission claimed, the invitation closed, the alerts and
    the audit entry. Returns the response's id.

    :raises AnswersRefusedError: on submission, the required questions left
        empty (the page's answers are saved).
    :raises AlreadyAnsweredError: the questionnaire was already submitted.
    :raises LinkError: a ``HeldInvitation`` no longer open (expired, answered,
        gone), as ``invitation_for_session`` says it.
    """
    now = now or utcnow()
    parsed = {q.id: answers.get(q.id) for q in page.questions}
    given = [(qid, value) for qid, value in parsed.items() if value is not None]
    connection = db.session.connection()
    response_id, stored = _lock_response(
        invitation, now, share_with_board, connection, submit=submit, answers=given
    )
    # The page's answers replace what was saved: upserted in one statement
    # (unless the lock's stored them), and the questions left empty this time
    # deleted (no statement if none).
    sql = prepared()
    if given and not stored:
        statement, params = sql.store_answers(response_id, given)
        run(statement, params, connection)
    emptied = [q.id for q in page.questions if parsed.get(q.id) is None]
    if emptied:
        run(
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
    """Complete the submission its lock claimed, or give the claim back and
    return the required questions left empty."""
    sql = prepared()
    saved = dict(run(sql.answered, {"response_id": response_id}, connection).all())
    questions = questions_of(invitation)
    missing: dict[int, str | LazyString] = {
        q.id: _l("Cette question demande une réponse.")
        for q in questions
        if q.is_required and q.id not in saved
    }
    if missing:
        run(sql.unsubmit, {"response_id": response_id}, connection)
        return missing
    closed = _close(invitation.id, response_id, now, connection)
    sync_invitation(invitation.id, answered_at=now)
    if isinstance(invitation, OpenInvitation):
        invitation.answered_at = now
    _raise_alerts(invitation, closed.member_id, response_id, questions, saved, now)
    return {}


def _close(invitation_id: int, response_id: int, now: datetime, connection: Any) -> Any:
    """Close the invitation and write the submission's audit entry; returns
    what the closing statement returns (member_id, campaign_id, cycle). One
    statement on PostgreSQL (one round trip), two on SQLite."""
    sql = prepared()
    if sql.close_and_audit is not None:
        entry = audit.entry(
            None, "response.submit", object_type="response", object_id=response_id
        )
        # Taken from the closed invitation by the statement itself.
        del entry["member_id"], entry["detail"]
        return run(
            sql.close_and_audit, {"key": invitation_id, "now": now, **entry}, connection
        ).one()
    closed = run(
        sql.close_invitation, {"key": invitation_id, "now": now}, connection
    ).one()
    audit.record(
        None,
        "response.submit",
        object_type="response",
        object_id=response_id,
        member_id=closed.member_id,
        detail={"campaign_id": closed.campaign_id, "cycle": closed.cycle},
    )
    return closed


def _raise_alerts(
    invitation: AnyInvitation,
    member_id: int,
    response_id: int,
    questions: Sequence[FrozenQuestion],
    saved: Mapping[int, int | None],
    now: datetime,
) -> None:
    """Alert the member of a response with low answers: one alert listing them
    (two statements whatever their number), none when there is none."""
    by_id = {q.id: q for q in questions}
    items = _low_answers(by_id, saved)
    if not items:
        return
    reasons = {item["reason"] for item in items}
    table = Alert.__table__
    alert_id = db.session.execute(
        table.insert()
        .values(
            member_id=member_id,
            response_id=response_id,
            reason=AlertReason.DETRACTOR
            if AlertReason.DETRACTOR in reasons
            else AlertReason.LOW_RATING,
            created_at=now,
            follow_up="",
        )
        .returning(table.c.id)
    ).scalar_one()
    db.session.execute(
        AlertItem.__table__.insert(), [{**item, "alert_id": alert_id} for item in items]
    )
    _mail_member_admins(invitation, member_id, response_id, by_id, items, now)


def _low_answers(
    by_id: Mapping[int, FrozenQuestion], saved: Mapping[int, int | None]
) -> list[dict[str, Any]]:
    """The items (question, reason, value) of the answers low enough to alert
    the member, in the questionnaire's order."""
    items: list[dict[str, Any]] = []
    for question_id, question in by_id.items():
        value = saved.get(question_id)
        if question.type not in _ALERTING or value is None:
            continue
        if not scoring.needs_alert(question.type.value, value):
            continue
        items.append(
            {
                "question_id": question_id,
                "reason": AlertReason.DETRACTOR
                if question.type == QuestionType.NPS
                else AlertReason.LOW_RATING,
                "value": value,
            }
        )
    return items


def _names(invitation: AnyInvitation) -> tuple[str, str, str]:
    """The contact's, the member's and the project's names (no statement for the
    answer pages' invitation, which holds them)."""
    if isinstance(invitation, OpenInvitation):
        return (
            invitation.contact_name,
            invitation.member_name,
            invitation.project_title,
        )
    contact_name, member_name, project_title = db.session.execute(
        select(ClientContact.name, Member.name, Project.title)
        .select_from(Invitation)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .join(Member, Member.id == Invitation.member_id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .where(Invitation.id == invitation.id)
    ).one()
    return contact_name, member_name, project_title


def _mail_member_admins(
    invitation: AnyInvitation,
    member_id: int,
    response_id: int,
    by_id: Mapping[int, FrozenQuestion],
    alerts: Sequence[dict[str, Any]],
    now: datetime,
) -> None:
    """Queue one e-mail per active admin of the member, listing the low answers."""
    contact_name, member_name, project_title = _names(invitation)
    admins = db.session.execute(
        select(User.id, User.email, User.locale).where(
            User.member_id == member_id,
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
