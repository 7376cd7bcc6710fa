"""Microsoft Advertising reports (Reporting API ``Format=Csv``, or UI download).

A quoted metadata preamble (``"Report Time: 3/1/2024, 3/31/2024"``, ``"Rows: 60"``),
a blank line, the header, every cell quoted, a blank line and a copyright footer.
Rows exist only for days with data; several campaigns share a day and are summed.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.dates import parse_date
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity, period_start_for

LABELS = {"microsoft_ads": _l("Microsoft Advertising — Rapport de performances")}

_META_RE = re.compile(r'^"?([A-Za-z ]+):(.*?)"?$')
_AGGREGATIONS: dict[str, Granularity] = {
    "daily": "day",
    "hourly": "day",
    "weekly": "week",
    "weeklystartingmonday": "week",
    "monthly": "month",
}


def _metadata(doc: Document) -> tuple[dict[str, str], int]:
    """Preamble ``key: value`` pairs and the 1-based line of the header."""
    meta: dict[str, str] = {}
    for number, line in enumerate(doc.head(40), start=1):
        text = line.strip()
        if not text:
            continue
        match = _META_RE.match(text)
        if match is None or "," in match.group(1):
            return meta, number
        meta[match.group(1).strip().casefold()] = match.group(2).strip()
    return meta, 0


def detect(doc: Document) -> str | None:
    """``microsoft_ads`` or None."""
    head = doc.head(1)
    if not head or not head[0].lstrip('"').startswith("Report Name:"):
        return None
    _, header_line = _metadata(doc)
    return "microsoft_ads" if header_line else None


def _parse_time(text: str, line: int) -> date:
    value = text.split("|", 1)[0].strip()
    try:
        return parse_date(
            value, ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%Y %I:%M:%S %p", "%Y-%m")
        )
    except ValueError:
        raise date_error(line, text) from None


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Microsoft Advertising performance report."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    meta, header_line = _metadata(doc)
    stated = _report_time(meta.get("report time", "")) or period
    export.period = stated
    granularity = _AGGREGATIONS.get(
        meta.get("report aggregation", "").replace(" ", "").casefold(), "day"
    )
    header: list[str] = []
    rows: list[Record] = []
    for item in doc.records(",", start=header_line):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
        elif not header:
            header = item.cells
        elif len(item.cells) == 1 and item.get(0).strip().startswith(("©", "@")):
            continue
        else:
            rows.append(item)
    time_at = vocabulary.find_first(header, "date:time_period", "date:date")
    clicks_at = vocabulary.find(header, "metric:clicks")
    spend_at = vocabulary.find_first(header, "metric:ms_spend", "metric:spend")
    impressions_at = vocabulary.find(header, "metric:impressions")
    currency_at = vocabulary.find(header, "metric:currency")
    single = time_at is None
    anchor = date.min
    if single:
        anchor, granularity = single_period(stated, export.warnings)
    currencies = {row.get(currency_at).strip() for row in rows} - {""}
    unit = currencies.pop() if len(currencies) == 1 else ""
    clicks = SeriesBuilder(
        "clicks", str(_l("Clics (annonces)")), IndicatorKind.CUSTOM, "", granularity
    )
    cost = SeriesBuilder(
        "cost", str(_l("Coût")), IndicatorKind.CUSTOM, unit, granularity
    )
    impressions = SeriesBuilder(
        "impressions", "Impressions", IndicatorKind.CUSTOM, "", granularity
    )
    cpc = SeriesBuilder(
        "cpc",
        str(_l("Coût par clic")),
        IndicatorKind.COST_PER_CLICK,
        unit,
        granularity,
        ratio=True,
    )
    if clicks_at is None or spend_at is None:
        return finish_export(export, [], stated_period=stated, single=single)
    for record in rows:
        try:
            when = (
                anchor
                if time_at is None
                else period_start_for(
                    _parse_time(record.get(time_at), record.line), granularity
                )
            )
            n_clicks = number_cell(
                record.get(clicks_at),
                line=record.line,
                column=header[clicks_at],
                decimal=".",
            )
            spend = number_cell(
                record.get(spend_at),
                line=record.line,
                column=header[spend_at],
                decimal=".",
            )
            shown = (
                number_cell(
                    record.get(impressions_at),
                    line=record.line,
                    column=header[impressions_at],
                    decimal=".",
                )
                if impressions_at is not None
                else None
            )
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        clicks.add(when, n_clicks, record.line)
        cost.add(when, spend, record.line)
        cpc.add_ratio(when, spend, n_clicks, record.line)
        if shown is not None:
            impressions.add(when, shown, record.line)
    announced = meta.get("rows", "")
    if announced.isdigit() and int(announced) != len(rows):
        export.warnings.append(
            str(
                _l(
                    "Le rapport annonce %(expected)d lignes, %(found)d ont été lues.",
                    expected=int(announced),
                    found=len(rows),
                )
            )
        )
    return finish_export(
        export, [clicks, cost, impressions, cpc], stated_period=stated, single=single
    )


def _report_time(text: str) -> tuple[date, date] | None:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    try:
        days = [parse_date(part, ("%m/%d/%Y", "%Y-%m-%d")) for part in parts]
    except ValueError:
        return None
    if len(days) == 1:
        return days[0], days[0]
    if len(days) == 2 and days[0] <= days[1]:
        return days[0], days[1]
    return None
