"""Members, users and roles, clients and contacts, projects, charter signature and
mark status, sign-in, the public registry and badge."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.cli import register_demo_loader
from core.extensions import login_manager
from core.i18n import register_locale_saver
from core.navigation import PUBLIC, Panel, register_nav_item, register_panel
from core.scheduler import register_job
from core.security import Role


def init_app(app: Flask) -> None:
    from members import cli, jobs, services
    from members.services import expertise
    from members.views import bp

    app.register_blueprint(bp)
    # Contacts' personal data is erased this long after their client's last project.
    app.config.setdefault("CONTACT_RETENTION_YEARS", 3)
    register_job(app, "members.contact_retention", jobs.contact_retention, minutes=1440)

    login_manager.user_loader(services.user_of_session)
    register_locale_saver(app, services.set_language)

    app.cli.add_command(cli.users_cli)
    staff = [Role.MEMBER_ADMIN.value, Role.MEMBER_USER.value]
    association = [Role.BOARD.value, Role.SECRETARIAT.value]
    register_nav_item(app, "members.projects", _l("Projets"), roles=staff, order=20)
    register_nav_item(app, "members.clients", _l("Clients"), roles=staff, order=30)
    register_nav_item(app, "members.team", _l("Équipe"), roles=staff, order=80)
    register_nav_item(
        app,
        "members.registry",
        _l("Annuaire des signataires"),
        roles=[PUBLIC],
        order=90,
    )
    register_nav_item(
        app, "members.admin_audit", _l("Journal"), roles=association, order=95
    )
    register_nav_item(
        app, "members.admin_members", _l("Adhérents"), roles=association, order=20
    )
    register_nav_item(app, "members.space_charter", _l("Charte"), roles=staff, order=85)
    register_nav_item(
        app, "members.admin_charter", _l("Charte"), roles=association, order=25
    )
    register_nav_item(
        app, "members.public_charter", _l("La charte"), roles=[PUBLIC], order=89
    )
    # On the member's dashboard: the banner asking to re-sign a newer version.
    register_panel(
        app,
        "member_dashboard",
        Panel(
            "charter_resign",
            "members/space/_charter_banner.html",
            lambda member: {"charter_due": services.signature_due(member)},
            order=1,
        ),
    )
    register_demo_loader(app, "members", "members.demo:load")
    # Ressources et expertise / Veille (linked from the team page: the menu is
    # full at 1280 px), on the public verification page when the member chooses.
    register_panel(
        app,
        "public_member",
        Panel(
            "members.expertise",
            "members/public/_expertise.html",
            expertise.public_panel,
            order=40,
        ),
    )
