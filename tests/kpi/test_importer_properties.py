"""Property-based tests: whatever the bytes, parse_export returns or refuses."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.errors import ImportRefused
from kpi.importers import (
    MAX_ABS_VALUE,
    ColumnMapping,
    ParsedExport,
    parse_export,
    parse_number,
    read_columns,
)
from tests.kpi._fixtures import FIXTURE_FILES, read_export

FAST = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAPPING = ColumnMapping(date_column="date", value_columns=["value"])


def parse_or_refuse(data: bytes, **kwargs: object) -> ParsedExport | None:
    """The contract: a ParsedExport, or ImportRefused, never anything else."""
    try:
        export = parse_export(data, "x.csv", **kwargs)  # type: ignore[arg-type]
    except ImportRefused as error:
        assert str(error)
        return None
    check_invariants(export)
    return export


def check_invariants(export: ParsedExport) -> None:
    for series in export.series:
        starts = [p.period_start for p in series.points]
        assert starts == sorted(starts)
        assert len(set(starts)) == len(starts)
        for point in series.points:
            assert isinstance(point.period_start, date)
            for value in (point.value, point.numerator, point.denominator):
                if value is not None:
                    assert abs(value) < MAX_ABS_VALUE
                    exponent = value.as_tuple().exponent
                    assert isinstance(exponent, int) and exponent >= -4
    for row in export.rejected:
        assert row.line >= 1
        assert f"Ligne {row.line}" in row.reason or row.reason


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    parse_or_refuse(data)


@FAST
@given(st.text(max_size=1000))
def test_random_text(text: str) -> None:
    for encoding in ("utf-8", "utf-16"):
        parse_or_refuse(text.encode(encoding, errors="surrogatepass"))


@FAST
@given(st.text(max_size=500))
def test_random_text_through_a_mapping(text: str) -> None:
    parse_or_refuse(
        ("date,value\n" + text).encode(errors="surrogatepass"), mapping=MAPPING
    )


cells = st.one_of(
    st.sampled_from(
        [
            "",
            " --",
            "2024-03-01",
            "01/03/2024",
            "3/1/19",
            "1,204",
            "1 234,5",
            "abc",
            "-1",
            "0.123456",
            "1e5",
            "99999999999999999",
            '"',
            "Incident",
            "Total: Account",
            "# Start date: 20240301",
            "nan",
            "inf",
            "00:01:23",
            "45,2 %",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
)
grids = st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=30)
headers = st.sampled_from(
    [
        ["date", "value"],
        ["Date", "Clicks", "Impressions", "CTR", "Position"],
        [
            "date",
            "visitors",
            "pageviews",
            "visits",
            "views_per_visit",
            "bounce_rate",
            "visit_duration",
        ],
        ["date", "nb_visits", "sum_visit_length"],
        ["ID", "Titre", "Date d'ouverture", "Type"],
        ["Summary", "Issue Type", "Created"],
        ["Day Index", "Users", "Sessions"],
    ]
)


@FAST
@given(headers, grids, st.sampled_from([",", ";", "\t"]), st.booleans())
def test_random_csv_like_grids(
    header: list[str], grid: list[list[str]], delimiter: str, mapped: bool
) -> None:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in grid]
    data = "\n".join(lines).encode()
    if mapped:
        parse_or_refuse(data, mapping=MAPPING)
    else:
        parse_or_refuse(data)
        parse_or_refuse(b"Campaign report\nAll time\nCampaign,Clicks,Cost\n" + data)


@pytest.mark.parametrize("name", FIXTURE_FILES)
@settings(max_examples=40, deadline=None)
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_fixtures(name: str, fraction: float) -> None:
    data = read_export(name)
    prefix = data[: int(len(data) * fraction)]
    parse_or_refuse(prefix)
    with contextlib.suppress(ImportRefused):
        read_columns(prefix)


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(FIXTURE_FILES or ["none"]),
    position=st.integers(min_value=0),
    byte=st.integers(min_value=0, max_value=255),
)
def test_one_corrupted_byte_in_a_fixture(name: str, position: int, byte: int) -> None:
    data = bytearray(read_export(name))
    data[position % len(data)] = byte
    parse_or_refuse(bytes(data))


def test_a_zip_naming_an_unknown_version_is_refused_with_a_message() -> None:
    # Found by the test above: one byte changed in the central directory made
    # zipfile raise NotImplementedError ("zip file version 6.4"), a 500.
    data = bytearray(read_export("google-search-console_performance-on-search.zip"))
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 6] = 64  # "version needed to extract": 6.4
    with pytest.raises(ImportRefused) as refused:
        parse_export(bytes(data), "Performance.zip")
    assert "illisible" in str(refused.value)


@FAST
@given(st.decimals(min_value=-(10**10), max_value=10**10, places=4, allow_nan=False))
def test_parse_number_reads_back_what_python_prints(value: Decimal) -> None:
    assert parse_number(str(value)) == value or "," in str(value)
    french = f"{value:,f}".replace(",", "\u00a0").replace(".", ",")
    assert parse_number(french, decimal=",") == value


@FAST
@given(st.text(max_size=30), st.sampled_from([None, ",", "."]))
def test_parse_number_returns_or_raises_value_error(
    text: str, decimal: str | None
) -> None:
    with contextlib.suppress(ValueError):
        parse_number(text, decimal=decimal)
