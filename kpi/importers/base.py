"""Data classes and cell-level helpers shared by every KPI export importer.

Nothing here knows Flask or the database: values are :class:`~decimal.Decimal`,
periods are :class:`~datetime.date`, messages are French source strings translated
through ``lazy_gettext`` (the French source is returned outside an app context).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Literal, NamedTuple

from flask_babel import lazy_gettext as _l

from kpi.kinds import IndicatorKind
from kpi.periods import Granularity, period_end_for, range_granularity

DecimalSeparator = Literal[",", "."]

#: The largest magnitude we store: ``abs(value) < 10**11``. The column is
#: ``Numeric(18, 4)``, but SQLite keeps numerics as binary floats, exact only to 15
#: significant digits: 11 integer digits + 4 decimals is what both databases hold
#: exactly, so a larger value is refused rather than silently rounded on SQLite.
MAX_ABS_VALUE = Decimal(10) ** 11
#: At most this many decimals are stored.
MAX_DECIMALS = 4
QUANTUM = Decimal(1).scaleb(-MAX_DECIMALS)

#: Dates outside this range are refused as implausible for a KPI.
MIN_YEAR = 1900
MAX_YEAR = 2200


# --------------------------------------------------------------------------- #
# Public data classes
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class Point:
    """One measurement-to-be: a value for the period starting on ``period_start``.

    For ratio series ``numerator`` and ``denominator`` carry the components
    (cost and clicks, total seconds and views or visits) and ``value`` is their
    quotient, or ``None`` when the denominator is 0. ``lines`` are the 1-based
    line numbers (or spreadsheet row numbers) of the source rows behind the point.
    """

    period_start: date
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    lines: tuple[int, ...] = ()


class ColumnPoint(NamedTuple):
    """A point of the generic importer's stream, with the value column it is of."""

    column: str
    point: Point


@dataclass(slots=True)
class Series:
    """A sequence of points for one metric of the file."""

    key: str
    label: str
    suggested_kind: IndicatorKind
    unit: str
    granularity: Granularity
    points: list[Point] = field(default_factory=list)
    is_ratio: bool = False


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A source row that was not kept, with a translated reason naming its line."""

    line: int
    reason: str
    raw: str


@dataclass(slots=True)
class ParsedExport:
    """What a file would store, what it rejects and why."""

    format: str
    format_label: str
    period: tuple[date, date] | None = None
    series: list[Series] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: True when the file states no period and none was given to ``parse_export``:
    #: the single-period series then have no points until a period is supplied.
    needs_period: bool = False

    def series_by_key(self, key: str) -> Series:
        """Return the series named ``key``.  :raises KeyError:"""
        for series in self.series:
            if series.key == key:
                return series
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How to read a file of unknown layout (the generic importer).

    ``date_format`` is a ``strftime`` pattern or ``None`` for automatic detection
    (ISO, DD/MM/YYYY, YYYYMMDD…). Rows sharing the same period are summed.
    """

    date_column: str
    value_columns: list[str]
    date_format: str | None = None
    decimal_separator: DecimalSeparator = ","
    granularity: Granularity = "day"
    allow_negative: bool = False


# --------------------------------------------------------------------------- #
# Numbers and durations
# --------------------------------------------------------------------------- #

_SPACES = " \u00a0\u202f\u2009\u2007"
_GROUP_MARKS = _SPACES + "'\u2019"
_SYMBOLS_RE = re.compile(r"^[€£$¥%\s]+|[€£$¥%\s]+$")
_NUMBER_CHARS_RE = re.compile(r"[+-]?\d[\d.,'\u2019" + _SPACES + r"]*")
_DIGITS_RE = re.compile(r"\d+")


def _grouped_ok(integer: str, marks: str) -> str | None:
    """Return the digits of ``integer`` if its grouping is valid, else None."""
    used = {ch for ch in integer if ch in marks}
    if not used:
        return integer if _DIGITS_RE.fullmatch(integer) else None
    if len(used) > 1 and not used <= set(_SPACES):
        return None
    parts = re.split("[" + re.escape(marks) + "]", integer)
    if not (1 <= len(parts[0]) <= 3) or not all(p.isdigit() for p in parts):
        return None
    if any(len(p) != 3 for p in parts[1:]):
        return None
    return "".join(parts)


