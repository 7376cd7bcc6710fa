"""The client's side: open a link, save answers as they go, submit once, opt out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core import audit
from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.security import Role, hash_token
from core.urls import external_url
from members.models import ClientContact, Member, User
from satisfaction import scoring
from satisfaction.errors import (
    AlreadyAnsweredError,
    AnswersRefusedError,
    InvalidAnswerError,
    LinkError,
)
from satisfaction.links import read_unsubscribe_token
from satisfaction.models import (
    Alert,
    AlertReason,
    Answer,
    Invitation,
    Question,
    QuestionType,
    Response,
)

PAGE_SIZE = 5
MAX_TEXT = 5000
AnswerValue = dict[str, Any]  # {"value": int} | {"text": str} | {"choices": [int]}

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


def open_link(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation of an e-mailed link, marked as opened.

    :raises LinkError: unknown (404), expired (410) or already answered (410).
    """
    now = now or utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise LinkError(
            _l("Ce lien n'existe pas. Vérifiez qu'il est complet."),
            status=404,
            reason="unknown",
        )
    check_open(invitation, now=now)
    if invitation.opened_at is None:
        invitation.opened_at = now
        db.session.commit()
    return invitation


def check_open(invitation: Invitation, *, now: datetime) -> None:
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
) -> Invitation:
    """The invitation the browser's session holds, still open.

    :raises LinkError:
    """
    invitation = (
        db.session.get(Invitation, invitation_id) if invitation_id is not None else None
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
    questions: list[Question]

    @property
    def is_last(self) -> bool:
        return self.number == self.count


def questions_of(invitation: Invitation) -> list[Question]:
    return sorted(invitation.version.questions, key=lambda q: q.position)


def page_of(invitation: Invitation, number: int) -> SurveyPage:
    """Page ``number`` (1-based, clamped) of the invitation's questions."""
    questions = questions_of(invitation)
    count = max(1, -(-len(questions) // PAGE_SIZE))
    number = min(max(1, number), count)
    start = (number - 1) * PAGE_SIZE
    return SurveyPage(number, count, questions[start : start + PAGE_SIZE])


def response_of(invitation: Invitation) -> Response | None:
    return db.session.scalar(
        select(Response).where(Response.invitation_id == invitation.id)
    )


def saved_form(invitation: Invitation) -> tuple[dict[str, list[str]], bool]:
    """The saved answers as form values (``q<id>`` → values) and the consent."""
    response = response_of(invitation)
    if response is None:
        return {}, False
    values: dict[str, list[str]] = {}
    for answer in response.answers:
        name = f"q{answer.question_id}"
        if answer.choices is not None:
            values[name] = [str(choice) for choice in answer.choices]
        elif answer.text is not None:
            values[name] = [answer.text]
        elif answer.value is not None:
            values[name] = [str(answer.value)]
    return values, response.share_with_board


# ---------------------------------------------------------------- answers


def _parse_one(question: Question, raw: Sequence[str]) -> AnswerValue | None:
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
    questions: Sequence[Question],
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
            value = _parse_one(question, form.get(f"q{question.id}", []))
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


def _insert_ignore() -> Any:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(Response).on_conflict_do_nothing()


def _lock_response(invitation: Invitation, now: datetime) -> Response:
    """The invitation's response, created if needed, locked for this transaction.

    The UNIQUE invitation_id makes concurrent first saves create one row; the
    row lock (SQLite: the IMMEDIATE transaction) serialises what follows.
    """
    db.session.execute(
        _insert_ignore().values(
            invitation_id=invitation.id,
            campaign_id=invitation.campaign_id,
            started_at=now,
            updated_at=now,
            share_with_board=False,
        )
    )
    response = db.session.scalar(
        select(Response)
        .where(Response.invitation_id == invitation.id)
        .with_for_update(of=Response)
        .execution_options(populate_existing=True)
    )
    assert response is not None
    return response


def save_answers(
    invitation: Invitation,
    *,
    page: SurveyPage,
    form: Mapping[str, Sequence[str]],
    share_with_board: bool | None,
    submit: bool,
    require_page: bool,
    now: datetime | None = None,
) -> Response:
    """Save the answers of one page; with ``submit``, send the whole questionnaire.

    :raises AnswersRefusedError: refused answers (nothing is saved).
    :raises AlreadyAnsweredError: the questionnaire was already submitted.
    """
    now = now or utcnow()
    parsed = parse_answers(page.questions, form, require=require_page or submit)
    response = _lock_response(invitation, now)
    if response.submitted_at is not None:
        db.session.rollback()
        raise _already_answered()
    page_ids = [q.id for q in page.questions]
    db.session.execute(
        delete(Answer).where(
            Answer.response_id == response.id, Answer.question_id.in_(page_ids)
        )
    )
    for question_id, value in parsed.items():
        if value is not None:
            db.session.add(
                Answer(
                    response_id=response.id,
                    question_id=question_id,
                    value=value.get("value"),
                    text=value.get("text"),
                    choices=value.get("choices"),
                )
            )
    if share_with_board is not None:
        response.share_with_board = share_with_board
    response.updated_at = now
    db.session.flush()
    missing = _submit(invitation, response, now) if submit else {}
    db.session.commit()
    if missing:
        # The page's answers are saved; the questions left empty are shown.
        raise AnswersRefusedError(
            _l("Certaines questions obligatoires n'ont pas de réponse."),
            errors=missing,
        )
    return response


def _submit(
    invitation: Invitation, response: Response, now: datetime
) -> dict[int, str | LazyString]:
    """Submit the response, or return the required questions left empty."""
    answered = set(
        db.session.scalars(
            select(Answer.question_id).where(Answer.response_id == response.id)
        )
    )
    missing: dict[int, str | LazyString] = {
        q.id: _l("Cette question demande une réponse.")
        for q in questions_of(invitation)
        if q.is_required and q.id not in answered
    }
    if missing:
        return missing
    won = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.submitted_at.is_(None))
        .values(submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise _already_answered()
    response.submitted_at = now
    invitation.answered_at = now
    _raise_alerts(invitation, response, now)
    audit.record(
        None,
        "response.submit",
        object_type="response",
        object_id=response.id,
        member_id=invitation.member_id,
        detail={"campaign_id": invitation.campaign_id, "cycle": invitation.cycle},
    )
    return {}


def first_missing_page(invitation: Invitation, question_ids: Sequence[int]) -> int:
    """The page holding the first of ``question_ids``."""
    for index, question in enumerate(questions_of(invitation)):
        if question.id in question_ids:
            return index // PAGE_SIZE + 1
    return 1


# ---------------------------------------------------------------- alerts


def _raise_alerts(invitation: Invitation, response: Response, now: datetime) -> None:
    by_id = {q.id: q for q in questions_of(invitation)}
    answers = db.session.scalars(
        select(Answer).where(Answer.response_id == response.id)
    ).all()
    alerts: list[Alert] = []
    for answer in answers:
        question = by_id.get(answer.question_id)
        if question is None or question.type not in _ALERTING or answer.value is None:
            continue
        if not scoring.needs_alert(question.type.value, answer.value):
            continue
        reason = (
            AlertReason.DETRACTOR
            if question.type == QuestionType.NPS
            else AlertReason.LOW_RATING
        )
        alert = Alert(
            member_id=invitation.member_id,
            response_id=response.id,
            question_id=question.id,
            reason=reason,
            value=answer.value,
            created_at=now,
            follow_up="",
        )
        db.session.add(alert)
        alerts.append(alert)
    if not alerts:
        return
    db.session.flush()
    member = db.session.get(Member, invitation.member_id)
    admins = db.session.scalars(
        select(User).where(
            User.member_id == invitation.member_id,
            User.role == Role.MEMBER_ADMIN,
            User.is_active.is_(True),
        )
    ).all()
    link = external_url("satisfaction.alerts")
    for admin in admins:
        lines = [
            {
                "question": alert.question.text(admin.locale)
                if alert.question
                else by_id[alert.question_id].text(admin.locale),
                "value": alert.value,
            }
            for alert in alerts
        ]
        queue_email(
            to=admin.email,
            template="satisfaction/email/alert",
            context={
                "member_name": member.name if member else "",
                "contact_name": invitation.contact.name,
                "project_title": invitation.campaign.project.title,
                "lines": lines,
                "link": link,
            },
            locale=admin.locale,
            key=f"satisfaction.alert:{response.id}:{admin.id}",
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
