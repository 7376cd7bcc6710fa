"""The improvement-action register (the charter's "amélioration constante",
ISO 10002 / 10004): triggers open actions, the member decides and closes them
with their effect, the board sees how many are open and late per member."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.cli import register_demo_loader
from core.navigation import Panel, register_nav_item, register_panel
from core.scheduler import register_job
from core.security import Role

#: Minutes between two scans for new triggers, and two reminder runs.
JOB_MINUTES = 15


def init_app(app: Flask) -> None:
    from improvement import jobs, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    staff = [Role.MEMBER_ADMIN.value, Role.MEMBER_USER.value]
    association = [Role.BOARD.value, Role.SECRETARIAT.value]
    register_nav_item(
        app, "improvement.register", _l("Amélioration"), roles=staff, order=47
    )
    # The same short word for the board: the menu must fit one line at 1200 px.
    register_nav_item(
        app, "improvement.board", _l("Amélioration"), roles=association, order=47
    )
    register_panel(
        app,
        "member_dashboard",
        Panel(
            "improvement", "improvement/_dashboard_panel.html", views.dashboard_panel
        ),
    )
    # Opening first: an action opened in this tick is not late yet anyway.
    register_job(
        app, "improvement.open_actions", jobs.open_actions, minutes=JOB_MINUTES
    )
    register_job(
        app, "improvement.remind_overdue", jobs.remind_overdue, minutes=JOB_MINUTES
    )
    register_demo_loader(app, "improvement", "improvement.demo:load")
