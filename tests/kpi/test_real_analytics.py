"""Matomo and Plausible exports written by the tools' own code (their public
repositories, tests/data/kpi-exports/real), and the shared vocabulary that reads
the same report in every UI language. Figures read on the files by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpi.errors import ImportRefused
from kpi.importers import ParsedExport, Series, parse_export, vocabulary

REAL = Path(__file__).resolve().parents[1] / "data" / "kpi-exports" / "real"
DAY = (date(2010, 1, 3), date(2010, 1, 3))


def read(name: str) -> bytes:
    return (REAL / name).read_bytes()


def parse(data: bytes, **kwargs: object) -> ParsedExport:
    return parse_export(data, "export.bin", **kwargs)  # type: ignore[arg-type]


def values(series: Series) -> dict[date, Decimal | None]:
    return {point.period_start: point.value for point in series.points}


# --------------------------------------------------------------------------- #
# Matomo
# --------------------------------------------------------------------------- #


def test_matomo_german_visits_summary_gives_the_day_asked_for() -> None:
    export = parse(read("matomo_visits-summary_de_utf16.csv"), period=DAY)
    assert export.format == "matomo_visits"
    assert values(export.series_by_key("visits")) == {date(2010, 1, 3): 2}
    assert values(export.series_by_key("unique_visitors")) == {date(2010, 1, 3): 2}
    assert values(export.series_by_key("actions")) == {date(2010, 1, 3): 2}
    # "Von Besuchern verbrachte Gesamtzeit" 542 s over 2 visits.
    [point] = export.series_by_key("engagement_time").points
    assert (point.numerator, point.denominator) == (542, 2)
    assert point.value == 271


def test_matomo_german_visits_summary_without_period_asks_for_it() -> None:
    export = parse(read("matomo_visits-summary_de_utf16.csv"))
    assert export.format == "matomo_visits"
    assert all(not series.points for series in export.series)
    assert any("période" in warning for warning in export.warnings)


def test_matomo_weekly_raw_export_stores_one_week() -> None:
    export = parse(read("matomo_visits-summary_week_raw_utf16.csv"))
    assert export.format == "matomo_visits"
    visits = export.series_by_key("visits")
    assert visits.granularity == "week"
    assert values(visits) == {date(2009, 12, 28): 2}


def test_matomo_all_metrics_export_of_a_month() -> None:
    """``API.get`` (every plugin's metrics, 96 English columns): the month's
    visits, unique visitors, actions and 1622 s spent over 2 visits."""
    export = parse(read("matomo_api-get_month_en_utf16.csv"))
    assert export.format == "matomo_visits"
    march = date(2010, 3, 1)
    assert export.series_by_key("visits").granularity == "month"
    assert values(export.series_by_key("visits")) == {march: 2}
    assert values(export.series_by_key("unique_visitors")) == {march: 1}
    assert values(export.series_by_key("actions")) == {march: 8}
    [point] = export.series_by_key("engagement_time").points
    assert (point.numerator, point.denominator, point.value) == (1622, 2, 811)


def test_matomo_flattened_contents_count_each_impression_once() -> None:
    """The flat export lists ``ImageAd`` (8 impressions) then its three pieces:
    only the top-level rows count, as in Matomo's own table (8 + 6 + 4)."""
    export = parse(read("matomo_content-names_flat_de_utf16.csv"), period=DAY)
    assert export.format == "matomo_contents"
    assert values(export.series_by_key("impressions")) == {date(2010, 1, 3): 18}
    assert values(export.series_by_key("interactions")) == {date(2010, 1, 3): 6}


#: Matomo's own translations (lang/*.json) of the German summary's columns.
_SUMMARY = {
    "fr": (
        "Visiteurs uniques",
        "Utilisateurs",
        "Visites",
        "Actions",
        "Temps total passé par les visiteurs (en secondes)",
        "Durée moy. des visites (en secondes)",
    ),
    "es": (
        "Visitantes únicos",
        "Usuarios",
        "Visitas",
        "Acciones",
        "Tiempo total de los visitantes en el sitio (en segundos)",
        "Promedio de duración de las visitas (en segundos)",
    ),
    "pt-br": (
        "Visitantes únicos",
        "Usuários",
        "Visitas",
        "Ações",
        "Tempo total gasto pelos visitantes (em segundos)",
        "Média da duração das visitas (em segundos)",
    ),
    "it": (
        "Visitatori unici",
        "Utenti",
        "Visite",
        "Azioni nel sito",
        "Durata totale delle visite (in secondi)",
        "Durata media delle visite (in secondi)",
    ),
    "en": (
        "Unique visitors",
        "Users",
        "Visits",
        "Actions",
        "Total time spent by visitors (in seconds)",
        "Avg. Visit Duration (in seconds)",
    ),
}
_GERMAN = (
    "Eindeutige Besucher",
    "Benutzer",
    "Besuche",
    "Aktionen",
    "Von Besuchern verbrachte Gesamtzeit (in Sekunden)",
    "Durchschn. Besuchszeit (in Sekunden)",
)


@pytest.mark.parametrize("language", sorted(_SUMMARY))
def test_matomo_summary_in_another_language_is_the_same_format(language) -> None:
    text = read("matomo_visits-summary_de_utf16.csv").decode("utf-16")
    for german, local in zip(_GERMAN, _SUMMARY[language], strict=True):
        text = text.replace(german, local, 1)
    export = parse(text.encode("utf-16"), period=DAY)
    assert export.format == "matomo_visits"
    assert values(export.series_by_key("visits")) == {date(2010, 1, 3): 2}
    assert export.series_by_key("engagement_time").points[0].value == 271


# --------------------------------------------------------------------------- #
# Plausible
# --------------------------------------------------------------------------- #


def test_plausible_six_months_are_monthly_visits() -> None:
    export = parse(read("plausible_visitors_6-months.csv"))
    assert export.format == "plausible_visitors"
    visits = export.series_by_key("visits")
    assert visits.granularity == "month"
    assert len(visits.points) == 6
    assert values(visits)[date(2021, 10, 1)] == 3
    assert sum(p.value or 0 for p in visits.points) == 5
    assert sum(p.value or 0 for p in export.series_by_key("pageviews").points) == 6
    # October: 3 visits of 40 s on average (a month without visits: no duration).
    october = values(export.series_by_key("engagement_time"))[date(2021, 10, 1)]
    assert october == 40


def test_plausible_thirty_days_with_empty_days() -> None:
    export = parse(read("plausible_visitors_30-days.csv"))
    visits = export.series_by_key("visits")
    assert visits.granularity == "day"
    assert len(visits.points) == 31  # 20 Sep - 20 Oct 2021, quiet days are 0
    assert values(visits)[date(2021, 10, 19)] == 2
    assert sum(p.value or 0 for p in visits.points) == 4
    assert not export.rejected


# --------------------------------------------------------------------------- #
# The vocabulary of analytics tools
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("Besuche", "metric:visits"),
        ("Visitas", "metric:visits"),
        ("nb_visits", "metric:visits"),
        ("Visitatori unici", "metric:unique_visitors"),
        ("Ações", "metric:actions"),
        ("Seitenansichten", "metric:pageviews"),
        ("Pages vues", "metric:pageviews"),
        ("Temps moyen passé sur la page", "metric:avg_time_on_page"),
        ("Index des jours", "date:day_index"),
        ("Año y mes", "date:year_month"),
        ("TimePeriod", "date:time_period"),
        ("Spend", "metric:ms_spend"),
        ("Code de la devise", "metric:currency"),
        ("Requêtes les plus fréquentes", "dim:gsc_query"),
        ("Término de búsqueda", "dim:search_term"),
        ("Bezeichnung", "dim:label"),
        ("Inhaltsinteraktionen", "metric:interactions"),
    ],
)
def test_analytics_names_in_the_ui_languages(name, concept) -> None:
    assert vocabulary.is_word(name, concept)


