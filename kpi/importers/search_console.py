"""Google Search Console › Performance › Export (CSV files, or the whole ZIP).

The ZIP holds one sheet per dimension: ``Dates.csv`` (``Chart.csv`` /
``Graphique.csv`` in some views) is a daily series; ``Queries``, ``Pages``,
``Countries``, ``Devices`` and ``Search appearance`` cover the range written in
``Filters.csv``. Headers and file names follow the UI language (``Requêtes.csv``,
``Pays.csv``, ``Filtres.csv``…); real French exports keep dot decimals (``1.73%``).
The "last 24 hours" view exports hours: they are added up into complete days.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused
from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.dates import parse_date, parse_text_range
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document, text_document
from kpi.importers.tables import (
    Record,
    reject,
    split_line,
)
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

LABELS = {
    "gsc_dates": _l("Google Search Console — Performances par date"),
    "gsc_queries": _l("Google Search Console — Requêtes"),
    "gsc_pages": _l("Google Search Console — Pages"),
    "gsc_countries": _l("Google Search Console — Pays"),
    "gsc_devices": _l("Google Search Console — Appareils"),
    "gsc_appearance": _l("Google Search Console — Apparence dans les résultats"),
    "gsc_comparison": _l("Google Search Console — Comparaison de deux périodes"),
}

#: What each sheet without dates is called in a message.
_SHEET_NAMES = {
    "gsc_queries": _l("requêtes"),
    "gsc_pages": _l("pages"),
    "gsc_countries": _l("pays"),
    "gsc_devices": _l("appareils"),
    "gsc_appearance": _l("apparence dans les résultats"),
}

#: The first column of each sheet (a vocabulary concept) → its format.
_FIRST_COLUMNS = {
    "date:date": "gsc_dates",
    "date:hour": "gsc_dates",
    "dim:gsc_query": "gsc_queries",
    "dim:gsc_page": "gsc_pages",
    "dim:country": "gsc_countries",
    "dim:device": "gsc_devices",
    "dim:search_appearance": "gsc_appearance",
}
#: Sheets whose rows add up to the site's total (every click is in one row);
#: queries are anonymised in part and pages stop at 1,000 rows.
_COMPLETE = ("gsc_devices", "gsc_countries")
#: The sheet a ZIP is read from, best first.
_PREFERENCE = (
    "gsc_dates",
    "gsc_devices",
    "gsc_countries",
    "gsc_pages",
    "gsc_queries",
    "gsc_appearance",
)
#: A column of a comparison export: ``10/1/25 - 12/31/25 Clicks``.
_COMPARED_RE = re.compile(r"(.*\d.*?)\s+(\D+)")
_BARE_HOUR_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?")
_HOUR_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):\d{2}(?::\d{2})?\S*")


def _delimiter(line: str) -> str:
    return ";" if line.count(";") > line.count(",") else ","


def _header(doc: Document) -> tuple[list[str], str]:
    head = doc.head(1)
    if not head:
        return [], ","
    if doc.is_sheet:
        return head[0].split("\t"), "\t"
    delimiter = _delimiter(head[0])
    return [cell.strip() for cell in split_line(head[0], delimiter)], delimiter


def _compared(header: list[str]) -> list[str]:
    """The periods of a comparison export's clicks columns (``<range> Clicks``)."""
    periods = []
    for cell in header[1:]:
        match = _COMPARED_RE.fullmatch(cell.strip())
        if match and vocabulary.is_word(match.group(2).strip(), "metric:clicks"):
            periods.append(match.group(1).strip())
    return periods


def _comparison_refusal(header: list[str]) -> ImportRefused:
    return ImportRefused(
        _l(
            "Export Search Console en mode comparaison (périodes %(periods)s côte à "
            "côte) : désactivez la comparaison et exportez une seule période, "
            "avec la feuille des dates, pour l'importer.",
            periods=" / ".join(_compared(header)),
        )
    )


