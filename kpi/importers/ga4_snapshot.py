"""The GA4 Reports snapshot: several tables, each with its own range; daily users
and engagement, sessions by channel, visual events, and the tables not imported
named on the preview."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import QUANTUM, ParsedExport
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.ga4_events import parse_events
from kpi.importers.ga4_layout import Block, block_records, canonical
from kpi.importers.series import (
    SeriesBuilder,
    drop_unstorable,
    finish_export,
    single_period,
)
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind


def parse_snapshot(
    doc: Document, blocks: list[Block], export: ParsedExport
) -> ParsedExport:
    """Parse the tables of a Reports snapshot that feed indicators."""
    stated = blocks[0].period if blocks else None
    export.period = stated
    daily: dict[str, SeriesBuilder] = {
        "metric:active_users": SeriesBuilder(
            "active_users", _l("Utilisateurs actifs"), IndicatorKind.AUDIENCE, "", "day"
        ),
        # "Users" in the 2023 snapshot ("Report CSV Export").
        "metric:users": SeriesBuilder(
            "users", _l("Utilisateurs"), IndicatorKind.AUDIENCE, "", "day"
        ),
        "metric:new_users": SeriesBuilder(
            "new_users", _l("Nouveaux utilisateurs"), IndicatorKind.AUDIENCE, "", "day"
        ),
    }
    #: The users of each day, the weights of the daily average engagement time
    #: (active users, or the 2023 snapshot's users).
    users_by_day: dict[date, tuple[Decimal, int]] = {}
    engagement_rows: list[tuple[date, Decimal, Record]] = []
    builders: list[SeriesBuilder] = []
    sessions = SeriesBuilder(
        "sessions", "Sessions", IndicatorKind.AUDIENCE, "", "month"
    )
    used: set[int] = set()
    sessions_period: tuple[date, date] | None = None
    for block in blocks:
        names = [name.strip().casefold() for name in canonical(block.header)]
        if len(names) != 2 or block.period is None:
            continue
        measure = vocabulary.concept_of(block.header[1], _DAILY)
        if vocabulary.is_word(block.header[0], "date:nth_day") and measure:
            used.add(block.header_line)
            for record in block_records(doc, block, export.rejected)[0]:
                try:
                    day = nth_day(record, block.period[0])
                    value = number_cell(
                        record.get(1),
                        line=record.line,
                        column=block.header[1],
                        decimal=".",
                        quantize=measure in _ENGAGEMENT,
                    )
                except RowError as error:
                    reject(export.rejected, record, error)
                    continue
                if measure in _ENGAGEMENT:
                    engagement_rows.append((day, value, record))
                    continue
                daily[measure].add(day, value, record.line)
                if measure == "metric:active_users" or (
                    measure == "metric:users" and day not in users_by_day
                ):
                    users_by_day[day] = (value, record.line)
        elif _is_channel_group(block.header[0]) and vocabulary.is_word(
            block.header[1], "metric:sessions"
        ):
            used.add(block.header_line)
            sessions_period = block.period
            anchor, granularity = single_period(block.period, export.warnings)
            sessions.granularity = granularity
            for record in block_records(doc, block, export.rejected)[0]:
                try:
                    value = number_cell(
                        record.get(1),
                        line=record.line,
                        column=block.header[1],
                        decimal=".",
                    )
                except RowError as error:
                    reject(export.rejected, record, error)
                    continue
                sessions.add(anchor, value, record.line)
    builders.extend(daily.values())
    builders.extend(drop_unstorable([sessions], sessions_period, export.warnings))
    engagement = SeriesBuilder(
        "engagement_time",
        str(_l("Temps d'engagement moyen")),
        IndicatorKind.READING_TIME,
        "s",
        "day",
        ratio=True,
    )
    for day, average, record in engagement_rows:
        if day not in users_by_day:
            export.warnings.append(
                str(
                    _l(
                        "Ligne %(line)d : pas d'utilisateurs actifs pour ce jour, "
                        "temps d'engagement ignoré.",
                        line=record.line,
                    )
                )
            )
            continue
        users, users_line = users_by_day[day]
        total = (average * users).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        engagement.add_ratio(day, total, users, (record.line, users_line))
    builders.append(engagement)
    events = [
        block
        for block in blocks
        if [name.strip().casefold() for name in canonical(block.header)]
        == ["event name", "event count"]
    ]
    result = finish_export(export, builders, stated_period=stated, single=False)
    if events:
        used.add(events[0].header_line)
        visual = parse_events(
            doc,
            events[0],
            ParsedExport(format="", format_label=""),
            events[0].period,
            only_visual=True,
        )
        result.series.extend(visual.series)
        result.rejected.extend(visual.rejected)
    name_unused(blocks, used, result)
    return result


#: The daily tables of a snapshot (``Nth day`` and one measure).
_ENGAGEMENT = ("metric:engagement_per_active_user", "metric:engagement_time")
_DAILY = ("metric:active_users", "metric:users", "metric:new_users", *_ENGAGEMENT)


def _is_channel_group(name: str) -> bool:
    return vocabulary.is_word(name, "dim:session_channel_group") or (
        name.strip().casefold().startswith("session primary channel group")
    )


def is_snapshot(blocks: list[Block]) -> bool:
    """Several daily tables (``Nth day`` first): a reports snapshot, whatever its
    title (``Reports snapshot``, ``Report CSV Export``, translated)."""
    return (
        sum(
            1 for block in blocks if vocabulary.is_word(block.header[0], "date:nth_day")
        )
        >= 2
    )


def name_unused(blocks: list[Block], used: set[int], export: ParsedExport) -> None:
    """Say which tables of a snapshot were not imported (those with rows)."""
    unused = [
        "« " + " / ".join(cell.strip() for cell in block.header) + " »"
        for block in blocks
        if block.header_line not in used and block.last >= block.first
    ]
    if unused:
        export.warnings.append(
            str(
                _l(
                    "%(used)d tableau(x) du fichier lu(s) ; non importés : %(unused)s.",
                    used=len(used),
                    unused=", ".join(unused),
                )
            )
        )


def nth_day(record: Record, start: date) -> date:
    """The day of an ``Nth day`` row (``0000`` is the range's first day)."""
    text = record.get(0).strip()
    if not text.isdigit() or len(text) > 5:
        raise date_error(record.line, text)
    return start + timedelta(days=int(text))