def test_a_generic_word_is_no_matomo_report() -> None:
    """A table of visits by day from another tool is not taken for Matomo: it
    goes to the column mapping."""
    with pytest.raises(ImportRefused) as refused:
        parse(b"Date,Visits\n2024-03-01,5\n2024-03-02,7\n")
    assert refused.value.columns == ["Date", "Visits"]


# --------------------------------------------------------------------------- #
# Universal Analytics and Microsoft Advertising in other UI languages
# --------------------------------------------------------------------------- #

SHARED = Path(__file__).resolve().parents[1] / "data" / "kpi-exports"


@pytest.mark.parametrize(
    ("day", "sessions", "pageviews"),
    [
        # The Spanish, German and Italian names are marked unverified in the
        # vocabulary: no real UA export in these languages was found.
        ("Índice de días", "Sesiones", None),
        ("Tagesindex", "Sitzungen", None),
        ("Indice giorno", "Sessioni", None),
    ],
)
def test_ua_audience_in_another_language_is_the_same_format(
    day, sessions, pageviews
) -> None:
    text = (SHARED / "ua_audience-overview_fr.csv").read_text("utf-8")
    text = text.replace("Index des jours,Sessions", f"{day},{sessions}")
    export = parse(text.encode())
    assert export.format == "ua_audience"
    series = export.series_by_key("sessions")
    assert len(series.points) == 31
    assert sum(p.value or 0 for p in series.points) == 32324


