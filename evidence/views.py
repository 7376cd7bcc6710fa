"""The evidence pack's pages: a member's own (``Dossier de preuves``) and any
member's for the board and the secretariat; the ZIP download, logged."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core.database import expect_writes
from core.dates import local_today
from core.extensions import limiter
from core.security import ASSOCIATION_ROLES, MEMBER_ROLES, roles_required
from evidence import services
from members import services as members_services
from members.models import Member

# Named after the feature package, so that its templates/ folder is found.
bp = Blueprint("evidence", "evidence", template_folder="templates")

READERS = (*MEMBER_ROLES, *ASSOCIATION_ROLES)


def _member(member_id: int) -> Member:
    """The member whose pack is asked for: a member's staff reach only their own
    (another's is not found), the association any member."""
    if current_user.role in MEMBER_ROLES and current_user.member_id != member_id:
        abort(404)
    return members_services.get_member(member_id) or abort(404)


def _year() -> int:
    try:
        return services.parse_year(request.args.get("year"), today=local_today())
    except services.EvidenceError as error:
        abort(400, str(error))


@bp.get("/evidence/members/<int:member_id>")
@roles_required(*READERS)
def page(member_id: int) -> ResponseReturnValue:
    member = _member(member_id)
    today = local_today()
    return render_template(
        "evidence/page.html",
        member=member,
        year=_year(),
        years=list(range(today.year, services.FIRST_YEAR - 1, -1)),
        board_view=current_user.role in ASSOCIATION_ROLES,
    )


def _pdf_limit() -> str:
    return str(current_app.config["PDF_RATE_LIMIT"])


@bp.get("/evidence/members/<int:member_id>/pack.zip")
@roles_required(*READERS)
@limiter.limit(_pdf_limit)
def pack(member_id: int) -> ResponseReturnValue:
    member = _member(member_id)
    year = _year()
    expect_writes()  # the pack is logged
    made = services.build_pack(current_user, member.id, year, today=local_today())
    if made is None:
        abort(404)
    return send_file(
        io.BytesIO(made.body),
        mimetype="application/zip",
        as_attachment=True,
        download_name=made.file_name,
    )


def dashboard_panel(member: object) -> dict[str, object]:
    """The member dashboard's panel: the link to its evidence pack."""
    member_id = getattr(member, "id", None)
    return {"evidence_member_id": member_id, "evidence_year": local_today().year}
