"""KPI use cases against the database: indicators, values, imports of the real
export files, re-import, undo, and the SQL aggregation behind the charts."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete as sa_delete
from sqlalchemy import func, select

from core.extensions import db
from kpi import services
from kpi.errors import ImportRefused
from kpi.importers import parse_export
from kpi.models import ImportBatch, Measurement, Source
from tests.kpi.conftest import export_bytes

NOW = datetime(2024, 4, 10, 9, 0, tzinfo=UTC)


def D(text: str) -> Decimal:
    return Decimal(text)


def _import(agency_project, indicator, name: str, series: str, **kwargs):
    data = export_bytes(name)
    export = parse_export(data, name, period=kwargs.pop("period", None))
    batch, preview = services.store_import(
        None,
        agency_project,
        export,
        {series: indicator.id},
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        now=kwargs.pop("now", NOW),
        **kwargs,
    )
    return batch, preview


def _stored(indicator) -> list[Measurement]:
    return list(
        db.session.scalars(
            select(Measurement)
            .where(Measurement.indicator_id == indicator.id)
            .order_by(Measurement.period_start)
        )
    )


def _yearly(indicator):
    [summary] = services.summaries([indicator], "year")
    return summary.table.to_dict("records")


# ---------------------------------------------------------------- indicators


def test_a_kind_fills_the_blanks_with_its_defaults(agency, make_indicator) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click")
    assert (cpc.name, cpc.unit, cpc.direction.value, cpc.frequency.value) == (
        "Coût par clic",
        "€",
        "lower",
        "month",
    )
    assert cpc.is_ratio and cpc.numerator_label == "Coût (€)"
    audience = make_indicator(
        a.project, "audience", name="Visites", target_value="1500"
    )
    assert audience.direction.value == "higher" and audience.unit == "visites"
    assert audience.target_value == D("1500") and not audience.is_ratio
    reading = make_indicator(a.project, "reading_time")
    assert reading.unit == "s" and reading.is_ratio
    assert make_indicator(a.project, "incidents").direction.value == "lower"
    assert make_indicator(a.project, "clicks").direction.value == "higher"


def test_a_baseline_value_needs_its_date(agency) -> None:
    a = agency()
    from kpi.models import IndicatorKind

    with pytest.raises(services.KpiInputError) as refused:
        services.create_indicator(
            None,
            a.project,
            services.IndicatorFields(
                kind=IndicatorKind.AUDIENCE, baseline_value=D("100")
            ),
        )
    assert refused.value.field == "baseline_on"


def test_changing_an_indicator_bumps_its_version_only_when_something_changed(
    agency, make_indicator
) -> None:
    a = agency()
    indicator = make_indicator(a.project, "audience", target_value="100")
    fields = services.IndicatorFields(
        kind=indicator.kind,
        name=indicator.name,
        unit=indicator.unit,
        direction=indicator.direction,
        frequency=indicator.frequency,
        target_value=D("100.0"),
    )
    assert services.update_indicator(None, indicator, fields) is False
    assert indicator.version == 1
    changed = services.IndicatorFields(**{**fields.__dict__, "target_value": D("120")})
    assert services.update_indicator(None, indicator, changed) is True
    assert indicator.version == 2


def test_the_frequency_cannot_change_once_values_exist(agency, make_indicator) -> None:
    a = agency()
    indicator = make_indicator(a.project, "audience")
    services.record_measurement(None, indicator, day=date(2024, 3, 5), value="10")
    from kpi.models import Frequency

    fields = services.IndicatorFields(
        kind=indicator.kind, frequency=Frequency.DAY, name=indicator.name
    )
    with pytest.raises(services.KpiInputError) as refused:
        services.update_indicator(None, indicator, fields)
    assert refused.value.field == "frequency"


# ---------------------------------------------------------------- manual entry


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1\u202f234,50", "1234.5"),
        ("42", "42"),
    ],
)
def test_manual_entry_reads_french_and_english_numbers(
    agency, make_indicator, typed, stored
) -> None:
    a = agency()
    indicator = make_indicator(a.project, "audience")
    measurement, changed = services.record_measurement(
        None, indicator, day=date(2024, 3, 17), value=typed
    )
    assert changed and measurement.value == D(stored)
    assert measurement.period_start == date(2024, 3, 1)
    assert measurement.source == Source.MANUAL


@pytest.mark.parametrize(
    "typed",
    ["douze", "100000000000000", "1,23456", "12.34567", ""],
)
def test_manual_entry_refuses_what_cannot_be_stored_exactly(
    agency, make_indicator, typed
) -> None:
    a = agency()
    indicator = make_indicator(a.project, "audience")
    with pytest.raises(services.KpiInputError) as refused:
        services.record_measurement(None, indicator, day=date(2024, 3, 1), value=typed)
    assert refused.value.field == "value"
    assert _stored(indicator) == []


def test_a_ratio_is_entered_as_its_two_components(agency, make_indicator) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click")
    measurement, _ = services.record_measurement(
        None, cpc, day=date(2024, 3, 1), numerator="4 203,15", denominator="9388"
    )
    assert (measurement.numerator, measurement.denominator) == (D("4203.15"), D("9388"))
    assert measurement.value == D("0.4477")
    zero, _ = services.record_measurement(
        None, cpc, day=date(2024, 4, 1), numerator="0", denominator="0"
    )
    assert zero.value is None
    with pytest.raises(services.KpiInputError):
        services.record_measurement(
            None, cpc, day=date(2024, 5, 1), numerator="10", denominator="-1"
        )


def test_entering_the_same_value_twice_changes_nothing(agency, make_indicator) -> None:
    a = agency()
    indicator = make_indicator(a.project, "audience")
    services.record_measurement(None, indicator, day=date(2024, 3, 1), value="10")
    _m, changed = services.record_measurement(
        None, indicator, day=date(2024, 3, 31), value="10,0"
    )
    assert not changed
    assert len(_stored(indicator)) == 1


# ---------------------------------------------------------------- aggregation


def test_quarter_cost_per_click_is_computed_in_sql_from_the_components(
    agency, make_indicator
) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click", target_value="0.5")
    for day, cost, clicks in [
        (date(2024, 1, 1), "100", "1000"),
        (date(2024, 2, 1), "90", "100"),
        (date(2024, 3, 1), "0", "0"),
        (date(2024, 4, 1), "5", "0"),
    ]:
        services.record_measurement(
            None, cpc, day=day, numerator=cost, denominator=clicks
        )
    [summary] = services.summaries([cpc], "quarter")
    rows = summary.table.to_dict("records")
    assert [r["bucket"] for r in rows] == ["2024-Q1", "2024-Q2"]
    assert rows[0]["value"] == D("0.1727") and rows[0]["status"] == "met"
    assert rows[1]["value"] is None and rows[1]["status"] == "no_data"
    [months] = services.summaries([cpc], "month")
    assert [r["value"] for r in months.table.to_dict("records")] == [
        D("0.1000"),
        D("0.9000"),
        None,
        None,
    ]
    assert summary.latest == D("0.1727") and summary.status == "met"


# ---------------------------------------------------------------- imports of real files


@pytest.mark.parametrize(
    ("name", "kind", "series", "frequency", "expected"),
    [
        # README, "Values to assert against"
        (
            "ga4_pages-and-screens_page-path-and-screen-class.csv",
            "audience",
            "views",
            "month",
            {"2024": "13301"},
        ),
        (
            "ga4_events_event-name.csv",
            "clicks",
            "event:image_click",
            "month",
            {"2024": "2841"},
        ),
        (
            "ga4_events_event-name.csv",
            "clicks",
            "event:gallery_zoom",
            "month",
            {"2024": "967"},
        ),
        (
            "ua_audience-overview_en-us.csv",
            "audience",
            "sessions",
            "day",
            {"2019": "34324"},
        ),
        (
            "ua_audience-overview_en-us.csv",
            "audience",
            "users",
            "day",
            {"2019": "28428"},
        ),
        (
            "ua_audience-overview_fr.csv",
            "audience",
            "sessions",
            "day",
            {"2019": "32324"},
        ),
        (
            "google-search-console_performance_dates.csv",
            "audience",
            "clicks",
            "day",
            {"2024": "1630"},
        ),
        (
            "google-search-console_performance_dates.csv",
            "audience",
            "impressions",
            "day",
            {"2024": "48157"},
        ),
        (
            "google-search-console_performance-on-search.zip",
            "audience",
            "clicks",
            "day",
            {"2024": "1630"},
        ),
        (
            "matomo_api_visitssummary-get_day_2024-03.csv",
            "audience",
            "visits",
            "day",
            {"2024": "9979"},
        ),
        (
            "matomo_api_contents-getcontentnames_week_2024-03.csv",
            "clicks",
            "interactions",
            "week",
            {"2024": "1719"},
        ),
        ("plausible_visitors.csv", "audience", "visitors", "day", {"2024": "6294"}),
        ("plausible_visitors.csv", "audience", "pageviews", "day", {"2024": "16981"}),
        (
            "plausible_dashboard-export_2024-03.zip",
            "audience",
            "pageviews",
            "month",
            {"2024": "16981"},
        ),
        (
            "glpi10_tickets_search-export_fr.csv",
            "incidents",
            "incidents",
            "month",
            {"2024": "7"},
        ),
        (
            "glpi11_tickets_search-export_fr.csv",
            "incidents",
            "incidents",
            "day",
            {"2024": "7"},
        ),
        (
            "glpi11_tickets_search-export_fr.xlsx",
            "incidents",
            "incidents",
            "week",
            {"2024": "7"},
        ),
    ],
)
def test_real_exports_store_the_documented_totals(
    agency, make_indicator, name, kind, series, frequency, expected
) -> None:
    a = agency(starts_on=date(2019, 1, 1))
    indicator = make_indicator(a.project, kind, frequency=frequency)
    batch, _preview = _import(a.project, indicator, name, series)
    assert batch is not None and batch.rows_rejected == 0
    totals = {row["bucket"]: row["value"] for row in _yearly(indicator)}
    assert totals == {year: D(value) for year, value in expected.items()}


def test_day_rows_and_ratio_components_match_the_documented_counts(
    agency, make_indicator
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    batch, _ = _import(
        a.project, visits, "matomo_api_visitssummary-get_day_2024-03.csv", "visits"
    )
    assert batch.rows_stored == 29  # 2024-03-10 and 2024-03-24 are absent
    assert date(2024, 3, 10) not in {m.period_start for m in _stored(visits)}
    reading = make_indicator(a.project, "reading_time")
    _import(
        a.project,
        reading,
        "matomo_api_visitssummary-get_day_2024-03.csv",
        "engagement_time",
    )
    [march] = _stored(reading)
    assert (march.numerator, march.denominator) == (D("1875759"), D("9979"))
    assert march.value == D("187.9706")  # about 188 s per visit


def test_google_ads_cost_per_click_is_cost_over_clicks(agency, make_indicator) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click")
    _import(a.project, cpc, "google-ads_campaign-report.csv", "cpc")
    [march] = _stored(cpc)
    assert (march.numerator, march.denominator) == (D("4203.15"), D("9388"))
    assert march.value.quantize(D("0.01")) == D("0.45")
    keywords = make_indicator(a.project, "cost_per_click", name="Mots clés")
    _import(a.project, keywords, "google-ads_search-keyword-report.csv", "cpc")
    [row] = _stored(keywords)
    assert (row.numerator, row.denominator) == (D("2352.75"), D("4178"))


def test_microsoft_ads_daily_rows_roll_up_into_a_month(agency, make_indicator) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click")
    batch, _ = _import(
        a.project, cpc, "microsoft-ads_campaign-performance-report_daily.csv", "cpc"
    )
    assert batch.rows_read == 60  # "Rows: 60"
    [march] = _stored(cpc)
    assert (march.numerator, march.denominator) == (D("463.48"), D("950"))
    assert march.value.quantize(D("0.01")) == D("0.49")


def test_weeks_are_counted_in_the_month_of_their_monday_with_a_warning(
    agency, make_indicator
) -> None:
    a = agency()
    clicks = make_indicator(a.project, "clicks")
    _batch, preview = _import(
        a.project,
        clicks,
        "matomo_api_contents-getcontentnames_week_2024-03.csv",
        "interactions",
    )
    stored = {m.period_start: m.value for m in _stored(clicks)}
    assert set(stored) == {date(2024, 2, 1), date(2024, 3, 1)}
    assert sum(stored.values()) == D("1719")
    assert any("lundi" in w for t in preview.targets for w in t.warnings)


def test_a_monthly_file_cannot_feed_a_daily_indicator(agency, make_indicator) -> None:
    a = agency()
    daily = make_indicator(a.project, "audience", frequency="day")
    with pytest.raises(services.KpiInputError, match="par mois"):
        _import(
            a.project,
            daily,
            "ga4_pages-and-screens_page-path-and-screen-class.csv",
            "views",
        )
    assert _stored(daily) == []
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_values_outside_the_project_span_are_stored_with_a_warning(
    agency, make_indicator
) -> None:
    a = agency(starts_on=date(2024, 3, 15))
    visits = make_indicator(a.project, "audience", frequency="day")
    _batch, preview = _import(a.project, visits, "plausible_visitors.csv", "visitors")
    [warning] = [w for t in preview.targets for w in t.warnings]
    assert "14 valeur(s) hors de la période du projet" in warning


def test_reimporting_the_same_file_changes_nothing(agency, make_indicator) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    first, _ = _import(
        a.project, visits, "google-search-console_performance_dates.csv", "clicks"
    )
    assert (first.rows_stored, first.rows_updated) == (31, 0)
    before = [(m.id, m.value, m.updated_at) for m in _stored(visits)]
    again, _preview = _import(
        a.project,
        visits,
        "google-search-console_performance_dates.csv",
        "clicks",
        now=datetime(2024, 5, 1, tzinfo=UTC),
    )
    assert (again.rows_stored, again.rows_updated, again.rows_unchanged) == (0, 0, 31)
    assert [(m.id, m.value, m.updated_at) for m in _stored(visits)] == before


def test_deleting_a_project_leaves_no_value_pointing_at_a_missing_import(
    agency, make_indicator
) -> None:
    """``import_batch_id`` is not a foreign key (migration 0013): a batch only goes
    with its project, and the project's values go with it."""
    from members.models import Project

    a, other = agency(), agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    kept = make_indicator(other.project, "audience", frequency="day")
    _import(a.project, visits, "google-search-console_performance_dates.csv", "clicks")
    _import(
        other.project, kept, "google-search-console_performance_dates.csv", "clicks"
    )
    db.session.execute(sa_delete(Project).where(Project.id == a.project.id))
    db.session.commit()
    dangling = db.session.scalar(
        select(func.count())
        .select_from(Measurement)
        .where(
            Measurement.import_batch_id.is_not(None),
            Measurement.import_batch_id.not_in(select(ImportBatch.id)),
        )
    )
    assert dangling == 0
    assert len(_stored(kept)) == 31
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1