def parse_number(text: str, *, decimal: str | None = None) -> Decimal:
    """Parse a number as printed by exports or typed by a person.

    Accepts ``1 234,5``, ``1 234,50 €`` (with U+00A0 or U+202F), ``1,234.5``,
    ``45,2 %`` (45.2), ``"1,204"``, ``£0.00``, ``0.45``. ``decimal`` forces the
    decimal separator; without it a single ``,`` followed by exactly three digits
    is a thousands separator (``1,204`` = 1204, as English UIs print) and a ``.``
    is the decimal point unless repeated.  :raises ValueError: garbage or ambiguous.
    """
    s = text.strip().replace("\u2212", "-")
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1]
    s = _SYMBOLS_RE.sub("", s)
    if len(s) > 64 or not _NUMBER_CHARS_RE.fullmatch(s):
        raise ValueError(text)
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    dots, commas = s.count("."), s.count(",")
    if decimal not in (None, ",", "."):
        raise ValueError(decimal)
    dec: str | None
    if decimal is not None:
        dec = decimal if decimal in s else None
        if dec is not None and s.count(dec) > 1:
            raise ValueError(text)
    elif dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        if s.count(dec) > 1:
            raise ValueError(text)
    elif dots:
        dec = "." if dots == 1 else None
    elif commas == 1:
        head, tail = s.split(",")
        english_group = len(tail) == 3 and 1 <= len(head.lstrip(_GROUP_MARKS)) <= 3
        dec = None if english_group and not head.startswith("0") else ","
    else:
        dec = None
    if dec is not None:
        integer, fraction = s.rsplit(dec, 1)
        if not fraction.isdigit() or not fraction.isascii():
            raise ValueError(text)
    else:
        integer, fraction = s, ""
    if decimal is not None:
        other = "." if decimal == "," else ","
    elif dec is not None:
        other = "." if dec == "," else ","
    else:
        other = "," if commas else "."
    digits = _grouped_ok(integer, _GROUP_MARKS + other)
    if digits is None or not digits.isascii():
        raise ValueError(text)
    try:
        return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    except InvalidOperation as error:
        raise ValueError(text) from error


_DURATION_RE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)")


def parse_duration(text: str) -> Decimal:
    """Parse ``hh:mm:ss`` (or ``mm:ss``, or plain seconds) into seconds.

    :raises ValueError: not a duration.
    """
    s = text.strip()
    match = _DURATION_RE.fullmatch(s)
    if match is None:
        value = parse_number(s, decimal=".")
        if value < 0:
            raise ValueError(text)
        return value
    hours = int(match.group(1) or 0)
    minutes = int(match.group(2))
    seconds = Decimal(match.group(3).replace(",", "."))
    if (match.group(1) is not None and minutes >= 60) or seconds >= 60:
        raise ValueError(text)
    return Decimal(hours * 3600 + minutes * 60) + seconds


# --------------------------------------------------------------------------- #
# Dates
# --------------------------------------------------------------------------- #

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv janvier enero ene januar jän gennaio gen janeiro",
        "february feb février févr fevrier fevr febrero februar febbraio fev fevereiro",
        "march mar mars marzo märz mär março",
        "april apr avril avr abril abr aprile",
        "may mai mayo may maggio mag maio",
        "june jun juin junio juni giugno giu junho",
        "july jul juillet juil julio juli luglio lug julho",
        "august aug août aout agosto ago",
        "september sep sept septembre septiembre set settembre setembro",
        "october oct octobre octubre okt oktober ottobre ott outubro out",
        "november nov novembre noviembre novembro",
        "december dec décembre decembre déc diciembre dic dezember dez dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)


def month_number(name: str) -> int | None:
    """Month number of a (possibly abbreviated, localised) month name."""
    return MONTHS.get(name.strip().strip(".").casefold())


def check_date(value: date) -> date:
    """Return ``value`` if plausible for a KPI.  :raises ValueError:"""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(value.isoformat())
    return value


def parse_date(text: str, formats: Sequence[str]) -> date:
    """Parse ``text`` with the first matching ``strptime`` format.

    :raises ValueError: no format matches or the year is implausible.
    """
    s = text.strip()
    for fmt in formats:
        try:
            return check_date(datetime.strptime(s, fmt).date())
        except ValueError:
            continue
    raise ValueError(text)


_TEXT_DATE_RES = (
    re.compile(r"(?P<month>[^\W\d_]+)\.? (?P<day>\d{1,2}),? (?P<year>\d{4})"),
    re.compile(r"(?P<day>\d{1,2})(?:er)?\.? (?P<month>[^\W\d_]+)\.? (?P<year>\d{4})"),
)


