"""Dashboards: the member's cockpit, the client's portal and the board's quality
review (read-only aggregates, figures, exports, the monthly digest)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.cli import register_demo_loader
from core.navigation import register_nav_item
from core.privacy import register_contact_data
from core.scheduler import register_job
from core.security import Role
from core.urls import external_url


def client_portal_url() -> str:
    """Where a client contact asks for its portal link: every e-mail to a client
    contact (questionnaires, reminders, indicator agreements) names it."""
    return external_url("dashboards.portal_request")


def init_app(app: Flask) -> None:
    from dashboards import jobs, models, privacy, rollups  # noqa: F401
    from dashboards.views import bp
    from kpi.signals import measurements_changed

    app.register_blueprint(bp)
    # A template global: the e-mails of other features are rendered without a
    # request (by the scheduler) and cannot import this package.
    app.jinja_env.globals["client_portal_url"] = client_portal_url
    register_contact_data(app, "portal", export=privacy.export, erase=privacy.erase)
    staff = [Role.MEMBER_ADMIN.value, Role.MEMBER_USER.value]
    association = [Role.BOARD.value, Role.SECRETARIAT.value]
    register_nav_item(
        app, "dashboards.member_dashboard", _l("Tableau de bord"), roles=staff, order=10
    )
    register_nav_item(
        app, "dashboards.board_review", _l("Revue qualité"), roles=association, order=10
    )
    register_job(app, "dashboards.monthly_digest", jobs.monthly_digest, minutes=60)
    register_job(
        app,
        "dashboards.rollups",
        jobs.refresh_rollups,
        minutes=rollups.JOB_MINUTES,
    )
    register_demo_loader(app, "dashboards", "dashboards.demo.small:load")
    # KPI writes refresh the latest values the dashboards read, in their own
    # transaction (kpi cannot import dashboards).
    measurements_changed.connect(rollups.refresh_after_kpi_write, sender=app)
