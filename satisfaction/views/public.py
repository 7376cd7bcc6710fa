"""The client's pages, reached from an e-mailed link without an account: open
the link, answer page by page, thanks, unsubscribe."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from core.database import expect_writes
from core.extensions import csrf_exempt, limiter
from members import services as members_services
from satisfaction import services
from satisfaction.answer_form import PageSubmission, parse_answers
from satisfaction.models import Invitation
from satisfaction.views.common import (
    SESSION_KEY,
    SESSION_VERSION_KEY,
    bad_link_limit,
    bp,
    is_refused,
    per_link,
    survey_limit,
)


def _link_page(
    error: services.LinkError, locale: str | None = None
) -> ResponseReturnValue:
    with force_locale(locale or str(get_locale() or "fr")):
        body = render_template(
            "satisfaction/public/link_invalid.html",
            message=str(error),
            reason=error.reason,
            locale=locale or str(get_locale() or "fr"),
        )
    return body, error.status


def _contact_locale(invitation: Invitation | services.OpenInvitation) -> str:
    locale = (
        invitation.locale
        if isinstance(invitation, services.OpenInvitation)
        else invitation.contact.locale
    )
    return locale if locale in current_app.config["LANGUAGES"] else "fr"


@bp.get("/s/<token>")
@limiter.limit(survey_limit, key_func=per_link)
@limiter.limit(bad_link_limit, deduct_when=is_refused)
def open_link(token: str) -> ResponseReturnValue:
    """Exchange the e-mailed token for a session, then drop it from the URL."""
    expect_writes()
    try:
        invitation = services.open_link(token)
    except services.LinkError as error:
        return _link_page(error, error.locale)
    session[SESSION_KEY] = invitation.id
    version = services.session_version(invitation)
    if version is None:
        session.pop(SESSION_VERSION_KEY, None)
    else:
        session[SESSION_VERSION_KEY] = version
    return redirect(url_for("satisfaction.answer"))


def _render_survey(
    invitation: services.OpenInvitation,
    page: services.SurveyPage,
    *,
    values: dict[str, list[str]],
    share: bool,
    errors: dict[int, str] | None = None,
    status: int = 200,
    preview: bool = False,
) -> ResponseReturnValue:
    locale = _contact_locale(invitation)
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/answer.html",
            invitation=invitation,
            member_name=invitation.member_name,
            project={"title": invitation.project_title},
            page=page,
            values=values,
            share=share,
            errors=errors or {},
            locale=locale,
            preview=preview,
            expires_at=invitation.expires_at,
        )
    response = current_app.make_response((body, status))
    response.headers["Content-Language"] = locale
    return response


def _member_name(member_id: int) -> str:
    member = members_services.get_member(member_id)
    return member.name if member else ""


@bp.route("/s/answer", methods=["GET", "POST"])
@limiter.limit(survey_limit, key_func=per_link)
# The answer form is exempt from Flask-WTF's CSRF check on purpose: its tokens
# expire (WTF_CSRF_TIME_LIMIT) and a client who takes longer than that would lose
# a questionnaire. What protects it instead: the form only acts on the invitation
# held in the signed session cookie (SameSite=Lax, so a cross-site POST carries
# no session and gets the "session expired" page), and the only thing a forged
# submission could do is answer the victim's own questionnaire in its place.
@csrf_exempt
def answer() -> ResponseReturnValue:
    if request.method == "POST":
        expect_writes()
        # A session that holds the invitation's frozen version saves the page
        # without reading the invitation first (its statement checks it is open).
        held = services.held_invitation(
            session.get(SESSION_KEY), session.get(SESSION_VERSION_KEY)
        )
        if held is not None:
            return _save_page(held, PageSubmission.from_form(request.form))
    try:
        invitation = services.invitation_for_session(session.get(SESSION_KEY))
    except services.LinkError as error:
        return _link_page(error, error.locale)
    if request.method == "POST":
        return _save_page(invitation, PageSubmission.from_form(request.form))
    page = services.page_of(invitation, request.args.get("page", 1, type=int))
    values, share = services.saved_form(invitation)
    return _render_survey(invitation, page, values=values, share=share)


AnswerInvitation = services.OpenInvitation | services.HeldInvitation


def _save_page(
    invitation: AnswerInvitation, sent: PageSubmission
) -> ResponseReturnValue:
    """Parse the page's answers, save them, and go where the button pressed says."""
    page = services.page_of(invitation, sent.page)
    submit = sent.action == "submit" and page.is_last
    try:
        answers = parse_answers(
            page.questions, sent.values, require=sent.requires_answers
        )
        services.save_answers(
            invitation,
            page=page,
            answers=answers,
            share_with_board=sent.share_with_board if page.is_last else None,
            submit=submit,
        )
    except services.LinkError as error:
        return _link_page(error, error.locale)
    except services.AlreadyAnsweredError as error:
        return _answered_page(invitation, error)
    except services.AnswersRefusedError as error:
        try:
            opened = _opened(invitation)
        except services.LinkError as link_error:
            return _link_page(link_error, link_error.locale)
        return _refused_page(opened, page, sent, error)
    return _after_save(invitation, page, sent.action, submit=submit)


