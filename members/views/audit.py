"""The audit log, for the secretariat and the board: filter, page, export."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core import exports
from core.database import expect_writes
from core.forms import choices
from core.security import roles_required
from members import services
from members.forms import AuditFilterForm
from members.views.blueprint import ASSOCIATION, bp


def _audit_filter() -> tuple[services.AuditFilter, AuditFilterForm]:
    form = AuditFilterForm(request.args)
    names = services.audit_member_names()
    members = sorted(names.items(), key=lambda pair: pair[1].lower())
    form.member.choices = choices(
        [("", _("Tous")), *((str(key), name) for key, name in members)]
    )
    form.action.choices = choices(
        [("", _("Toutes")), *((a, a) for a in services.audit_actions())]
    )
    member = form.member.data or ""
    if not form.validate() or (member and not member.isdigit()) or len(member) > 9:
        abort(400, _("Les filtres du journal sont invalides."))
    chosen = services.AuditFilter(
        member_id=int(member) if member else None,
        user=(form.user.data or "").strip(),
        action=form.action.data or "",
        since=form.since.data,
        until=form.until.data,
    )
    return chosen, form


@bp.get("/admin/audit")
@roles_required(*ASSOCIATION)
def admin_audit() -> ResponseReturnValue:
    chosen, form = _audit_filter()
    page = services.audit_page(chosen, page=form.page.data or 1)
    return render_template(
        "members/admin/audit.html",
        form=form,
        page=page,
        names=services.audit_member_names(),
        query={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/admin/audit.csv")
@roles_required(*ASSOCIATION)
def admin_audit_csv() -> ResponseReturnValue:
    expect_writes()  # the export is logged
    chosen, _form = _audit_filter()
    headers = [
        _("Date"),
        _("Qui"),
        _("Action"),
        _("Objet"),
        _("N°"),
        _("Adhérent"),
        _("Détail"),
    ]
    return exports.download(
        services.export_audit(current_user, chosen, headers=headers), "csv"
    )