def parse_text_date(text: str) -> date:
    """Parse ``March 1, 2024``, ``Mar 1, 2024`` or ``1 mars 2024``.  :raises ValueError:"""
    s = " ".join(text.replace("\u00a0", " ").split())
    for pattern in _TEXT_DATE_RES:
        match = pattern.fullmatch(s)
        if match is None:
            continue
        month = month_number(match.group("month"))
        if month is None:
            continue
        return check_date(
            date(int(match.group("year")), month, int(match.group("day")))
        )
    raise ValueError(text)


_TEXT_RANGE_RE = re.compile(r"(.+?\d{4})\s*[-–—]\s*(.+?\d{4})")


def parse_text_range(text: str) -> tuple[date, date] | None:
    """Parse ``March 1, 2024 - March 31, 2024`` (or ``Mar 1, 2024-Mar 31, 2024``)."""
    match = _TEXT_RANGE_RE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        start, end = parse_text_date(match.group(1)), parse_text_date(match.group(2))
    except ValueError:
        return None
    return (start, end) if start <= end else None


def compact_range(start_text: str, end_text: str) -> tuple[date, date] | None:
    """Parse two ``YYYYMMDD`` dates into a range, or None."""
    try:
        start = parse_date(start_text, ("%Y%m%d",))
        end = parse_date(end_text, ("%Y%m%d",))
    except ValueError:
        return None
    return (start, end) if start <= end else None


# --------------------------------------------------------------------------- #
# Messages (French source strings, translated in messages.po)
# --------------------------------------------------------------------------- #


