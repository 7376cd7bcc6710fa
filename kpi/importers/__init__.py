"""Turn an uploaded KPI export (bytes) into measurements-to-be.

Pure Python: no Flask app, no database. The format is detected by content, never
by file name. Entry points:

- :func:`parse_export` — detect and parse; what would be stored, what is rejected.
- :func:`read_columns` — the columns of an unknown layout, for a mapping form.
- :func:`open_generic_stream` / :func:`iter_generic_points` — the generic importer
  without building every point at once (large files streamed into the database).
- :func:`parse_number`, :func:`parse_duration` — also used by manual entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused, KpiError
from kpi.importers import (
    clarity,
    ga4,
    generic,
    glpi,
    google_ads,
    jira,
    matomo,
    meta_ads,
    microsoft_ads,
    plausible,
    search_console,
    universal_analytics,
    vocabulary,
    youtube_studio,
)
from kpi.importers.base import (
    MAX_ABS_VALUE,
    MAX_DECIMALS,
    ColumnMapping,
    ColumnPoint,
    DecimalSeparator,
    ParsedExport,
    Point,
    RejectedRow,
    Series,
)
from kpi.importers.numbers import parse_duration, parse_number
from kpi.importers.series import is_storable_period, unstorable_refusal
from kpi.importers.sniff import (
    Document,
    check_size,
    read_zip_members,
    refuse_empty,
    refuse_no_data,
    sheet_document,
    sniff_container,
    text_document,
    workbook_documents,
)
from kpi.importers.summary_workbook import is_summary_sheet, summary_workbook_document
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

if TYPE_CHECKING:
    from kpi.importers.generic_stream import GenericStream

__all__ = [
    "FORMAT_LABELS",
    "MAX_ABS_VALUE",
    "MAX_BYTES",
    "MAX_DECIMALS",
    "ColumnMapping",
    "ColumnPoint",
    "DecimalSeparator",
    "Granularity",
    "ImportRefused",
    "IndicatorKind",
    "KpiError",
    "ParsedExport",
    "Point",
    "RejectedRow",
    "Series",
    "iter_generic_points",
    "open_generic_stream",
    "parse_duration",
    "parse_export",
    "parse_number",
    "read_columns",
]

MAX_BYTES = 20 * 1024 * 1024

Period = tuple[date, date]
_Detector = Callable[[Document], str | None]
_Parser = Callable[..., ParsedExport]

#: Tried in this order; the first detector that recognises the content wins.
_FORMATS: tuple[tuple[_Detector, _Parser], ...] = (
    (microsoft_ads.detect, microsoft_ads.parse),
    (ga4.detect, ga4.parse),
    (universal_analytics.detect, universal_analytics.parse),
    (google_ads.detect, google_ads.parse),
    (matomo.detect, matomo.parse),
    (plausible.detect, plausible.parse),
    (search_console.detect, search_console.parse),
    (glpi.detect, glpi.parse),
    (jira.detect, jira.parse),
    (meta_ads.detect, meta_ads.parse),
    (clarity.detect, clarity.parse),
    (youtube_studio.detect, youtube_studio.parse),
)

#: Stable format id → human name (lazy, translated when displayed).
FORMAT_LABELS: dict[str, object] = {
    **ga4.LABELS,
    **universal_analytics.LABELS,
    **search_console.LABELS,
    **matomo.LABELS,
    **plausible.LABELS,
    **google_ads.LABELS,
    **microsoft_ads.LABELS,
    **glpi.LABELS,
    **jira.LABELS,
    **meta_ads.LABELS,
    **clarity.LABELS,
    **youtube_studio.LABELS,
    "generic": generic.LABEL,
}

_DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def parse_export(
    data: bytes,
    filename: str = "",
    *,
    mapping: ColumnMapping | None = None,
    max_bytes: int = MAX_BYTES,
    period: Period | None = None,
) -> ParsedExport:
    """Detect the format by CONTENT (not file name) and parse it.

    ``mapping`` reads any other CSV/TSV/XLSX (the generic importer). ``period``
    dates the single-period reports that do not state their range (Search
    Console queries, Matomo single-period reports); files that state it ignore it.
    :raises ImportRefused:
    """
    check_size(data, max_bytes)
    container = sniff_container(data)
    if container == "zip":
        return _parse_zip(data, filename, mapping, max_bytes, period)
    doc = _document(data, filename, container, max_bytes)
    if container == "xlsx" and is_summary_sheet(doc):
        sheets = workbook_documents(data, filename, max_bytes=max_bytes)
        doc = summary_workbook_document(sheets, filename) or doc
    _refuse_without_data(doc)
    if mapping is not None:
        return _checked(generic.parse_generic(doc, mapping))
    if container == "xlsx" and search_console.detect(doc) is not None:
        sheets = workbook_documents(data, filename, max_bytes=max_bytes)
        return _checked(search_console.parse_workbook(sheets, filename, period=period))
    for detect, parse in _FORMATS:
        fmt = detect(doc)
        if fmt is not None:
            return _checked(parse(doc, fmt, period=period))
    columns = generic.columns_of(doc)
    raise ImportRefused(
        _l(
            "Format de fichier non reconnu : associez ses colonnes (date et valeurs) "
            "pour l'importer. Colonnes trouvées : %(columns)s.",
            columns=", ".join(columns) or "—",
        ),
        columns=columns,
    )


def read_columns(data: bytes, filename: str = "") -> list[str]:
    """Columns of a CSV/TSV/XLSX, to propose a mapping.  :raises ImportRefused:"""
    check_size(data, MAX_BYTES)
    container = sniff_container(data)
    if container == "zip":
        name, member = _single_member(read_zip_members(data, max_bytes=MAX_BYTES))
        return read_columns(member, name)
    doc = _document(data, filename, container, MAX_BYTES)
    return generic.columns_of(doc)


def open_generic_stream(
    data: bytes,
    filename: str = "",
    *,
    mapping: ColumnMapping,
    max_bytes: int = MAX_BYTES,
) -> GenericStream:
    """Parse through ``mapping`` and return a lazy :class:`GenericStream`.

    Iterating the stream yields ``ColumnPoint(column, point)`` pairs, one column after
    the other, periods ascending; ``stream.rejected`` and ``stream.warnings`` are
    complete as soon as this returns. :raises ImportRefused:
    """
    check_size(data, max_bytes)
    container = sniff_container(data)
    if container == "zip":
        name, member = _single_member(read_zip_members(data, max_bytes=max_bytes))
        return open_generic_stream(member, name, mapping=mapping, max_bytes=max_bytes)
    doc = _document(data, filename, container, max_bytes)
    _refuse_without_data(doc)
    return generic.open_generic(doc, mapping)


def iter_generic_points(
    data: bytes,
    filename: str = "",
    *,
    mapping: ColumnMapping,
    max_bytes: int = MAX_BYTES,
) -> Iterator[ColumnPoint]:
    """Yield ``ColumnPoint(column, point)`` lazily (see :func:`open_generic_stream`).

    :raises ImportRefused: on the first ``next()``, before anything is yielded.
    """
    yield from open_generic_stream(data, filename, mapping=mapping, max_bytes=max_bytes)


def _document(data: bytes, filename: str, container: str, max_bytes: int) -> Document:
    if container == "xlsx":
        return sheet_document(data, filename, max_bytes=max_bytes)
    return text_document(data, filename)


def _refuse_without_data(doc: Document) -> None:
    lines = [line.strip() for line in doc.head(3) if line.strip()]
    if not lines:
        raise refuse_empty()
    if lines[0] == "No data available" and len(lines) == 1:
        raise ImportRefused(
            _l(
                "Matomo n'a renvoyé aucune donnée pour cette période "
                "(« No data available »)."
            )
        )
    if len(lines) <= 3 and (
        said := next(
            (
                line
                for line in lines
                if vocabulary.is_word(line.strip(",;\t\"'"), "no_data")
            ),
            None,
        )
    ):
        raise ImportRefused(
            _l(
                "L'outil n'a exporté aucune donnée (« %(text)s ») : vérifiez la "
                "période et les filtres choisis avant d'exporter.",
                text=said.strip(",;\t\"'"),
            )
        )
    if len(lines) == 1:
        raise refuse_no_data()


def _checked(export: ParsedExport) -> ParsedExport:
    """The export, or a refusal when it would store nothing: a stated range that
    no indicator period can hold (a rolling 28 or 30 days…) is said, with what to
    do, rather than previewed empty or called "no data"."""
    period = export.period
    if (
        period is not None
        and not export.needs_period
        and not is_storable_period(period)
        and not any(series.point_count for series in export.series)
    ):
        raise ImportRefused(unstorable_refusal(period, export.unstored_totals))
    if not export.series and not export.rejected:
        raise refuse_no_data()
    return export


def _single_member(members: dict[str, bytes]) -> tuple[str, bytes]:
    data_members = [
        name for name in members if name.casefold().endswith(_DATA_SUFFIXES)
    ]
    if len(data_members) != 1:
        raise ImportRefused(
            _l(
                "Archive ZIP sans export reconnu (fichiers : %(names)s).",
                names=", ".join(sorted(members)[:20]) or "—",
            )
        )
    return data_members[0], members[data_members[0]]


def _parse_zip(
    data: bytes,
    filename: str,
    mapping: ColumnMapping | None,
    max_bytes: int,
    period: Period | None,
) -> ParsedExport:
    members = read_zip_members(data, max_bytes=max_bytes)
    if mapping is None and search_console.detect_zip(members):
        return _checked(search_console.parse_zip(members, filename, period=period))
    if mapping is None and plausible.detect_zip(members):
        return _checked(plausible.parse_zip(members, filename))
    name, member = _single_member(members)
    if sniff_container(member) == "zip":
        raise ImportRefused(_l("Archive ZIP imbriquée non prise en charge."))
    return parse_export(
        member, name, mapping=mapping, max_bytes=max_bytes, period=period
    )
