"""Client satisfaction: questionnaires, campaigns, responses and scores."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.cli import register_demo_loader
from core.mail_bodies import register_filler
from core.navigation import Panel, register_nav_item, register_panel
from core.privacy import register_contact_data
from core.scheduler import register_job
from core.security import Role


def init_app(app: Flask) -> None:
    from satisfaction import jobs, models, privacy, views  # noqa: F401
    from satisfaction.services.outbox import INVITATION_FILLER, fill_invitation

    app.register_blueprint(views.bp)
    register_filler(app, INVITATION_FILLER, fill_invitation)
    register_contact_data(
        app, "questionnaires", export=privacy.export, erase=privacy.erase
    )
    staff = [Role.MEMBER_ADMIN.value, Role.MEMBER_USER.value]
    register_nav_item(
        app, "satisfaction.questionnaires", _l("Questionnaires"), roles=staff, order=40
    )
    register_nav_item(app, "satisfaction.alerts", _l("Alertes"), roles=staff, order=45)
    register_nav_item(
        app,
        "satisfaction.admin",
        _l("Questionnaire de la charte"),
        roles=[Role.SECRETARIAT.value],
        order=40,
    )
    register_nav_item(
        app,
        "satisfaction.board_comments",
        _l("Commentaires clients"),
        roles=[Role.BOARD.value, Role.SECRETARIAT.value],
        order=45,
    )
    register_panel(
        app,
        "project",
        Panel(
            "satisfaction",
            "satisfaction/_project_panel.html",
            views.project_panel_context,
            order=40,
        ),
    )
    # Reminders first: a campaign's new cycle must not be reminded in the same tick.
    register_job(app, "satisfaction.send_reminders", jobs.send_reminders, minutes=5)
    register_job(app, "satisfaction.send_due", jobs.send_due_invitations, minutes=1)
    register_demo_loader(app, "satisfaction", "satisfaction.demo:load")
