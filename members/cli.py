"""``flask users create``: the first accounts of a production install."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.security import Role
from members import services
from members.errors import MembersError

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    type=click.Choice([Role.BOARD.value, Role.SECRETARIAT.value]),
    required=True,
    help="Association accounts; member staff are invited from the app.",
)
@click.option("--name", "full_name", default="")
@click.option(
    "--locale", type=click.Choice(["fr", "en"]), default="fr", show_default=True
)
@click.password_option()
def create(email: str, role: str, full_name: str, locale: str, password: str) -> None:
    """Create a board or secretariat account."""
    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    try:
        user = services.create_user(
            email=email,
            role=Role(role),
            password=password,
            full_name=full_name,
            locale=locale,
        )
    except MembersError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.role.value} account {user.email} (id {user.id})")
