"""Matomo reporting API exports (``format=CSV`` / ``format=TSV``, UI "Export").

Bytes are UTF-16LE with a BOM; multi-period requests add a ``date`` column whose
week labels read ``"2024-02-26,2024-03-03"``; periods without data are left out.
Column names are raw (``nb_visits``) or translated (``Vues de page``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import QUANTUM, ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.dates import check_date
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity, range_granularity

LABELS = {
    "matomo_visits": _l("Matomo — Résumé des visites"),
    "matomo_pages": _l("Matomo — Pages"),
    "matomo_contents": _l("Matomo — Contenus (impressions et interactions)"),
}

#: Matomo's columns → vocabulary concepts (raw API names and every UI language's
#: translated names are words of these concepts in :mod:`vocabulary_analytics`).
COLUMNS: dict[str, str] = {
    "date": "date:date",
    "label": "dim:label",
    "nb_visits": "metric:visits",
    "nb_uniq_visitors": "metric:unique_visitors",
    "nb_actions": "metric:actions",
    "sum_visit_length": "metric:sum_visit_length",
    "avg_time_on_site": "metric:avg_time_on_site",
    "nb_hits": "metric:pageviews",
    "avg_time_on_page": "metric:avg_time_on_page",
    "nb_impressions": "metric:impressions",
    "nb_interactions": "metric:interactions",
}
#: Columns only Matomo has (with a label or visits, they tell its reports apart
#: from other tools' tables that share generic words such as "Visits").
_OWN = ("nb_", "sum_daily_", "metadata_", "Méta-données", "Metadata")

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def _delimiter(doc: Document) -> str:
    head = doc.head(1)
    return "\t" if head and "\t" in head[0] else ","


def _columns(doc: Document) -> tuple[list[str], dict[str, int | None]]:
    header = next(
        (
            item.cells
            for item in doc.records(_delimiter(doc), start=1, stop=1)
            if isinstance(item, Record)
        ),
        [],
    )
    return header, {
        name: vocabulary.find(header, concept) for name, concept in COLUMNS.items()
    }


def detect(doc: Document) -> str | None:
    """The Matomo format id of ``doc``, or None."""
    head = doc.head(1)
    if not head:
        return None
    _, found = _columns(doc)
    own = any(word in head[0] for word in _OWN)
    summary = all(
        found[name] is not None
        for name in ("nb_visits", "nb_uniq_visitors", "nb_actions")
    ) and (
        found["sum_visit_length"] is not None or found["avg_time_on_site"] is not None
    )
    if not own and not summary and found["label"] != 0:
        return None
    if found["nb_interactions"] is not None and found["label"] is not None:
        return "matomo_contents"
    if found["nb_hits"] is not None and found["label"] is not None:
        return "matomo_pages"
    if (
        found["nb_visits"] is not None
        and found["label"] is None
        and (
            found["sum_visit_length"] is not None
            or found["avg_time_on_site"] is not None
            or found["nb_actions"] is not None
        )
    ):
        return "matomo_visits"
    return None


def parse_period_label(text: str, line: int) -> tuple[date, Granularity]:
    """``2024-03-01`` (day), ``2024-02-26,2024-03-03`` (week), ``2024-03`` (month).

    :raises RowError:
    """
    value = text.strip()
    try:
        if _DAY_RE.fullmatch(value):
            return check_date(date.fromisoformat(value)), "day"
        if "," in value:
            first, _, last = value.partition(",")
            start = check_date(date.fromisoformat(first.strip()))
            end = check_date(date.fromisoformat(last.strip()))
            if start <= end:
                return start, range_granularity(start, end)
        elif match := _MONTH_RE.fullmatch(value):
            return check_date(date(int(match.group(1)), int(match.group(2)), 1)), (
                "month"
            )
    except ValueError:
        pass
    raise date_error(line, text)


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Matomo CSV/TSV export (``period`` for single-period reports)."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    header, found = _columns(doc)
    date_at = found["date"]
    anchor, default_granularity = single_period(period, export.warnings)
    wanted: list[tuple[str, str, str, str]]
    ratio: tuple[str, str, bool] | None
    if fmt == "matomo_visits":
        wanted = [
            ("nb_visits", "visits", _l("Visites"), IndicatorKind.AUDIENCE),
            (
                "nb_uniq_visitors",
                "unique_visitors",
                _l("Visiteurs uniques"),
                IndicatorKind.AUDIENCE,
            ),
            ("nb_actions", "actions", _l("Actions"), IndicatorKind.AUDIENCE),
        ]
        ratio = (
            ("sum_visit_length", "nb_visits", False)
            if found["sum_visit_length"] is not None
            else ("avg_time_on_site", "nb_visits", True)
        )
    elif fmt == "matomo_contents":
        wanted = [
            (
                "nb_interactions",
                "interactions",
                _l("Interactions"),
                IndicatorKind.CLICKS,
            ),
            ("nb_impressions", "impressions", "Impressions", IndicatorKind.CUSTOM),
        ]
        ratio = None
    else:
        wanted = [("nb_hits", "pageviews", _l("Vues de page"), IndicatorKind.AUDIENCE)]
        ratio = ("avg_time_on_page", "nb_hits", True)
    present = [
        (found[name], key, label, kind)
        for name, key, label, kind in wanted
        if found[name] is not None
    ]
    builders: dict[str, SeriesBuilder] = {}
    granularities: set[str] = set()
    nested = _Nesting(header, found["label"])
    for item in doc.records(_delimiter(doc), start=2):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
            continue
        if nested.is_child(item):
            continue
        try:
            when, granularity = (
                parse_period_label(item.get(date_at), item.line)
                if date_at is not None
                else (anchor, default_granularity)
            )
            values = [
                number_cell(
                    item.get(at), line=item.line, column=header[at], decimal="."
                )
                for at, _, _, _ in present
                if at is not None
            ]
            components = _components(item, header, found, ratio)
        except RowError as error:
            reject(export.rejected, item, error)
            continue
        granularities.add(granularity)
        for (_, key, label, kind), value in zip(present, values, strict=True):
            if key not in builders:
                builders[key] = SeriesBuilder(key, label, kind, "", granularity)  # type: ignore[arg-type]
            builders[key].add(when, value, item.line)
        if components is not None:
            if "engagement_time" not in builders:
                builders["engagement_time"] = SeriesBuilder(
                    "engagement_time",
                    str(_l("Temps moyen (secondes)")),
                    IndicatorKind.READING_TIME,
                    "s",
                    granularity,
                    ratio=True,
                )
            builders["engagement_time"].add_ratio(when, *components, item.line)
    if len(granularities) > 1:
        export.warnings.append(
            str(_l("Le fichier mélange des périodes de durées différentes."))
        )
    return finish_export(
        export,
        list(builders.values()),
        stated_period=period if date_at is None else None,
        single=date_at is None,
    )


class _Nesting:
    """Rows of a flattened report (``flat=1&include_aggregate_rows=1``).

    Matomo then writes each row that has sub-rows (``is_aggregate`` 1, the figure
    its report shows) followed by its sub-rows, labelled ``parent - child``; only
    the top-level rows are kept, so nothing is counted twice.
    """

    def __init__(self, header: list[str], label_at: int | None) -> None:
        self.flag_at = next(
            (
                at
                for at, name in enumerate(header)
                if vocabulary.fold(name).endswith("is_aggregate")
            ),
            None,
        )
        self.label_at = label_at
        self.parents: list[str] = []

    def is_child(self, item: Record) -> bool:
        if self.flag_at is None or self.label_at is None:
            return False
        label = item.get(self.label_at).strip()
        if any(label.startswith((f"{p} - ", f"{p}/")) for p in self.parents):
            return True
        if item.get(self.flag_at).strip() == "1":
            self.parents.append(label)
        return False


def _components(
    item: Record,
    header: list[str],
    found: dict[str, int | None],
    ratio: tuple[str, str, bool] | None,
) -> tuple[Decimal, Decimal] | None:
    if ratio is None:
        return None
    numerator_name, denominator_name, is_average = ratio
    numerator_at, denominator_at = found[numerator_name], found[denominator_name]
    if numerator_at is None or denominator_at is None:
        return None
    numerator = number_cell(
        item.get(numerator_at),
        line=item.line,
        column=header[numerator_at],
        decimal=".",
        quantize=is_average,
    )
    denominator = number_cell(
        item.get(denominator_at),
        line=item.line,
        column=header[denominator_at],
        decimal=".",
    )
    if is_average:
        numerator = (numerator * denominator).quantize(QUANTUM, ROUND_HALF_EVEN)
    return numerator, denominator