def _opened(invitation: AnswerInvitation) -> services.OpenInvitation:
    """The invitation read whole (its contact's language, its expiry), for the
    answers that show it; one that is no longer open raises as on opening.

    :raises LinkError:
    """
    if isinstance(invitation, services.OpenInvitation):
        return invitation
    return services.invitation_for_session(invitation.id)


def _answered_page(
    invitation: AnswerInvitation, error: services.AlreadyAnsweredError
) -> ResponseReturnValue:
    if isinstance(invitation, services.HeldInvitation):
        # Answered meanwhile: read it without asking whether it is open.
        invitation = services.invitation_by_id(invitation.id) or invitation
    locale = (
        _contact_locale(invitation)
        if isinstance(invitation, services.OpenInvitation)
        else str(get_locale() or "fr")
    )
    with force_locale(locale):
        return _link_page(
            services.LinkError(str(error), status=409, reason="answered"), locale
        )


def _refused_page(
    invitation: services.OpenInvitation,
    page: services.SurveyPage,
    sent: PageSubmission,
    error: services.AnswersRefusedError,
) -> ResponseReturnValue:
    """The page again with the refusals next to their questions (status 400)."""
    locale = _contact_locale(invitation)
    with force_locale(locale):
        messages = {qid: str(message) for qid, message in error.errors.items()}
        summary = str(error)
    values, share = sent.values, sent.share_with_board
    if not any(q.id in messages for q in page.questions):
        # A required question of another page: show that page.
        page = services.page_of(
            invitation, services.first_missing_page(invitation, list(messages))
        )
        values, share = services.saved_form(invitation)
    with force_locale(locale):
        flash(summary, "danger")
    return _render_survey(
        invitation, page, values=values, share=share, errors=messages, status=400
    )


def _after_save(
    invitation: AnswerInvitation,
    page: services.SurveyPage,
    action: str,
    *,
    submit: bool,
) -> ResponseReturnValue:
    """Thanks after a submission, the same page after "save", else the next one."""
    if submit:
        session.pop(SESSION_KEY, None)
        session.pop(SESSION_VERSION_KEY, None)
        session["satisfaction.answered"] = invitation.id
        return redirect(url_for("satisfaction.thanks"))
    if action == "save":
        # Only the message is in the contact's language (the redirects have none).
        _saved_message(invitation)
        return redirect(url_for("satisfaction.answer", page=page.number))
    target = page.number - 1 if action == "previous" else page.number + 1
    return redirect(url_for("satisfaction.answer", page=target))


def _saved_message(invitation: AnswerInvitation) -> None:
    """Flash, in the contact's language, until when the link keeps the answers."""
    opened = (
        invitation
        if isinstance(invitation, services.OpenInvitation)
        else services.invitation_by_id(invitation.id)
    )
    if opened is None:  # gone since it was saved
        return
    with force_locale(_contact_locale(opened)):
        flash(
            _(
                "Vos réponses sont enregistrées. Vous pourrez reprendre avec le "
                "même lien jusqu'au %(date)s.",
                date=_format_date(opened),
            ),
            "success",
        )


def _format_date(invitation: services.OpenInvitation) -> str:
    from core.i18n import format_date

    return str(format_date(invitation.expires_at, "long"))


@bp.get("/s/thanks")
def thanks() -> ResponseReturnValue:
    invitation = services.invitation_by_id(session.get("satisfaction.answered"))
    locale = _contact_locale(invitation) if invitation else str(get_locale() or "fr")
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/thanks.html",
            member_name=invitation.member_name if invitation else "",
            locale=locale,
        )
    return body


@bp.route("/s/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit(survey_limit, key_func=per_link)
@limiter.limit(bad_link_limit, deduct_when=is_refused)
# One-click unsubscribe (RFC 8058) is a POST from the mail client without any
# CSRF token; the signed token in the URL is the protection.
@csrf_exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    if request.method == "POST":
        expect_writes()
    invitation = services.invitation_for_unsubscribe(token)
    if invitation is None:
        unknown = _("Ce lien de désinscription n'existe pas.")
        return _link_page(services.LinkError(unknown, status=404, reason="unknown"))
    locale = _contact_locale(invitation)
    done = invitation.contact.opted_out_at is not None
    if request.method == "POST" and not done:
        services.unsubscribe(invitation)
        done = True
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/unsubscribe.html",
            done=done,
            member_name=_member_name(invitation.member_id),
            token=token,
            locale=locale,
        )
    return body
