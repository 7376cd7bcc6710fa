"""Command-line entry points of the frame: the scheduler, demo data, backups and
the migrations (``flask db``)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

from core import backup, scheduler
from core.database import utcnow
from core.extensions import db

DemoLoader = Callable[[str], str]

scheduler_cli = AppGroup(
    "scheduler", help="The job process (e-mails, campaigns, reminders)."
)
demo_cli = AppGroup("demo", help="Demonstration data.")
backup_cli = AppGroup(
    "backup", help="One archive with the database and every stored file."
)


def register_demo_loader(app: Flask, name: str, loader: DemoLoader | str) -> None:
    """``loader(scale)`` adds a feature's demo data idempotently and says what it did.

    ``loader`` may be named (``"package.demo:load"``): its module is imported
    when the demo is loaded, not when a web worker starts (issue 14)."""
    loaders: dict[str, DemoLoader] = app.extensions.setdefault("qualicharte.demo", {})
    loaders[name] = _imported_when_called(loader) if isinstance(loader, str) else loader


def _imported_when_called(target: str) -> DemoLoader:
    module, _, attribute = target.partition(":")

    def load(scale: str) -> str:
        found: DemoLoader = getattr(importlib.import_module(module), attribute)
        return found(scale)

    return load


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Run what is due once, then exit.")
def scheduler_run(once: bool) -> None:
    """Run the scheduler (one dedicated process)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        done = scheduler.run_once(app)
        click.echo(f"ran: {', '.join(done) or 'nothing'}")
        return
    scheduler.run_forever(app)  # pragma: no cover


@demo_cli.command("load")
@click.option(
    "--scale",
    type=click.Choice(["small", "large"]),
    default="small",
    show_default=True,
    help="small: a believable association; large: 1,000 members and 5 M "
    "measurements on top of it, to measure the dashboards at scale.",
)
def demo_load(scale: str) -> None:
    """Load demo data (idempotent: running it twice changes nothing)."""
    loaders: dict[str, DemoLoader] = current_app.extensions.get("qualicharte.demo", {})
    for name, loader in loaders.items():
        click.echo(f"{name}: {loader(scale)}")


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


@backup_cli.command("create")
@click.argument("path", type=click.Path(path_type=Path))
def backup_create(path: Path) -> None:
    """Write a backup to PATH (a .tar.gz file, or a folder to put it in)."""
    if path.is_dir():
        path = path / backup.archive_name(utcnow())
    started = time.monotonic()
    try:
        manifest = backup.create_archive(_app(), path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(manifest["tables"].values())
    click.echo(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB in "
        f"{time.monotonic() - started:.1f} s): {manifest['dialect']} database, "
        f"{rows} rows in {len(manifest['tables'])} tables, "
        f"{len(manifest['files'])} files"
    )


@backup_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_verify(path: Path) -> None:
    """Restore PATH into a scratch database and folder and compare (exit 1 if not)."""
    try:
        manifest, problems = backup.verify_archive(_app(), path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{path}: made {manifest['created_at']}, {manifest['dialect']}, revision "
        f"{manifest['alembic_revision']}; {len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values())} rows, {len(manifest['files'])} files"
    )
    for problem in problems:
        click.echo(f"DIFFERS: {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("OK: every row count and every file checksum match the manifest")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(path: Path) -> None:
    """Restore PATH onto this instance (refused unless it is empty)."""
    try:
        done, problems = backup.restore_archive(_app(), path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    for line in done:
        click.echo(f"restored {line}")
    for problem in problems:
        click.echo(f"DIFFERS: {problem}")
    if problems:
        raise SystemExit(1)


class MigrationCommands(click.Group):
    """``flask db …``: Flask-Migrate's own command group, loaded when it runs.

    Flask-Migrate imports alembic (about 10 MB and 0.1 s) that a web worker never
    uses, so the first ``flask db`` command binds it to the app, not ``create_app``;
    its options and commands are Flask-Migrate's, unchanged.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__("db", help="Database migrations (Flask-Migrate, alembic).")
        self.directory = directory

    def commands_for(self, ctx: click.Context | None) -> click.Group:
        """Flask-Migrate's ``db`` group, bound to the app of ``ctx``."""
        from flask_migrate import Migrate
        from flask_migrate.cli import db as commands

        # The app its commands will use: the current one, as ``with_appcontext``.
        if current_app:
            app = _app()
        else:
            app = (ctx.ensure_object(ScriptInfo) if ctx else ScriptInfo()).load_app()
        if "migrate" not in app.extensions:
            Migrate(render_as_batch=True).init_app(
                app, db, directory=str(self.directory)
            )
        group: click.Group = commands
        return group

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return self.commands_for(parent).make_context(
            info_name, args, parent=parent, **extra
        )

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.commands_for(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.commands_for(ctx).get_command(ctx, name)


def register_commands(app: Flask, *, migrations: Path) -> None:
    app.cli.add_command(MigrationCommands(migrations))
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_cli)
