"""Pages of the improvement register: the member's register and its actions,
the CSV export, and the board's counts per member."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core import exports
from core.database import expect_writes
from core.dates import local_today
from core.forms import choices, show_refusal
from core.security import ASSOCIATION_ROLES, Role, roles_required
from improvement import services
from improvement.describe import describe
from improvement.forms import CloseForm, DecideForm
from improvement.models import SOURCE_LABELS, STATE_LABELS, ImprovementAction

# Named after the feature package, so that its templates/ folder is found.
bp = Blueprint("improvement", "improvement", template_folder="templates")

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
ASSOCIATION = tuple(ASSOCIATION_ROLES)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "IMPROVEMENT_STATES": STATE_LABELS,
        "IMPROVEMENT_SOURCES": SOURCE_LABELS,
        "describe_improvement": describe,
    }


def _which() -> services.Which:
    which = request.args.get("which", "open")
    for option in services.WHICH:
        if option == which:
            return option
    abort(400, _("Filtre inconnu : choisissez ouvertes, en retard, closes ou toutes."))


@bp.get("/space/improvement")
@roles_required(*STAFF)
def register() -> ResponseReturnValue:
    which, today = _which(), local_today()
    return render_template(
        "improvement/register.html",
        actions=services.list_actions(current_user.member_id, which=which, today=today),
        summary=services.member_summary(current_user.member_id, today=today),
        which=which,
        today=today,
    )


@bp.get("/space/improvement/export.<any(csv, xlsx):fmt>")
@roles_required(*STAFF)
def export(fmt: str) -> ResponseReturnValue:
    expect_writes()  # the export is logged
    which, today = _which(), local_today()
    table = services.export_table(
        current_user, current_user.member_id, which=which, today=today, fmt=fmt
    )
    return exports.download(table, fmt)


def _forms(action: ImprovementAction) -> tuple[DecideForm, CloseForm]:
    decide = DecideForm(prefix="decide", obj=None)
    close = CloseForm(prefix="close")
    decide.owner_id.choices = choices(services.owner_choices(action.member_id))
    return decide, close


def _page(
    action: ImprovementAction, decide: DecideForm, close: CloseForm, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "improvement/action.html",
        action=action,
        decide=decide,
        close=close,
        today=local_today(),
    ), status


def _load(action_id: int) -> ImprovementAction:
    found = services.get_action(current_user.member_id, action_id)
    if found is None:
        abort(404)
    return found


@bp.get("/space/improvement/<int:action_id>")
@roles_required(*STAFF)
def action(action_id: int) -> ResponseReturnValue:
    found = _load(action_id)
    decide, close = _forms(found)
    _fill_decide(decide, found)
    close.result.data = found.result
    return _page(found, decide, close)


def _fill_decide(form: DecideForm, found: ImprovementAction) -> None:
    """What was decided so far (a new action: the reader as its owner)."""
    form.cause.data, form.plan.data = found.cause, found.action
    form.owner_id.data = found.owner_id or current_user.id
    form.due_on.data, form.result.data = found.due_on, found.result


@bp.post("/space/improvement/<int:action_id>/decide")
@roles_required(*STAFF)
def decide(action_id: int) -> ResponseReturnValue:
    found = _load(action_id)
    form, close = _forms(found)
    if form.validate_on_submit():
        try:
            services.decide_action(
                current_user,
                found,
                cause=form.cause.data,
                plan=form.plan.data,
                owner_id=form.owner_id.data,
                due_on=form.due_on.data,
                result=form.result.data,
            )
        except services.ImprovementError as error:
            show_refusal(form, error)
        else:
            flash(_("Action enregistrée."), "success")
            return redirect(url_for("improvement.action", action_id=found.id))
    close.result.data = found.result
    return _page(found, form, close, 400)


@bp.post("/space/improvement/<int:action_id>/close")
@roles_required(*STAFF)
def close(action_id: int) -> ResponseReturnValue:
    found = _load(action_id)
    decide_form, form = _forms(found)
    if form.validate_on_submit():
        try:
            services.close_action(
                current_user,
                found,
                result=form.result.data,
                effect=form.effect.data,
                effect_on=form.effect_on.data,
            )
        except services.ImprovementError as error:
            show_refusal(form, error)
        else:
            flash(_("Action close, son effet est enregistré."), "success")
            return redirect(url_for("improvement.action", action_id=found.id))
    _fill_decide(decide_form, found)
    return _page(found, decide_form, form, 400)


@bp.get("/association/improvement")
@roles_required(*ASSOCIATION)
def board() -> ResponseReturnValue:
    today = local_today()
    return render_template(
        "improvement/board.html", rows=services.board_counts(today), today=today
    )


def dashboard_panel(member: object) -> dict[str, object]:
    """The member dashboard's panel: its open and late actions."""
    member_id = getattr(member, "id", None)
    if member_id is None:
        return {"improvement": None}
    return {"improvement": services.member_summary(member_id, today=local_today())}