def test_ua_pages_in_french_find_views_and_time_on_page() -> None:
    text = (SHARED / "ua_behavior_all-pages_en-gb.csv").read_text("utf-8")
    text = text.replace(
        "Page,Pageviews,Unique Pageviews,Avg. Time on Page",
        "Page,Pages vues,Vues uniques,Temps moyen passé sur la page",
    )
    english = parse((SHARED / "ua_behavior_all-pages_en-gb.csv").read_bytes())
    french = parse(text.encode(), period=(date(2019, 3, 1), date(2019, 3, 31)))
    assert french.format == "ua_pages"
    for key in ("pageviews", "engagement_time"):
        assert [p.value for p in french.series_by_key(key).points] == [
            p.value for p in english.series_by_key(key).points
        ]


def test_microsoft_ads_columns_are_found_through_the_vocabulary() -> None:
    data = (SHARED / "microsoft-ads_campaign-performance-report_daily.csv").read_bytes()
    export = parse(data)
    assert export.format == "microsoft_ads"
    cost = export.series_by_key("cost")
    assert cost.unit == "EUR"
    # The shared README's figures: 60 rows, Clicks = 950, Spend = 463.48.
    assert sum(p.value or 0 for p in cost.points) == Decimal("463.48")
    clicks = export.series_by_key("clicks")
    assert sum(p.value or 0 for p in clicks.points) == 950


def test_microsoft_ads_ui_download_names() -> None:
    """A report downloaded from the web UI names its columns for people
    (``Campaign name``, ``Spend``, ``Currency code``) instead of API names."""
    data = (SHARED / "microsoft-ads_campaign-performance-report_daily.csv").read_bytes()
    data = data.replace(b'"TimePeriod"', b'"Time period"').replace(
        b'"CurrencyCode"', b'"Currency code"'
    )
    export = parse(data)
    assert export.series_by_key("cost").unit == "EUR"
    assert sum(p.value or 0 for p in export.series_by_key("clicks").points) == 950


def test_every_unverified_name_is_a_word_of_its_concept() -> None:
    """The list of names not yet seen in a real file stays in step with the
    vocabulary (a name corrected in one place is corrected in the other)."""
    from kpi.importers.vocabulary_analytics import UNVERIFIED

    for concept, names in UNVERIFIED.items():
        for name in names:
            assert name in vocabulary.words(concept), (concept, name)
