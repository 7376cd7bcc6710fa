"""Members, users and roles, clients and contacts, projects, charter signature and
mark status, sign-in, the public registry and badge."""

from __future__ import annotations

from flask import Flask

from core.cli import register_demo_loader
from core.extensions import login_manager


def init_app(app: Flask) -> None:
    from members import cli, demo, services
    from members.views import bp

    app.register_blueprint(bp)

    @login_manager.user_loader
    def load_user(user_id: str) -> object | None:
        if not user_id.isdigit():
            return None
        user = services.get_user(int(user_id))
        return user if user is not None and user.is_active else None

    app.cli.add_command(cli.users_cli)
    register_demo_loader(app, "members", demo.load)
