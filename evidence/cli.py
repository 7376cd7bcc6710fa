"""``flask evidence pack``: a member's evidence pack from the command line, the
same ZIP as the pages give."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from core.dates import local_today
from evidence import services

evidence_cli = AppGroup(
    "evidence", help="Evidence packs (members' proofs of the charter)."
)


def _writable(path: Path) -> None:
    """:raises click.ClickException: a path the pack cannot be written to."""
    if path.exists() and path.is_dir():
        raise click.ClickException(
            f"{path} is a directory: give a file name ending in .zip"
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise click.ClickException(
            f"cannot write {path}: the directory {parent} does not exist"
        )


@evidence_cli.command("pack")
@click.option("--member", "member_id", required=True, type=int, help="The member's id.")
@click.option("--year", required=True, help="The year of the pack (2000 to this year).")
@click.option(
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="The ZIP file to write.",
)
@click.option(
    "--locale", type=click.Choice(["fr", "en"]), default="fr", show_default=True
)
def pack(member_id: int, year: str, output: Path, locale: str) -> None:
    """Write a member's evidence pack for a year to a ZIP file."""
    _writable(output)
    with force_locale(locale):
        try:
            chosen = services.parse_year(year, today=local_today())
        except services.EvidenceError as error:
            raise click.ClickException(str(error)) from error
        made = services.build_pack(None, member_id, chosen, today=local_today())
    if made is None:
        raise click.ClickException(f"no member with id {member_id}")
    try:
        output.write_bytes(made.body)
    except OSError as error:
        raise click.ClickException(
            f"cannot write {output}: {error.strerror or error}"
        ) from error
    if not made.has_pdf:
        click.echo(
            "warning: no PDF (Chromium unavailable or failed): the summary is in the ZIP as HTML",
            err=True,
        )
    click.echo(
        f"wrote {output} ({len(made.body)} bytes): evidence pack of {made.facts.member.name} for {chosen}"
    )