def test_undoing_an_import_restores_the_values_it_replaced(
    agency, make_indicator
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    services.record_measurement(None, visits, day=date(2024, 3, 1), value="5")
    services.record_measurement(None, visits, day=date(2024, 2, 1), value="7")
    batch, _ = _import(
        a.project, visits, "google-search-console_performance_dates.csv", "clicks"
    )
    assert (batch.rows_stored, batch.rows_updated) == (30, 1)
    assert len(_stored(visits)) == 32
    result = services.undo_import(None, batch, now=NOW)
    assert result == {"removed": 30, "restored": 1, "kept": 0}
    assert {(m.period_start, m.value, m.source) for m in _stored(visits)} == {
        (date(2024, 3, 1), D("5"), Source.MANUAL),
        (date(2024, 2, 1), D("7"), Source.MANUAL),
    }
    assert batch.undone_at == NOW
    with pytest.raises(services.KpiInputError):
        services.undo_import(None, batch, now=NOW)


def test_an_import_changed_by_a_later_import_is_undone_after_it(
    agency, make_indicator
) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click")
    first, _ = _import(a.project, cpc, "google-ads_campaign-report.csv", "cpc")
    second, _ = _import(a.project, cpc, "google-ads_search-keyword-report.csv", "cpc")
    assert second.rows_updated == 1
    with pytest.raises(services.KpiInputError, match="plus récent"):
        services.undo_import(None, first, now=NOW)
    services.undo_import(None, second, now=NOW)
    [row] = _stored(cpc)
    assert row.denominator == D("9388") and row.import_batch_id == first.id
    services.undo_import(None, first, now=NOW)
    assert _stored(cpc) == []


def test_a_value_typed_after_an_import_survives_its_undo(
    agency, make_indicator
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    batch, _ = _import(
        a.project, visits, "google-search-console_performance_dates.csv", "clicks"
    )
    services.record_measurement(
        None, visits, day=date(2024, 3, 5), value="999", replace=True
    )
    services.undo_import(None, batch, now=NOW)
    assert [(m.period_start, m.value) for m in _stored(visits)] == [
        (date(2024, 3, 5), D("999"))
    ]


def test_a_single_period_report_is_dated_before_import(agency, make_indicator) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience")
    with pytest.raises(services.KpiInputError, match="période"):
        _import(
            a.project, visits, "google-search-console_performance_queries.csv", "clicks"
        )
    batch, _ = _import(
        a.project,
        visits,
        "google-search-console_performance_queries.csv",
        "clicks",
        period=(date(2024, 3, 1), date(2024, 3, 31)),
    )
    assert batch.rows_stored == 1


def test_a_dry_run_stores_nothing(agency, make_indicator) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    batch, preview = _import(
        a.project, visits, "plausible_visitors.csv", "visitors", dry_run=True
    )
    assert batch is None and preview.counts["new"] == 31
    assert _stored(visits) == []


def test_propose_targets_matches_kinds(agency, make_indicator) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click")
    export = parse_export(export_bytes("google-ads_campaign-report.csv"))
    assert services.propose_targets(export, [cpc]) == {"cpc": cpc.id}


# ---------------------------------------------------------------- pending uploads


def test_an_upload_waits_for_confirmation_and_a_pdf_is_refused(
    agency, make_indicator
) -> None:
    a = agency()
    make_indicator(a.project, "audience", frequency="day")
    with pytest.raises(ImportRefused, match="PDF"):
        services.start_upload(None, a.project, data=b"%PDF-1.7 ...", file_name="x.csv")
    pending = services.start_upload(
        None, a.project, data=export_bytes("plausible_visitors.csv"), file_name="p.csv"
    )
    assert services.get_pending(a.member.id, pending.id) is not None
    assert services.get_pending(a.member.id + 1, pending.id) is None
    assert services.get_pending(a.member.id, "../../etc/passwd") is None
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_an_unknown_layout_goes_through_a_mapping(agency, make_indicator) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    data = (
        b"Jour;Visites;Notes\n01/03/2024;1 204;ok\n02/03/2024;abc;x\n03/03/2024;12,5;\n"
    )
    pending = services.start_upload(None, a.project, data=data, file_name="mine.csv")
    assert pending.needs_mapping and pending.columns == ["Jour", "Visites", "Notes"]
    from kpi.importers import ColumnMapping

    services.set_mapping(
        pending,
        ColumnMapping(
            date_column="Jour", value_columns=["Visites"], decimal_separator=","
        ),
    )
    export = services.parse_pending(pending)
    [rejected] = export.rejected
    assert rejected.line == 3
    key = export.series[0].key
    batch = services.confirm_upload(None, a.project, pending, {key: visits.id}, now=NOW)
    assert (batch.rows_stored, batch.rows_rejected) == (2, 1)
    assert [m.value for m in _stored(visits)] == [D("1204"), D("12.5")]
    assert services.get_pending(a.member.id, pending.id) is None