def detect(doc: Document) -> str | None:
    """The Search Console format id of ``doc``, or None."""
    header, _ = _header(doc)
    first = vocabulary.concept_of(header[0], _FIRST_COLUMNS) if header else None
    if len(header) < 3 or first is None:
        return None
    if len(_compared(header)) >= 2:
        return "gsc_comparison"
    if vocabulary.find(header, "metric:clicks") != 1:
        return None
    if vocabulary.find(header, "metric:impressions") is None:
        return None
    return _FIRST_COLUMNS[first]


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse one Search Console sheet (``period`` for sheets without dates)."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    header, delimiter = _header(doc)
    if fmt == "gsc_comparison":
        raise _comparison_refusal(header)
    clicks_at = vocabulary.find(header, "metric:clicks")
    impressions_at = vocabulary.find(header, "metric:impressions")
    daily = fmt == "gsc_dates"
    anchor: date = date.min
    granularity: Granularity = "day"
    if not daily:
        anchor, granularity = single_period(period, export.warnings)
    clicks = SeriesBuilder(
        "clicks", str(_l("Clics (recherche)")), IndicatorKind.AUDIENCE, "", granularity
    )
    impressions = SeriesBuilder(
        "impressions",
        str(_l("Impressions (recherche)")),
        IndicatorKind.AUDIENCE,
        "",
        granularity,
    )
    hourly: dict[date, list[tuple[Record, int, list[Decimal]]]] = {}
    for item in doc.records(delimiter, start=2):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
            continue
        try:
            day, hour = anchor, None
            if daily:
                day, hour = _row_day(item)
            values = [
                number_cell(
                    item.get(position),
                    line=item.line,
                    column=header[position],
                    decimal=_decimal(item.get(position)),
                )
                for position in (clicks_at, impressions_at)
                if position is not None
            ]
        except RowError as error:
            reject(export.rejected, item, error)
            continue
        if hour is not None:
            hourly.setdefault(day, []).append((item, hour, values))
            continue
        for builder, value in zip((clicks, impressions), values, strict=False):
            builder.add(day, value, item.line)
    if hourly:
        _add_complete_days(hourly, (clicks, impressions), export)
    result = finish_export(
        export,
        [clicks, impressions],
        stated_period=period if not daily else None,
        single=not daily,
    )
    if not daily:
        _explain_sheet(result, fmt)
    return result


def _decimal(text: str) -> str:
    # Clicks and impressions are integers: a comma is a thousands separator in
    # English exports, and French exports print no decimals there.
    return "," if " " in text or "\u00a0" in text or "\u202f" in text else "."


