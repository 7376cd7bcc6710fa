"""Real exports of the variants members meet (tests/data/kpi-exports/real, see its
README): GA4 explorations as downloaded, and what a person checks on each file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kpi.errors import ImportRefused
from kpi.importers import ParsedExport, parse_export

REAL = Path(__file__).resolve().parents[1] / "data" / "kpi-exports" / "real"

EXPLORATION = "ga4_exploration_free-form_page-path_425-days.csv"
EVENTS_TAB = "ga4_exploration_events-tab_page-path_90-days.csv"


def read(name: str) -> bytes:
    return (REAL / name).read_bytes()


def refusal(data: bytes) -> str:
    with pytest.raises(ImportRefused) as refused:
        parse_export(data, "download.csv")
    return str(refused.value)


def restated(data: bytes, old: bytes, new: bytes) -> ParsedExport:
    """The same export as if run over another range (``# YYYYMMDD-YYYYMMDD``)."""
    assert old in data
    return parse_export(data.replace(old, new), "download.csv")


# --------------------------------------------------------------------------- #
# GA4 explorations: "# Property", "# Exploration-Tab", "# YYYYMMDD-YYYYMMDD",
# then the header and a "Grand total" row with its label in an extra cell.
# --------------------------------------------------------------------------- #


def test_exploration_over_425_days_is_refused_naming_its_grand_total() -> None:
    message = refusal(read(EXPLORATION))
    assert "du 2024-11-22 au 2026-01-20 (425 jours" in message
    assert "Sessions : 16244" in message
    assert "Utilisateurs : 13789" in message
    assert "Événements clés : 9914" in message
    assert "exportez le rapport par jour" in message


def test_exploration_for_a_calendar_month_stores_its_grand_total() -> None:
    """Pages with their query strings: a session is listed on several pages
    (the 8 rows kept add up to 4,287 sessions; the file's 425-day rows to
    23,820), so only the Grand total row (line 8) says the month's sessions."""
    export = restated(read(EXPLORATION), b"# 20241122-20260120", b"# 20251201-20251231")
    assert export.format == "ga4_pages"
    assert export.period == (date(2025, 12, 1), date(2025, 12, 31))
    [sessions] = export.series_by_key("sessions").points
    assert (sessions.period_start, sessions.value) == (date(2025, 12, 1), 16244)
    assert export.series_by_key("sessions").granularity == "month"
    assert export.series_by_key("total_users").points[0].value == 13789
    assert export.series_by_key("key_events").points[0].value == 9914
    assert any("16244, ligne 8" in w for w in export.warnings)


def test_exploration_events_tab_gives_the_event_count_total() -> None:
    assert "Nombre d'événements : 4311" in refusal(read(EVENTS_TAB))  # 90 days
    export = restated(read(EVENTS_TAB), b"# 20251213-20260312", b"# 20260201-20260228")
    [events] = export.series_by_key("event_count").points
    assert (events.period_start, events.value) == (date(2026, 2, 1), 4311)


# --------------------------------------------------------------------------- #
# The command line: the right figures or one sentence, never a traceback.
# --------------------------------------------------------------------------- #

NEW_FILES = [EXPLORATION, EVENTS_TAB]


@pytest.mark.parametrize("name", NEW_FILES)
def test_inspect_json_gives_figures_or_one_sentence(runner, name: str) -> None:
    result = runner.invoke(args=["kpi", "inspect", str(REAL / name), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    body = json.loads(result.output)
    if body["ok"]:
        assert any(series["points"] for series in body["series"])
    else:
        assert body["error"].rstrip(".").count(". ") == 0
