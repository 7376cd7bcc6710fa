"""``flask kpi inspect FILE`` and ``flask kpi import FILE --indicator ID``.

Both exit 0 on success, and 1 with a one-line reason when the file is refused.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from core.extensions import db
from kpi import services
from kpi.errors import ImportRefused, KpiError
from kpi.importers import ColumnMapping, ParsedExport, parse_export
from members.models import Project

kpi_cli = AppGroup("kpi", help="Efficiency indicators: inspect and import exports.")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _refuse(message: object, as_json: bool) -> None:
    text = " ".join(str(message).split())
    if as_json:
        click.echo(json.dumps({"ok": False, "error": text}, ensure_ascii=False))
    else:
        click.echo(f"refused: {text}", err=True)
    sys.exit(1)


def _read(path: str, as_json: bool) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        _refuse(f"cannot read {path}: {error.strerror}", as_json)
        raise AssertionError("unreachable") from error


def _mapping(
    date_column: str | None,
    columns: tuple[str, ...],
    date_format: str | None,
    decimal: str,
) -> ColumnMapping | None:
    if date_column is None:
        return None
    return ColumnMapping(
        date_column=date_column,
        value_columns=list(columns),
        date_format=date_format,
        decimal_separator=decimal,  # type: ignore[arg-type]
    )


def _export_json(export: ParsedExport) -> dict[str, Any]:
    return {
        "ok": True,
        "format": export.format,
        "format_label": str(export.format_label),
        "period": [_plain(d) for d in export.period] if export.period else None,
        "series": [
            {
                "key": s.key,
                "label": s.label,
                "kind": s.suggested_kind,
                "unit": s.unit,
                "granularity": s.granularity,
                "is_ratio": s.is_ratio,
                "points": [
                    {
                        "period_start": p.period_start.isoformat(),
                        "value": _plain(p.value),
                        **(
                            {
                                "numerator": _plain(p.numerator),
                                "denominator": _plain(p.denominator),
                            }
                            if s.is_ratio
                            else {}
                        ),
                        "lines": list(p.lines),
                    }
                    for p in s.points
                ],
            }
            for s in export.series
        ],
        "rejected": [
            {"line": r.line, "reason": str(r.reason), "raw": r.raw}
            for r in export.rejected
        ],
        "warnings": [str(w) for w in export.warnings],
    }


@kpi_cli.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--date-column", help="Unknown layout: the column of dates.")
@click.option(
    "--column", "columns", multiple=True, help="Unknown layout: value column."
)
@click.option(
    "--date-format", help="strftime pattern of the dates (default: detected)."
)
@click.option(
    "--decimal", type=click.Choice([",", "."]), default=",", show_default=True
)
def inspect(
    file: str,
    as_json: bool,
    date_column: str | None,
    columns: tuple[str, ...],
    date_format: str | None,
    decimal: str,
) -> None:
    """Print the detected format, the series and the rejected rows (stores nothing)."""
    data = _read(file, as_json)
    try:
        export = parse_export(
            data,
            Path(file).name,
            mapping=_mapping(date_column, columns, date_format, decimal),
        )
    except (ImportRefused, KpiError) as refusal:
        _refuse(refusal, as_json)
        return
    except Exception as error:  # the CLI view never shows a traceback
        _refuse(
            f"this file could not be read ({type(error).__name__}: {error}); "
            "please report it with the file",
            as_json,
        )
        return
    if as_json:
        click.echo(json.dumps(_export_json(export), ensure_ascii=False))
        return
    period = f"{export.period[0]} → {export.period[1]}" if export.period else "—"
    click.echo(f"format: {export.format} ({export.format_label})")
    click.echo(f"period: {period}")
    for series in export.series:
        total = sum((p.value or Decimal(0) for p in series.points), Decimal(0))
        click.echo(
            f"series {series.key}: {series.label} [{series.suggested_kind}, "
            f"{series.granularity}{', ratio' if series.is_ratio else ''}] "
            f"{len(series.points)} value(s)"
            + ("" if series.is_ratio else f", total {total}")
        )
        for point in series.points:
            extra = (
                f" ({point.numerator} / {point.denominator})" if series.is_ratio else ""
            )
            click.echo(f"  {point.period_start.isoformat()}  {point.value}{extra}")
    for rejected in export.rejected:
        click.echo(f"rejected line {rejected.line}: {rejected.reason}")
    for warning in export.warnings:
        click.echo(f"warning: {warning}")


def _choose_series(export: ParsedExport, indicator: Any, column: str | None) -> str:
    if column is not None:
        for series in export.series:
            if column in (series.key, series.label):
                return series.key
        keys = ", ".join(s.key for s in export.series) or "—"
        raise KpiError(f"no series named {column!r} in this file (series: {keys})")
    proposal = services.propose_targets(export, [indicator])
    for key, indicator_id in proposal.items():
        if indicator_id == indicator.id:
            return key
    compatible = [s.key for s in export.series if s.is_ratio == indicator.is_ratio]
    if len(compatible) == 1:
        return compatible[0]
    raise KpiError(
        "choose the series with --column (series: "
        + (", ".join(s.key for s in export.series) or "—")
        + ")"
    )


@kpi_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--indicator", "indicator_id", type=int, required=True)
@click.option("--column", help="Series key or label (or value column of a mapping).")
@click.option("--date-column", help="Unknown layout: the column of dates.")
@click.option(
    "--date-format", help="strftime pattern of the dates (default: detected)."
)
@click.option(
    "--decimal", type=click.Choice([",", "."]), default=",", show_default=True
)
@click.option("--dry-run", is_flag=True, help="Show the counts, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def import_file(
    file: str,
    indicator_id: int,
    column: str | None,
    date_column: str | None,
    date_format: str | None,
    decimal: str,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import a file into one indicator and print the counts."""
    from kpi.models import Indicator

    data = _read(file, as_json)
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        _refuse(f"no indicator {indicator_id}", as_json)
        return
    project = db.session.get(Project, indicator.project_id)
    assert project is not None
    columns = (column,) if column and date_column else ()
    try:
        export = parse_export(
            data,
            Path(file).name,
            mapping=_mapping(date_column, columns, date_format, decimal),
        )
        key = _choose_series(export, indicator, column)
        batch, preview = services.store_import(
            None,
            project,
            export,
            {key: indicator.id},
            file_name=Path(file).name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            dry_run=dry_run,
        )
    except KpiError as error:
        db.session.rollback()
        _refuse(error, as_json)
        return
    counts = preview.counts
    warnings = [str(w) for w in preview.warnings] + [
        w for t in preview.targets for w in t.warnings
    ]
    result: dict[str, Any] = {
        "ok": True,
        "dry_run": dry_run,
        "import_id": batch.id if batch else None,
        "format": export.format,
        "series": key,
        "indicator_id": indicator.id,
        **counts,
        "warnings": warnings,
        "rejected": [
            {"line": r.line, "reason": str(r.reason)} for r in preview.rejected
        ],
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    prefix = "dry run: would store" if dry_run else "stored"
    click.echo(
        f"{prefix} {counts['new']} new, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged, {counts['rejected']} rejected "
        f"({export.format}, series {key} → indicator {indicator.id})"
    )
    for rejected in preview.rejected:
        click.echo(f"rejected line {rejected.line}: {rejected.reason}")
    for warning in warnings:
        click.echo(f"warning: {warning}")
