"""Google Ads UI reports (Download › .csv, .xlsx, or re-saved by French Excel).

Line 1 is the report title, line 2 the date range (``"March 1, 2024 - March 31,
2024"`` or ``All time``), line 3 the header (columns chosen by the user, so they
are mapped by name). ``Total: …`` rows close the file; in keyword reports the
label sits in the third column. The cost per click is always Σ cost / Σ clicks:
the ``Avg. CPC`` column is never averaged.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import RowError, is_blank, mismatch_warning, number_cell
from kpi.importers.dates import parse_text_range
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, find_column, header_index, reject
from kpi.kinds import IndicatorKind

LABELS = {
    "google_ads_campaigns": _l("Google Ads — Rapport sur les campagnes"),
    "google_ads_keywords": _l("Google Ads — Rapport sur les mots clés"),
}

_CLICKS = ("Clicks", "Clics")
_COST = ("Cost", "Coût", "Cout")
_IMPRESSIONS = ("Impr.", "Impressions")
_CURRENCY = ("Currency code", "Code de la devise", "Devise")
_KEYWORD = ("Keyword", "Search keyword", "Mot clé", "Mot clé de recherche")
_ACCOUNT_TOTALS = ("total: account", "total : compte", "total: compte")


def _delimiter(line: str) -> str:
    return max((";", ",", "\t"), key=line.count)


def _first_rows(doc: Document) -> list[Record]:
    head = doc.head(3)
    if len(head) < 3:
        return []
    delimiter = _delimiter(head[2])
    rows = [
        item
        for item in doc.records(delimiter, start=1, stop=3)
        if isinstance(item, Record)
    ]
    return rows if len(rows) == 3 else []


def detect(doc: Document) -> str | None:
    """The Google Ads format id of ``doc``, or None."""
    rows = _first_rows(doc)
    if not rows:
        return None
    title, header = rows[0].get(0).strip().casefold(), rows[2].cells
    columns = header_index(header)
    if not title or not (title.endswith("report") or title.startswith("rapport")):
        return None
    if find_column(columns, *_CLICKS) is None or find_column(columns, *_COST) is None:
        return None
    if find_column(columns, *_KEYWORD) is not None:
        return "google_ads_keywords"
    return "google_ads_campaigns"


def _is_total(record: Record) -> str | None:
    for cell in record.cells[:3]:
        text = cell.strip()
        if text.casefold().startswith("total"):
            return text.casefold()
    return None


def _decimal_separator(rows: list[Record], cost_at: int) -> str:
    for record in rows:
        text = record.get(cost_at)
        if "," in text and "." not in text:
            return ","
        if "." in text:
            return "."
    return "."


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Google Ads report."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    first = _first_rows(doc)
    header = first[2].cells
    delimiter = _delimiter(doc.head(3)[2])
    columns = header_index(header)
    clicks_at = find_column(columns, *_CLICKS)
    cost_at = find_column(columns, *_COST)
    impressions_at = find_column(columns, *_IMPRESSIONS)
    currency_at = find_column(columns, *_CURRENCY)
    assert clicks_at is not None and cost_at is not None  # checked by detect()
    stated = parse_text_range(first[1].get(0)) or period
    if stated is None and first[1].get(0).strip():
        export.warnings.append(
            str(_l("Période « %(text)s » non reconnue.", text=first[1].get(0).strip()))
        )
    anchor, granularity = single_period(stated, export.warnings)
    export.period = stated
    rows: list[Record] = []
    totals: dict[str, Record] = {}
    start = first[2].line + 1
    for item in doc.records(delimiter, start=start):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
        elif (label := _is_total(item)) is not None:
            totals[label] = item
        else:
            rows.append(item)
    decimal = _decimal_separator([*rows, *totals.values()], cost_at)
    currencies = {row.get(currency_at).strip() for row in rows} - {""}
    unit = currencies.pop() if len(currencies) == 1 else ""
    if len(currencies) > 0:
        export.warnings.append(str(_l("Le fichier mélange plusieurs devises.")))
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
    for record in rows:
        try:
            n_clicks = number_cell(
                record.get(clicks_at),
                line=record.line,
                column=header[clicks_at],
                decimal=decimal,
            )
            amount = number_cell(
                record.get(cost_at),
                line=record.line,
                column=header[cost_at],
                decimal=decimal,
            )
            shown = None
            if impressions_at is not None and not is_blank(record.get(impressions_at)):
                shown = number_cell(
                    record.get(impressions_at),
                    line=record.line,
                    column=header[impressions_at],
                    decimal=decimal,
                )
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        clicks.add(anchor, n_clicks, record.line)
        cost.add(anchor, amount, record.line)
        cpc.add_ratio(anchor, amount, n_clicks, record.line)
        if shown is not None:
            impressions.add(anchor, shown, record.line)
    account = next((totals[name] for name in _ACCOUNT_TOTALS if name in totals), None)
    if account is not None and not export.rejected:
        for builder, position in ((clicks, clicks_at), (cost, cost_at)):
            _cross_check(account, position, builder, decimal, export.warnings)
    return finish_export(
        export, [clicks, cost, impressions, cpc], stated_period=stated, single=True
    )


def _cross_check(
    totals: Record,
    position: int,
    builder: SeriesBuilder,
    decimal: str,
    warnings: list[str],
) -> None:
    try:
        total = number_cell(
            totals.get(position), line=totals.line, column="", decimal=decimal
        )
    except RowError:
        return
    computed = builder.total() if len(builder) else Decimal(0)
    if total != computed:
        warnings.append(mismatch_warning(builder.label, total, computed))
