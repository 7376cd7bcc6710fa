"""The member's questionnaires and their builder: questions added, edited,
moved and removed, and the preview of the answer page."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from core.forms import ConfirmForm, choices, form_page
from core.security import roles_required
from satisfaction import services
from satisfaction.commitments import commitment_choices
from satisfaction.forms import QuestionForm, QuestionnaireForm, RenameForm
from satisfaction.models import Commitment, QuestionType
from satisfaction.views.common import EDITORS, STAFF, bp


@bp.get("/space/questionnaires")
@roles_required(*STAFF)
def questionnaires() -> ResponseReturnValue:
    return render_template(
        "satisfaction/questionnaires.html",
        questionnaires=services.list_questionnaires(current_user.member_id),
        form=QuestionnaireForm(formdata=None),
    )


@bp.post("/space/questionnaires/new")
@roles_required(*STAFF)
def questionnaire_new() -> ResponseReturnValue:
    form = QuestionnaireForm()
    return form_page(
        form,
        template="satisfaction/questionnaires.html",
        submit=lambda: services.create_questionnaire(
            current_user,
            current_user.member_id,
            title=form.title.data,
            from_charter=form.source.data == "charter",
        ),
        errors=services.BuilderError,
        success=_("Questionnaire créé."),
        next_url=lambda created: url_for(
            "satisfaction.builder", questionnaire_id=created.id
        ),
        questionnaires=services.list_questionnaires(current_user.member_id),
    )


def _editable(questionnaire_id: int) -> Any:
    return services.get_questionnaire_for(current_user, questionnaire_id) or abort(404)


def _builder_context(questionnaire: Any, **forms: Any) -> dict[str, Any]:
    """What the builder page shows besides the forms given (blank by default)."""
    context = {
        "rename_form": RenameForm(formdata=None, title=questionnaire.title),
        "question_form": _question_form(formdata=None),
    }
    context.update(forms)
    return {
        "questionnaire": questionnaire,
        "version": services.current_version(questionnaire),
        "versions": services.version_count(questionnaire),
        "confirm": ConfirmForm(),
        **context,
    }


@bp.get("/space/questionnaires/<int:questionnaire_id>")
@roles_required(*EDITORS)
def builder(questionnaire_id: int) -> ResponseReturnValue:
    context = _builder_context(_editable(questionnaire_id))
    return render_template("satisfaction/builder.html", **context)


@bp.post("/space/questionnaires/<int:questionnaire_id>/rename")
@roles_required(*EDITORS)
def questionnaire_rename(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    form = RenameForm()
    return form_page(
        form,
        template="satisfaction/builder.html",
        submit=lambda: services.rename_questionnaire(
            current_user, questionnaire, title=form.title.data
        ),
        errors=services.BuilderError,
        success=_("Modifications enregistrées."),
        next_url=lambda _r: url_for(
            "satisfaction.builder", questionnaire_id=questionnaire.id
        ),
        **_builder_context(questionnaire, rename_form=form),
    )


def _question_form(**kwargs: Any) -> QuestionForm:
    """The question form, its tags named by the charter in force."""
    form = QuestionForm(**kwargs)
    form.commitment.choices = choices([("", _("Aucun")), *commitment_choices()])
    return form


def _question_fields(form: QuestionForm) -> dict[str, Any]:
    return {
        "kind": QuestionType(form.kind.data),
        "text_fr": form.text_fr.data or "",
        "text_en": form.text_en.data or "",
        "options_fr": (form.options_fr.data or "").splitlines(),
        "options_en": (form.options_en.data or "").splitlines(),
        "is_required": bool(form.is_required.data),
        "commitment": Commitment(form.commitment.data)
        if form.commitment.data
        else None,
    }


@bp.route(
    "/space/questionnaires/<int:questionnaire_id>/questions/new",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def question_new(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    form = _question_form()
    return form_page(
        form,
        template="satisfaction/question_form.html",
        submit=lambda: services.add_question(
            current_user, questionnaire, **_question_fields(form)
        ),
        errors=services.BuilderError,
        success=_("Question ajoutée."),
        next_url=lambda _r: url_for(
            "satisfaction.builder", questionnaire_id=questionnaire.id
        ),
        questionnaire=questionnaire,
        question=None,
    )


def _question_data(question: Any) -> dict[str, Any]:
    """The question form filled with a question as it is."""
    return {
        "kind": question.type.value,
        "text_fr": question.text_fr,
        "text_en": question.text_en,
        "options_fr": "\n".join(o.get("fr", "") for o in question.options),
        "options_en": "\n".join(o.get("en", "") for o in question.options),
        "commitment": question.commitment.value if question.commitment else "",
        "is_required": question.is_required,
    }


@bp.route(
    "/space/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/edit",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def question_edit(questionnaire_id: int, question_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    question = services.find_question(questionnaire, question_id) or abort(404)
    form = _question_form()
    if request.method == "GET":
        form.process(data=_question_data(question))
    return form_page(
        form,
        template="satisfaction/question_form.html",
        submit=lambda: services.update_question(
            current_user, questionnaire, question.id, **_question_fields(form)
        ),
        errors=services.BuilderError,
        success=_("Question modifiée."),
        next_url=lambda _r: url_for(
            "satisfaction.builder", questionnaire_id=questionnaire.id
        ),
        questionnaire=questionnaire,
        question=question,
    )


@bp.post(
    "/space/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/delete"
)
@roles_required(*EDITORS)
def question_delete(questionnaire_id: int, question_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    services.find_question(questionnaire, question_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_question(current_user, questionnaire, question_id)
        flash(_("Question supprimée."), "success")
    return redirect(url_for("satisfaction.builder", questionnaire_id=questionnaire.id))


@bp.post(
    "/space/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/move"
)
@roles_required(*EDITORS)
def question_move(questionnaire_id: int, question_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    services.find_question(questionnaire, question_id) or abort(404)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    if ConfirmForm().validate_on_submit():
        services.move_question(
            current_user,
            questionnaire,
            question_id,
            offset=-1 if direction == "up" else 1,
        )
    return redirect(url_for("satisfaction.builder", questionnaire_id=questionnaire.id))


@bp.get("/space/questionnaires/<int:questionnaire_id>/preview")
@roles_required(*EDITORS)
def preview(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    version = services.current_version(questionnaire)
    locale = request.args.get("lang", "fr")
    if locale not in current_app.config["LANGUAGES"]:
        locale = "fr"
    questions = sorted(version.questions, key=lambda q: q.position)
    page = services.SurveyPage(1, 1, questions)
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/answer.html",
            invitation=None,
            member_name=questionnaire.member.name if questionnaire.member else "",
            project=None,
            page=page,
            values={},
            share=False,
            errors={},
            locale=locale,
            preview=True,
            questionnaire=questionnaire,
            expires_at=None,
        )
    return body
