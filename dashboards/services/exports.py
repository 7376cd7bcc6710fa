"""Exports of the dashboards' tables: the rows in the reader's words, and an audit
entry for every file that leaves with clients' or members' data (issue 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from core import audit
from core.audit import Actor
from core.exports import Table
from core.extensions import db
from dashboards import exports
from dashboards.queries import member as member_queries
from dashboards.queries.common import Filters
from dashboards.services.board import board_table
from dashboards.services.member import answer_rows, measurement_rows, member_table
from kpi.models import KIND_DEFAULTS, Indicator

ACTION = "dashboards.exported"


def _record(
    actor: Actor,
    *,
    fmt: str,
    what: str,
    filters: Filters,
    member_id: int | None,
    object_type: str,
    object_id: int | None = None,
    **detail: str,
) -> None:
    audit.record(
        actor,
        ACTION,
        object_type=object_type,
        object_id=object_id,
        member_id=member_id,
        detail={
            "export": what,
            "format": fmt,
            "since": filters.since.isoformat(),
            "until": filters.until.isoformat(),
            **{k: v for k, v in detail.items() if v},
        },
    )
    db.session.commit()


def export_board_table(
    actor: Actor, filters: Filters, name: str, *, fmt: str, today: date
) -> Table:
    """One table of the quality review as a file's rows; the export is logged."""
    rows = exports.records_of(board_table(filters, name, today=today))
    result = exports.table(name, rows, exports.BOARD_TABLES[name])
    _record(
        actor,
        fmt=fmt,
        what=name,
        filters=filters,
        member_id=None,
        object_type="board_review",
        department=filters.department or "",
        service_type=filters.service_type or "",
    )
    return result


def export_member_table(
    actor: Actor, member_id: int, filters: Filters, name: str, *, fmt: str
) -> Table:
    """One table of a member's dashboard as a file's rows (projects named)."""
    rows = exports.records_of(member_table(member_id, filters, name))
    if name == "response_rates":
        titles = member_queries.project_titles(member_id)
        rows = [{**row, "project": titles.get(row["project_id"])} for row in rows]
    result = exports.table(name, rows, exports.MEMBER_TABLES[name])
    _record(
        actor,
        fmt=fmt,
        what=name,
        filters=filters,
        member_id=member_id,
        object_type="member_dashboard",
    )
    return result


def _component_columns(indicator: Indicator) -> list[exports.Column]:
    """The measurement columns, ratio components under the indicator's own names."""
    defaults = KIND_DEFAULTS.get(indicator.kind)
    names = {
        "numerator": indicator.numerator_label
        or (defaults.numerator_label if defaults else None),
        "denominator": indicator.denominator_label
        or (defaults.denominator_label if defaults else None),
    }
    columns = []
    for column in exports.MEASUREMENTS:
        if column.key in names:
            if not indicator.is_ratio:
                continue
            column = replace(column, header=names[column.key] or column.header)
        columns.append(column)
    return columns


def export_measurements(
    actor: Actor, indicator: Indicator, filters: Filters, *, fmt: str
) -> Table:
    """The measurements behind an indicator (the member's own) as a file's rows."""
    project = member_queries.get_project(indicator.member_id, indicator.project_id)
    title = project.title if project is not None else ""
    rows: list[dict[str, Any]] = [
        {**row, "project": title, "indicator": indicator.name}
        for row in measurement_rows(indicator.member_id, indicator.id, filters)
    ]
    result = exports.table(
        f"measurements-{indicator.id}", rows, _component_columns(indicator)
    )
    _record(
        actor,
        fmt=fmt,
        what="measurements",
        filters=filters,
        member_id=indicator.member_id,
        object_type="indicator",
        object_id=indicator.id,
        project=title,
        indicator=indicator.name,
    )
    return result


def export_answers(
    actor: Actor,
    member_id: int,
    filters: Filters,
    *,
    metric: str,
    commitment: str | None,
    fmt: str,
) -> Table:
    """The answers behind a score as a file's rows (never a contact's identity).

    :raises ValueError, LookupError: an unknown metric or commitment.
    """
    rows = answer_rows(
        filters.for_member(member_id), metric=metric, commitment=commitment
    )
    result = exports.table(f"answers-{metric}", rows, exports.ANSWERS)
    _record(
        actor,
        fmt=fmt,
        what="answers",
        filters=filters,
        member_id=member_id,
        object_type="answers",
        metric=metric,
        commitment=commitment or "",
    )
    return result
