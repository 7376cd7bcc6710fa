"""Google Ads UI reports of any kind (campaigns, ad groups, keywords, search
terms…), downloaded as .csv, "Excel .csv" (UTF-16LE, tabs), .xlsx, or re-saved
by French Excel.

Line 1 is the report title, then the date range (``"March 1, 2024 - March 31,
2024"``, ``All time``, or in the title of old AdWords reports), then the header
(columns chosen by the user, so they are mapped by name). ``Total: …`` rows close
the file; their label sits in the first or the third column. The account total
(``Total: Account``, ``Total : compte``; ``Total: Campaign`` in a report filtered
on one campaign) is the truth when the rows do not add up to it: search terms
reports list only part of the clicks. The cost per click is always Σ cost /
Σ clicks: the ``Avg. CPC`` column is never averaged.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import (
    RowError,
    date_error,
    fmt_decimal,
    is_blank,
    mismatch_warning,
    number_cell,
)
from kpi.importers.dates import (
    month_number,
    parse_date,
    parse_text_date,
    parse_text_range,
)
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import (
    Record,
    normalise_name,
    reject,
)
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity, period_start_for

LABELS = {
    "google_ads_campaigns": _l("Google Ads — Rapport sur les campagnes"),
    "google_ads_keywords": _l("Google Ads — Rapport sur les mots clés"),
    "google_ads_search_terms": _l("Google Ads — Rapport sur les termes de recherche"),
    "google_ads_ad_groups": _l("Google Ads — Rapport sur les groupes d'annonces"),
    "google_ads_report": _l("Google Ads — Rapport"),
}

_TITLE_WORDS = ("report", "rapport", "informe", "bericht", "rapporto", "relatório")
#: Totals rows that give the whole scope of the report, widest first.
_SCOPE_TOTALS = (
    ("total: account", "total : compte", "total: compte", "total: cuenta", "total"),
    ("total: campaign", "total : campagne", "total: campagne", "total: campaña"),
    ("total: ad group", "total : groupe d'annonces", "total: groupe d'annonces"),
)
_TITLE_DATE_RE = re.compile(r"\(([^()]*\d{4}[^()]*)\)\s*$")
#: A time segment added to the report (a vocabulary concept): one row per day,
#: week or month.
_SEGMENTS: tuple[tuple[str, Granularity], ...] = (
    ("date:date", "day"),
    ("date:week", "week"),
    ("date:month", "month"),
)
_MONTH_RE = re.compile(r"([^\W\d_]+)\.?\s+(\d{4})")


def _delimiter(line: str) -> str:
    return max((";", ",", "\t"), key=line.count)


def _head_rows(doc: Document) -> tuple[list[Record], str] | None:
    """The title row, the rows up to the header (included) and the delimiter."""
    head = doc.head(5)
    for position in range(1, min(len(head), 4)):
        delimiter = _delimiter(head[position])
        rows = [
            item
            for item in doc.records(delimiter, start=1, stop=position + 1)
            if isinstance(item, Record)
        ]
        if not rows:
            continue
        header = rows[-1].cells
        if (
            vocabulary.find(header, "metric:clicks") is not None
            and vocabulary.find(header, "metric:spend") is not None
        ):
            return rows, delimiter
    return None


def detect(doc: Document) -> str | None:
    """The Google Ads format id of ``doc``, or None."""
    found = _head_rows(doc)
    if found is None:
        return None
    rows, _ = found
    if len(rows) < 2:
        return None
    title = _TITLE_DATE_RE.sub("", rows[0].get(0)).strip().casefold()
    if not title or not any(word in title.split() for word in _TITLE_WORDS):
        return None
    header = rows[-1].cells
    if vocabulary.find(header, "dim:search_term") is not None:
        return "google_ads_search_terms"
    if vocabulary.find(header, "dim:keyword") is not None:
        return "google_ads_keywords"
    if vocabulary.find(header, "dim:ad_group") is not None:
        return "google_ads_ad_groups"
    if vocabulary.find(header, "dim:campaign") is not None or title.startswith(
        ("campaign", "rapport sur les campagnes")
    ):
        return "google_ads_campaigns"
    return "google_ads_report"


def _total_label(record: Record) -> str | None:
    for cell in record.cells[:3]:
        text = normalise_name(cell)
        if text.startswith("total"):
            return text
    return None


def _decimal_separator(rows: list[Record], cost_at: int) -> str:
    for record in rows:
        text = record.get(cost_at)
        if "," in text and "." not in text:
            return ","
        if "." in text:
            return "."
    return "."


def _stated_period(
    rows: list[Record], period: tuple[date, date] | None, export: ParsedExport
) -> tuple[date, date] | None:
    """The range of the date line (or of the title of old AdWords reports)."""
    texts = [row.get(0).strip() for row in rows[1:-1]]
    match = _TITLE_DATE_RE.search(rows[0].get(0))
    if match is not None:
        texts.append(match.group(1).strip())
    for text in texts:
        stated = parse_text_range(text)
        if stated is None:
            try:
                day = parse_text_date(text)
            except ValueError:
                continue
            stated = (day, day)
        return stated
    text = next((t for t in texts if t), "")
    if vocabulary.is_word(text, "date:all_time"):
        if period is None:
            export.warnings.append(
                str(
                    _l(
                        "Rapport « %(text)s » : il couvre toute la vie du compte, sans "
                        "dates. Indiquez la période qu'il couvre, ou exportez-le pour "
                        "un mois calendaire.",
                        text=text,
                    )
                )
            )
    elif text and period is None:
        export.warnings.append(str(_l("Période « %(text)s » non reconnue.", text=text)))
    return period


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Google Ads report."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    found = _head_rows(doc)
    assert found is not None  # checked by detect()
    first, delimiter = found
    header = first[-1].cells
    clicks_at = vocabulary.find(header, "metric:clicks")
    cost_at = vocabulary.find(header, "metric:spend")
    impressions_at = vocabulary.find(header, "metric:impressions")
    currency_at = vocabulary.find(header, "metric:currency")
    assert clicks_at is not None and cost_at is not None  # checked by detect()
    stated = _stated_period(first, period, export)
    anchor, granularity = single_period(stated, export.warnings)
    segment = _segment(header)
    if segment is not None:
        granularity = segment[1]
    export.period = stated
    rows: list[Record] = []
    totals: dict[str, Record] = {}
    for item in doc.records(delimiter, start=first[-1].line + 1):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
        elif (label := _total_label(item)) is not None:
            totals.setdefault(label, item)
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
            when = anchor if segment is None else _row_period(record, *segment)
            n_clicks = _number(record, clicks_at, header, decimal)
            amount = _number(record, cost_at, header, decimal)
            shown = None
            if impressions_at is not None and not is_blank(record.get(impressions_at)):
                shown = _number(record, impressions_at, header, decimal)
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        clicks.add(when, n_clicks, record.line)
        cost.add(when, amount, record.line)
        cpc.add_ratio(when, amount, n_clicks, record.line)
        if shown is not None:
            impressions.add(when, shown, record.line)
    scope = _scope_total(totals)
    if scope is not None and segment is not None and not export.rejected:
        # Rows per day, week or month: the total is checked, never spread.
        for builder, position in ((clicks, clicks_at), (cost, cost_at)):
            try:
                value = _number(scope, position, header, decimal)
            except RowError:
                continue
            if value != builder.total():
                export.warnings.append(
                    mismatch_warning(builder.label, value, builder.total())
                )
    elif scope is not None and not export.rejected:
        positions = {"clicks": clicks_at, "cost": cost_at}
        if impressions_at is not None:
            positions["impressions"] = impressions_at
        _apply_scope_total(
            scope, positions, (clicks, cost, impressions, cpc), anchor, decimal, export
        )
    return finish_export(
        export,
        [clicks, cost, impressions, cpc],
        stated_period=stated,
        single=segment is None,
    )


def _segment(header: list[str]) -> tuple[int, Granularity] | None:
    """The time segment column (``Day``, ``Week``, ``Month``) and its granularity."""
    for concept, granularity in _SEGMENTS:
        position = vocabulary.find(header, concept)
        if position is not None:
            return position, granularity
    return None


def _row_period(record: Record, position: int, granularity: Granularity) -> date:
    """The period a segmented row belongs to.  :raises RowError:"""
    text = record.get(position).strip()
    day: date | None = None
    try:
        day = parse_date(text, ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d"))
    except ValueError:
        try:
            day = parse_text_date(text)
        except ValueError:
            match = _MONTH_RE.fullmatch(text)
            month = month_number(match.group(1)) if match else None
            if match is not None and month is not None:
                day = date(int(match.group(2)), month, 1)
    if day is None:
        raise date_error(record.line, text)
    return period_start_for(day, granularity)


def _number(record: Record, position: int, header: list[str], decimal: str) -> Decimal:
    return number_cell(
        record.get(position),
        line=record.line,
        column=header[position] if position < len(header) else "",
        decimal=decimal,
    )


def _scope_total(totals: dict[str, Record]) -> Record | None:
    for names in _SCOPE_TOTALS:
        for name in names:
            if name in totals:
                return totals[name]
    return None


def _apply_scope_total(
    scope: Record,
    positions: dict[str, int],
    builders: tuple[SeriesBuilder, SeriesBuilder, SeriesBuilder, SeriesBuilder],
    anchor: date,
    decimal: str,
    export: ParsedExport,
) -> None:
    """The account (or campaign) total row wins when the rows do not add up."""
    clicks, cost, impressions, cpc = builders
    by_key = {"clicks": clicks, "cost": cost, "impressions": impressions}
    stated: dict[str, Decimal] = {}
    for key, position in positions.items():
        try:
            stated[key] = number_cell(
                scope.get(position), line=scope.line, column="", decimal=decimal
            )
        except RowError:
            continue
    differs = [key for key, value in stated.items() if value != by_key[key].total()]
    if not differs:
        return
    label = " ".join(scope.cells[i].strip() for i in range(3) if _is_label(scope, i))
    for key in differs:
        builder = by_key[key]
        computed = builder.total()
        if key == "clicks" or key == "cost" or len(builder):
            builder.set_total(anchor, stated[key], scope.line)
        export.warnings.append(
            str(
                _l(
                    "« %(series)s » : la ligne « %(label)s » (ligne %(line)d) donne "
                    "%(total)s, retenu ; les lignes du rapport n'en font que %(sum)s "
                    "(termes masqués, éléments supprimés ou filtrés).",
                    series=builder.label,
                    label=label,
                    line=scope.line,
                    total=fmt_decimal(stated[key]),
                    sum=fmt_decimal(computed),
                )
            )
        )
    if "clicks" in stated and "cost" in stated:
        cpc.set_total(anchor, stated["cost"], scope.line, stated["clicks"])


def _is_label(record: Record, index: int) -> bool:
    return normalise_name(record.get(index)).startswith("total")
