"""Public pages: the registry of signatories, the verification page, the badge."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale

from members import services
from members.badge import badge_svg
from members.models import MARK_STATUS_LABELS
from members.views.blueprint import bp


@bp.get("/registry")
def registry() -> ResponseReturnValue:
    return render_template(
        "members/public/registry.html", members=services.registry_members()
    )


@bp.get("/registry/<int:member_id>")
def registry_member(member_id: int) -> ResponseReturnValue:
    member = services.public_member(member_id) or abort(404)
    return render_template("members/public/verify.html", member=member)


@bp.get("/registry/<int:member_id>/badge.svg")
def badge(member_id: int) -> ResponseReturnValue:
    member = services.public_member(member_id) or abort(404)
    # Embedded on the member's own site: ?lang=en gives the English label.
    lang = request.args.get("lang")
    with force_locale(
        lang if lang in current_app.config["LANGUAGES"] else str(get_locale())
    ):
        label = str(MARK_STATUS_LABELS[member.mark_status])
    svg = badge_svg(
        association=current_app.config["ASSOCIATION_NAME"],
        status_key=member.mark_status.value,
        status_label=label,
        name=member.name,
    )
    response = Response(svg, mimetype="image/svg+xml")
    # Live status: caches may keep it five minutes at most.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    return response