def _row_day(record: Record) -> tuple[date, int | None]:
    text = record.get(0).strip()
    if _BARE_HOUR_RE.fullmatch(text):
        # Hours without their day cannot be added up into days.
        raise _hourly_refusal()
    match = _HOUR_RE.fullmatch(text)
    if match is not None:
        try:
            day = parse_date(match.group(1), ("%Y-%m-%d",))
        except ValueError:
            raise date_error(record.line, text) from None
        hour = int(match.group(2))
        if hour > 23:
            raise date_error(record.line, text)
        return day, hour
    try:
        return parse_date(text, ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")), None
    except ValueError:
        raise date_error(record.line, text) from None


def _add_complete_days(
    hourly: dict[date, list[tuple[Record, int, list[Decimal]]]],
    builders: tuple[SeriesBuilder, SeriesBuilder],
    export: ParsedExport,
) -> None:
    """Hours of the "last 24 hours" view, added up into the days they complete."""
    complete = 0
    for day in sorted(hourly):
        rows = hourly[day]
        hours = {hour for _, hour, _ in rows}
        if len(hours) < 24:
            for record, _, _ in rows:
                export.rejected.append(
                    RejectedRow(
                        record.line,
                        str(
                            _l(
                                "Ligne %(line)d : données horaires du %(day)s "
                                "incomplètes (%(hours)d heures sur 24) : seuls les "
                                "jours complets sont importés.",
                                line=record.line,
                                day=day.isoformat(),
                                hours=len(hours),
                            )
                        ),
                        record.raw,
                    )
                )
            continue
        complete += 1
        for record, _, values in rows:
            for builder, value in zip(builders, values, strict=False):
                builder.add(day, value, record.line)
    if not complete:
        raise _hourly_refusal()
    export.warnings.append(
        str(
            _l(
                "Données horaires additionnées par jour (%(days)d jour(s) complet(s)).",
                days=complete,
            )
        )
    )


def _hourly_refusal() -> ImportRefused:
    return ImportRefused(
        _l(
            "Données horaires (vue « 24 dernières heures ») : elles ne couvrent "
            "aucun jour complet ; exportez les performances sur 7 jours ou plus "
            "pour importer des valeurs par jour."
        )
    )


def _explain_sheet(export: ParsedExport, fmt: str) -> None:
    sheet = _SHEET_NAMES[fmt]
    if export.needs_period:
        export.warnings.append(
            str(
                _l(
                    "Cette feuille (%(sheet)s) ne donne pas de dates : importez la "
                    "feuille Dates (Dates.csv) ou l'archive ZIP entière, ou indiquez la "
                    "période couverte.",
                    sheet=sheet,
                )
            )
        )
    if fmt not in _COMPLETE:
        export.warnings.append(
            str(
                _l(
                    "La somme des lignes (%(sheet)s) peut être inférieure au total du "
                    "site : Search Console masque des requêtes et limite l'export à "
                    "1 000 lignes. La feuille Dates ou Appareils donne le total exact.",
                    sheet=sheet,
                )
            )
        )


# --------------------------------------------------------------------------- #
# The whole ZIP
# --------------------------------------------------------------------------- #


def _sheets(members: dict[str, bytes]) -> dict[str, tuple[str, Document]]:
    """Search Console sheets of an archive: name → (format id, document)."""
    found: dict[str, tuple[str, Document]] = {}
    for name, data in members.items():
        if not name.casefold().endswith((".csv", ".tsv", ".txt")):
            continue
        try:
            doc = text_document(data, name)
        except ImportRefused:
            continue
        fmt = detect(doc)
        if fmt is not None:
            found[name] = (fmt, doc)
    return found


def _filters(members: dict[str, bytes]) -> bytes | None:
    for name, data in members.items():
        if not name.casefold().endswith(".csv"):
            continue
        first = data[:64].decode("utf-8", errors="replace").lstrip("\ufeff")
        if vocabulary.is_word(
            split_line(first.split("\n", 1)[0], ",")[0], "dim:gsc_filter"
        ):
            return data
    return None


def detect_zip(members: dict[str, bytes]) -> bool:
    """True for the Search Console download (sheets beside ``Filters.csv``)."""
    sheets = _sheets(members)
    return bool(sheets) and (
        _filters(members) is not None
        or len(sheets) > 1
        or any(fmt == "gsc_dates" for fmt, _ in sheets.values())
    )


def parse_zip(
    members: dict[str, bytes],
    filename: str,
    *,
    period: tuple[date, date] | None = None,
) -> ParsedExport:
    """Parse the best sheet of the Search Console ZIP.  :raises ImportRefused:"""
    stated = _filters_period(_filters(members) or b"")
    return _parse_best(_sheets(members), stated, filename, period)


def parse_workbook(
    sheets: dict[str, Document],
    filename: str,
    *,
    period: tuple[date, date] | None = None,
) -> ParsedExport:
    """Parse the best sheet of a Search Console Excel export (one sheet per
    dimension, like the ZIP).  :raises ImportRefused:"""
    found: dict[str, tuple[str, Document]] = {}
    stated: tuple[date, date] | None = None
    for name, doc in sheets.items():
        fmt = detect(doc)
        if fmt is not None:
            found[name] = (fmt, doc)
        elif doc.sheet and vocabulary.is_word(doc.sheet[0].get(0), "dim:gsc_filter"):
            for record in doc.sheet[1:]:
                if vocabulary.is_word(record.get(0), "date:date"):
                    stated = parse_text_range(record.get(1).strip())
    return _parse_best(found, stated, filename, period)


def _parse_best(
    sheets: dict[str, tuple[str, Document]],
    stated: tuple[date, date] | None,
    filename: str,
    period: tuple[date, date] | None,
) -> ParsedExport:
    for fmt, doc in sheets.values():
        if fmt == "gsc_comparison":
            raise _comparison_refusal(_header(doc)[0])
    name, (fmt, doc) = min(
        sheets.items(), key=lambda item: (_PREFERENCE.index(item[1][0]), item[0])
    )
    doc.filename = f"{filename}/{name}"
    if fmt == "gsc_dates":
        export = parse(doc, fmt, period=None)
        if stated is not None:
            export.period = stated
    else:
        export = parse(doc, fmt, period=stated or period)
    others = sorted(other for other in sheets if other != name)
    if others:
        export.warnings.append(
            str(
                _l(
                    "Archive Search Console : feuille « %(used)s » importée ; "
                    "non importées (mêmes clics, autre découpage) : %(others)s.",
                    used=name,
                    others=", ".join(others),
                )
            )
        )
    return export


def _filters_period(data: bytes) -> tuple[date, date] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    for line in text.splitlines():
        cells = split_line(line, ",")
        if len(cells) >= 2 and vocabulary.is_word(cells[0], "date:date"):
            return parse_text_range(cells[1].strip())
    return None
