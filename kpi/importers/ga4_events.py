"""GA4 events (report, exploration or snapshot table): one series per event,
and the Σ of the events that count clicks on visual content."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from kpi.importers.base import ParsedExport
from kpi.importers.cells import RowError
from kpi.importers.ga4_layout import Block, block_records, canonical, metric, row_date
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import find_column, header_index, reject
from kpi.kinds import IndicatorKind

#: Custom events that count clicks on visual content (``click`` is outbound links).
VISUAL_EVENTS = frozenset({"image_click", "gallery_zoom"})


def parse_events(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
    *,
    only_visual: bool = False,
) -> ParsedExport:
    """One series per event of ``block`` (only the visual ones with
    ``only_visual``), and their Σ first when several visual events are found."""
    columns = header_index(canonical(block.header))
    name_column = find_column(columns, "Event name")
    count_column = find_column(columns, "Event count")
    date_column = find_column(columns, "Date")
    anchor, granularity = single_period(stated, export.warnings)
    if date_column is not None:
        granularity = "day"
    builders: dict[str, SeriesBuilder] = {}
    if name_column is None or count_column is None:
        return finish_export(export, [], stated_period=stated, single=True)
    visual = SeriesBuilder(
        "visual_clicks",
        str(
            _l(
                "Clics sur les visuels (Σ %(events)s)",
                events=" + ".join(sorted(VISUAL_EVENTS)),
            )
        ),
        IndicatorKind.CLICKS,
        "",
        granularity,
    )
    for record in block_records(doc, block, export.rejected)[0]:
        name = record.get(name_column).strip()
        if only_visual and name not in VISUAL_EVENTS:
            continue
        try:
            when = row_date(record, date_column, anchor)
            count = metric(record, count_column, block.header)
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        if name not in builders:
            kind: IndicatorKind = (
                IndicatorKind.CLICKS if name in VISUAL_EVENTS else IndicatorKind.CUSTOM
            )
            builders[name] = SeriesBuilder(
                f"event:{name}",
                str(_l("Événement « %(name)s »", name=name)),
                kind,
                "",
                granularity,
            )
        builders[name].add(when, count, record.line)
        if name in VISUAL_EVENTS:
            visual.add(when, count, record.line)
    found = [name for name in builders if name in VISUAL_EVENTS]
    # The sum of the visual events comes first, so that a clicks indicator gets
    # all of them by default; each event stays available on its own.
    ordered = ([visual] if len(found) > 1 else []) + list(builders.values())
    return finish_export(
        export,
        ordered,
        stated_period=stated,
        single=date_column is None,
    )
