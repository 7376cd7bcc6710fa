"""Meta Ads Manager › Reports › Export (CSV or XLSX), in any UI language.

One row per campaign (ad set, ad, or breakdown such as age), a BOM, the amount
spent in the account currency (``Amount spent (EUR)``, ``Montant dépensé (EUR)``),
``Link clicks``, and the period in ``Reporting starts`` / ``Reporting ends``. The
first row with an empty name is the account summary: it is the truth (reach is
de-duplicated there; the rows of a breakdown may not add up). A daily breakdown
(starts = ends on every row) gives daily values.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport
from kpi.importers.cells import RowError, date_error, mismatch_warning
from kpi.importers.dates import parse_date
from kpi.importers.flat import Metric, data_records, find_header
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

LABELS = {"meta_ads": _l("Meta Ads Manager — Campagnes")}

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y")


def _accept(cells: list[str]) -> bool:
    return vocabulary.find(cells, "metric:spend") is not None and (
        vocabulary.find(cells, "date:reporting_start") is not None
        or vocabulary.find(cells, "metric:link_clicks") is not None
    )


def detect(doc: Document) -> str | None:
    """``meta_ads`` or None: an amount spent, and link clicks or reporting dates."""
    return "meta_ads" if find_header(doc, _accept, limit=3) is not None else None


def _day(text: str, line: int) -> date:
    try:
        return parse_date(text, _DATE_FORMATS)
    except ValueError:
        raise date_error(line, text) from None


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Meta Ads Manager export."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    found = find_header(doc, _accept, limit=3)
    assert found is not None  # checked by detect()
    header_line, header = found
    rows = data_records(doc, header_line, export.rejected)
    spend_at = vocabulary.find(header, "metric:spend")
    clicks_at = vocabulary.find(header, "metric:link_clicks")
    starts_at = vocabulary.find(header, "date:reporting_start")
    ends_at = vocabulary.find(header, "date:reporting_end")
    assert spend_at is not None
    unit = vocabulary.currency_of(header[spend_at]) or ""
    summary = next((row for row in rows if not row.get(0).strip()), None)
    details = [row for row in rows if row is not summary]
    daily = (
        starts_at is not None
        and ends_at is not None
        and bool(details)
        and all(row.get(starts_at) == row.get(ends_at) for row in details)
        and len({row.get(starts_at) for row in details}) > 1
    )
    stated = _stated_period(summary or (rows[0] if rows else None), starts_at, ends_at)
    stated = stated or period
    anchor: date = date.min
    granularity: Granularity = "day"
    if not daily:
        anchor, granularity = single_period(stated, export.warnings)
    spend = SeriesBuilder(
        "spend", _l("Montant dépensé"), IndicatorKind.CUSTOM, unit, granularity
    )
    clicks = SeriesBuilder(
        "link_clicks", _l("Clics sur un lien"), IndicatorKind.CLICKS, "", granularity
    )
    cpc = SeriesBuilder(
        "cpc",
        _l("Coût par clic (lien)"),
        IndicatorKind.COST_PER_CLICK,
        unit,
        granularity,
        ratio=True,
    )
    spent = Metric(header, spend_at, rows)
    clicked = Metric(header, clicks_at, rows) if clicks_at is not None else None
    source = [summary] if summary is not None and not daily else details
    for row in source:
        try:
            day = _day(row.get(starts_at or 0), row.line) if daily else anchor
            amount = spent.value(row)
            n_clicks = clicked.value(row) if clicked is not None else None
        except RowError as error:
            reject(export.rejected, row, error)
            continue
        spend.add(day, amount, row.line)
        if n_clicks is not None:
            clicks.add(day, n_clicks, row.line)
            cpc.add_ratio(day, amount, n_clicks, row.line)
    if summary is not None and not daily:
        _check_rows(details, spent, spend, export)
    if daily:
        stated = None
    return finish_export(
        export, [spend, clicks, cpc], stated_period=stated, single=not daily
    )


def _stated_period(
    row: Record | None, starts_at: int | None, ends_at: int | None
) -> tuple[date, date] | None:
    if row is None or starts_at is None or ends_at is None:
        return None
    try:
        start, end = (
            _day(row.get(starts_at), row.line),
            _day(row.get(ends_at), row.line),
        )
    except RowError:
        return None
    return (start, end) if start <= end else None


def _check_rows(
    details: list[Record], spent: Metric, spend: SeriesBuilder, export: ParsedExport
) -> None:
    """Say so when the rows' spend is more than 0.5 % away from the summary's
    (the rows carry unrounded amounts: cents of difference are normal)."""
    if not details:
        return
    try:
        computed = sum((spent.value(row) for row in details), Decimal(0))
    except RowError:
        return
    if abs(computed - spend.total()) > abs(spend.total()) / 200:
        export.warnings.append(mismatch_warning(spend.label, spend.total(), computed))