def fmt_decimal(value: Decimal) -> str:
    """A short human rendering of a Decimal (no exponent, trailing zeros trimmed)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class RowError(Exception):
    """A row cannot be kept; ``str(error)`` is the translated reason."""


def unreadable_value(line: int, value: str, column: str) -> RowError:
    return RowError(
        str(
            _l(
                "Ligne %(line)d : valeur « %(value)s » illisible dans la colonne "
                "%(column)s.",
                line=line,
                value=shorten(value),
                column=column,
            )
        )
    )


def shorten(value: str, limit: int = 60) -> str:
    """Cut a value quoted in a message so that messages stay readable."""
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def check_storable(
    value: Decimal, *, line: int, raw: str, column: str, quantize: bool = False
) -> Decimal:
    """Return ``value`` if the measurement column can store it.

    With ``quantize`` (full-precision floats such as GA4's) the value is rounded
    half-even to :data:`MAX_DECIMALS`; otherwise more decimals are refused.
    :raises RowError:
    """
    if not value.is_finite():
        raise unreadable_value(line, raw, column)
    if quantize:
        value = value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    if abs(value) >= MAX_ABS_VALUE:
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur « %(value)s » trop grande dans la "
                    "colonne %(column)s (maximum : 10^11).",
                    line=line,
                    value=shorten(raw),
                    column=column,
                )
            )
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur « %(value)s » trop précise dans la "
                    "colonne %(column)s (%(decimals)d décimales au plus).",
                    line=line,
                    value=shorten(raw),
                    column=column,
                    decimals=MAX_DECIMALS,
                )
            )
        )
    return value


def number_cell(
    text: str,
    *,
    line: int,
    column: str,
    decimal: str | None = None,
    allow_negative: bool = False,
    quantize: bool = False,
    duration: bool = False,
) -> Decimal:
    """Parse and check one numeric cell of a source row.  :raises RowError:"""
    if not text.strip():
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur manquante dans la colonne %(column)s.",
                    line=line,
                    column=column,
                )
            )
        )
    try:
        value = (
            parse_duration(text) if duration else parse_number(text, decimal=decimal)
        )
    except ValueError:
        raise unreadable_value(line, text, column) from None
    if value < 0 and not allow_negative:
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur négative « %(value)s » dans la colonne "
                    "%(column)s.",
                    line=line,
                    value=shorten(text),
                    column=column,
                )
            )
        )
    return check_storable(value, line=line, raw=text, column=column, quantize=quantize)


def date_error(line: int, value: str) -> RowError:
    return RowError(
        str(
            _l(
                "Ligne %(line)d : date illisible « %(value)s ».",
                line=line,
                value=shorten(value),
            )
        )
    )


def missing_cells_error(line: int, found: int, expected: int) -> RowError:
    return RowError(
        str(
            _l(
                "Ligne %(line)d : %(found)d colonnes au lieu d'au moins %(expected)d.",
                line=line,
                found=found,
                expected=expected,
            )
        )
    )


def encoding_reason(line: int) -> str:
    return str(
        _l(
            "Ligne %(line)d : caractères illisibles (encodage du fichier incohérent).",
            line=line,
        )
    )


def malformed_reason(line: int) -> str:
    return str(
        _l(
            "Ligne %(line)d : ligne mal formée (guillemets ou séparateurs incorrects).",
            line=line,
        )
    )


def mismatch_warning(label: str, total: Decimal, computed: Decimal) -> str:
    return str(
        _l(
            "« %(label)s » : le total du fichier (%(total)s) ne correspond pas à la "
            "somme des lignes (%(sum)s).",
            label=label,
            total=fmt_decimal(total),
            sum=fmt_decimal(computed),
        )
    )


def needs_period_warning() -> str:
    return str(
        _l(
            "Le fichier n'indique pas sa période : précisez-la pour importer ces "
            "valeurs."
        )
    )


# --------------------------------------------------------------------------- #
# Rows of a table
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class Record:
    """One source row: its first physical line number, its cells, its raw text."""

    line: int
    cells: list[str]
    raw: str

    def get(self, index: int | None) -> str:
        """Cell ``index`` or ``""`` when absent."""
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


def read_records(
    lines: Sequence[str],
    delimiter: str,
    *,
    start: int = 1,
    stop: int | None = None,
    bad_lines: frozenset[int] = frozenset(),
) -> Iterator[Record | RejectedRow]:
    """Split physical ``lines[start-1:stop]`` (1-based, inclusive) into records.

    Quoted fields may span lines. Blank lines are skipped. A record that touches
    an undecodable line, or that the ``csv`` module cannot split, is yielded as a
    :class:`RejectedRow` and reading resumes on the next line.
    """
    last = len(lines) if stop is None else min(stop, len(lines))
    position = start
    while position <= last:
        begin = position

        def feed(first: int = begin) -> Iterator[str]:
            for index in range(first, last + 1):
                yield lines[index - 1] + "\n"

        reader = csv.reader(feed(), delimiter=delimiter)
        consumed = 0
        try:
            for cells in reader:
                first_line = begin + consumed
                consumed = reader.line_num
                last_line = begin + consumed - 1
                raw = "\n".join(lines[first_line - 1 : last_line])
                touched = range(first_line, last_line + 1)
                if bad_lines and any(n in bad_lines for n in touched):
                    bad = next(n for n in touched if n in bad_lines)
                    yield RejectedRow(bad, encoding_reason(bad), raw)
                    continue
                if not cells or all(not c.strip() for c in cells):
                    continue
                yield Record(first_line, cells, raw)
            position = last + 1
        except csv.Error:
            failed = begin + max(reader.line_num, consumed + 1) - 1
            failed = min(max(failed, begin + consumed), last)
            yield RejectedRow(
                begin + consumed,
                malformed_reason(begin + consumed),
                "\n".join(lines[begin + consumed - 1 : failed]),
            )
            position = failed + 1


def header_index(header: Sequence[str]) -> dict[str, int]:
    """Map normalised column names to their first index."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(normalise_name(name), position)
    return index


def normalise_name(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().strip('"').split()).casefold()


def find_column(index: dict[str, int], *names: str) -> int | None:
    """Index of the first of ``names`` present in ``index`` (normalised names)."""
    for name in names:
        position = index.get(normalise_name(name))
        if position is not None:
            return position
    return None


# --------------------------------------------------------------------------- #
# Building series
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _PeriodTotal:
    """What a builder has summed for one period, and the lines behind it."""

    first: Decimal = Decimal(0)  # the value, or the numerator of a ratio
    second: Decimal = Decimal(0)  # the denominator of a ratio
    lines: list[int] = field(default_factory=list)


class SeriesBuilder:
    """Accumulate values per period, then build a sorted :class:`Series`."""

    def __init__(
        self,
        key: str,
        label: object,
        kind: IndicatorKind,
        unit: str,
        granularity: Granularity,
        *,
        ratio: bool = False,
    ) -> None:
        self.key = key
        self.label = str(label)
        self.kind: IndicatorKind = kind
        self.unit = unit
        self.granularity: Granularity = granularity
        self.ratio = ratio
        self._totals: dict[date, _PeriodTotal] = {}

    def add(self, period: date, value: Decimal, line: int | Iterable[int]) -> None:
        """Add ``value`` to the period's sum (a count or an amount)."""
        self._add(period, value, Decimal(0), line)

    def add_ratio(
        self,
        period: date,
        numerator: Decimal,
        denominator: Decimal,
        line: int | Iterable[int],
    ) -> None:
        """Add components to the period's numerator and denominator."""
        self._add(period, numerator, denominator, line)

    def _add(
        self, period: date, first: Decimal, second: Decimal, line: int | Iterable[int]
    ) -> None:
        total = self._totals.setdefault(period, _PeriodTotal())
        total.first += first
        total.second += second
        if isinstance(line, int):
            total.lines.append(line)
        else:
            total.lines.extend(line)

    def total(self) -> Decimal:
        """Sum of all values (or of numerators for a ratio)."""
        return sum((t.first for t in self._totals.values()), Decimal(0))

    def __len__(self) -> int:
        return len(self._totals)

    def build(self, warnings: list[str]) -> Series:
        """The series, periods in ascending order; unstorable sums become warnings."""
        series = Series(
            key=self.key,
            label=self.label,
            suggested_kind=self.kind,
            unit=self.unit,
            granularity=self.granularity,
            is_ratio=self.ratio,
        )
        for period in sorted(self._totals):
            total = self._totals[period]
            first, second = total.first, total.second
            lines = tuple(sorted(set(total.lines)))
            if self.ratio:
                numerator = first.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
                denominator = second.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
                value = (
                    (numerator / denominator).quantize(
                        QUANTUM, rounding=ROUND_HALF_EVEN
                    )
                    if denominator
                    else None
                )
                checked = [numerator, denominator, *([value] if value else [])]
                point = Point(period, value, numerator, denominator, lines)
            else:
                checked = [first]
                point = Point(period, first, lines=lines)
            if any(abs(v) >= MAX_ABS_VALUE for v in checked):
                warnings.append(
                    str(
                        _l(
                            "« %(label)s », période du %(period)s : total trop grand "
                            "pour être enregistré, ignoré.",
                            label=self.label,
                            period=period.isoformat(),
                        )
                    )
                )
                continue
            series.points.append(point)
        return series


def build_all(builders: Iterable[SeriesBuilder], warnings: list[str]) -> list[Series]:
    """Build every non-empty builder."""
    return [builder.build(warnings) for builder in builders if len(builder)]


# --------------------------------------------------------------------------- #
# Single-period reports
# --------------------------------------------------------------------------- #

#: Where the values of a single-period report are kept until a period is known.
UNKNOWN_PERIOD = date(MIN_YEAR, 1, 1)


def single_period(
    period: tuple[date, date] | None, warnings: list[str]
) -> tuple[date, Granularity]:
    """Anchor date and granularity of a report that covers one stated range."""
    if period is None:
        return UNKNOWN_PERIOD, "month"
    start, end = period
    granularity = range_granularity(start, end)
    if granularity == "day" and start != end:
        warnings.append(
            str(
                _l(
                    "La période du fichier (du %(start)s au %(end)s) n'est ni un jour, "
                    "ni une semaine, ni un mois : les valeurs sont rattachées au "
                    "%(start)s.",
                    start=start.isoformat(),
                    end=end.isoformat(),
                )
            )
        )
    return start, granularity


def finish_export(
    export: ParsedExport,
    builders: Iterable[SeriesBuilder],
    *,
    stated_period: tuple[date, date] | None,
    single: bool,
) -> ParsedExport:
    """Build the series; a single-period report without a period keeps no points."""
    export.series = build_all(builders, export.warnings)
    if single and stated_period is None:
        export.needs_period = True
        export.warnings.append(needs_period_warning())
        for series in export.series:
            series.points = []
    if export.period is None:
        export.period = stated_period
        if export.period is None and not single:
            ends = [
                (p.period_start, period_end_for(p.period_start, s.granularity))
                for s in export.series
                for p in s.points
            ]
            if ends:
                export.period = (min(e[0] for e in ends), max(e[1] for e in ends))
    return export


def reject(rejected: list[RejectedRow], record: Record, error: RowError) -> None:
    rejected.append(RejectedRow(record.line, str(error), record.raw))


def is_blank(text: str) -> bool:
    """Empty or a ``--`` placeholder (Google Ads prints `` --``)."""
    return text.strip() in ("", "--", "-")
