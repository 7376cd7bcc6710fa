"""Command-line entry points of the frame: the scheduler and the demo data."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core import scheduler

DemoLoader = Callable[[str], str]

scheduler_cli = AppGroup(
    "scheduler", help="The job process (e-mails, campaigns, reminders)."
)
demo_cli = AppGroup("demo", help="Demonstration data.")


def register_demo_loader(app: Flask, name: str, loader: DemoLoader) -> None:
    """``loader(scale)`` adds a feature's demo data idempotently and says what it did."""
    loaders: dict[str, DemoLoader] = app.extensions.setdefault("qualicharte.demo", {})
    loaders[name] = loader


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


def register_commands(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(demo_cli)
