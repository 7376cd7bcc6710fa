"""Pure tests of satisfaction.scoring: hand-computed scores, edges, frames."""

from __future__ import annotations

import gettext
import io
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from satisfaction import scoring
from satisfaction.errors import InvalidAnswerError, SurveyError
from satisfaction.scoring import (
    MIN_ANSWERS,
    SCORE_COLUMNS,
    VALUE_RANGES,
    Score,
    ces,
    ces_from_counts,
    csat,
    csat_from_counts,
    mean_rating,
    mean_rating_from_counts,
    needs_alert,
    nps,
    nps_from_counts,
    response_rate,
    score_from_counts,
    scores_by_period,
    scores_from_count_frame,
    validate_value,
)

ROOT = Path(__file__).resolve().parents[2]


# --- NPS


def test_nps_of_ten_answers_is_promoters_minus_detractors() -> None:
    # promoters 10, 9, 9, 10, 9 = 5; passives 8, 7; detractors 6, 5, 3 = 3
    result = nps([10, 9, 9, 8, 7, 6, 5, 3, 10, 9])

    assert result.value == pytest.approx(20.0)
    assert result.n == 10
    assert result.is_reliable is True
    assert result.distribution == {
        0: 0, 1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: 1, 7: 1, 8: 1, 9: 3, 10: 2,
    }  # fmt: skip


def test_nps_of_all_promoters_is_100() -> None:
    assert nps([9, 10, 9, 10, 10]).value == pytest.approx(100.0)


def test_nps_of_all_detractors_is_minus_100() -> None:
    assert nps([0, 6, 3, 5, 1, 2]).value == pytest.approx(-100.0)


def test_nps_of_passives_only_is_zero() -> None:
    assert nps([7, 8, 7, 8, 8]).value == pytest.approx(0.0)


def test_nps_with_no_answer_has_no_value_and_an_empty_distribution() -> None:
    result = nps([])

    assert result == Score(
        value=None, n=0, distribution=dict.fromkeys(range(11), 0), is_reliable=False
    )


def test_a_score_on_fewer_than_five_answers_is_computed_but_flagged() -> None:
    result = nps([10, 10, 3, 8])

    assert MIN_ANSWERS == 5
    assert result.value == pytest.approx(25.0)
    assert result.n == 4
    assert result.is_reliable is False


def test_five_answers_are_enough_to_be_reliable() -> None:
    assert nps([10, 10, 3, 8, 9]).is_reliable is True


def test_one_answer_still_gives_a_value() -> None:
    result = csat([5])

    assert result.value == pytest.approx(100.0)
    assert result.is_reliable is False


def test_nps_from_counts_gives_the_same_score_as_the_answers() -> None:
    answers = [10, 9, 9, 8, 7, 6, 5, 3, 10, 9]

    from_counts = nps_from_counts({10: 2, 9: 3, 8: 1, 7: 1, 6: 1, 5: 1, 3: 1})

    assert from_counts == nps(answers)


def test_counts_with_zero_entries_are_accepted() -> None:
    result = nps_from_counts({10: 3, 0: 0, 6: 1})

    assert result.value == pytest.approx(50.0)
    assert result.n == 4


def test_counts_from_sql_may_use_numpy_integers() -> None:
    counts = pd.Series([3, 1], index=[10, 6]).to_dict()

    assert nps_from_counts(counts).value == pytest.approx(50.0)


# --- CSAT, CES, mean rating


def test_csat_is_the_share_of_4_and_5() -> None:
    # 5, 4, 5 satisfied out of 6
    result = csat([5, 4, 3, 2, 1, 5])

    assert result.value == pytest.approx(50.0)
    assert result.distribution == {1: 1, 2: 1, 3: 1, 4: 1, 5: 2}


def test_ces_is_the_share_of_5_to_7() -> None:
    # 7, 6, 5 out of 5 answers
    assert ces([7, 6, 5, 4, 1]).value == pytest.approx(60.0)


def test_mean_rating_is_the_plain_mean() -> None:
    result = mean_rating([5, 4, 4, 3])

    assert result.value == pytest.approx(4.0)
    assert result.n == 4


@pytest.mark.parametrize(
    ("from_counts", "counts", "expected"),
    [
        (csat_from_counts, {5: 3, 1: 1}, 75.0),
        (ces_from_counts, {7: 1, 4: 3}, 25.0),
        (mean_rating_from_counts, {1: 1, 5: 3}, 4.0),
        (nps_from_counts, {10: 1, 0: 3}, -50.0),
    ],
)
def test_each_score_has_a_counts_version(
    from_counts: Callable[[Mapping[int, int]], Score],
    counts: dict[int, int],
    expected: float,
) -> None:
    assert from_counts(counts).value == pytest.approx(expected)


def test_score_from_counts_dispatches_on_the_question_type() -> None:
    assert score_from_counts("csat", {4: 1, 2: 1}) == csat([4, 2])


@given(st.lists(st.integers(min_value=0, max_value=10), max_size=60))
def test_nps_matches_its_definition_for_any_answers(answers: list[int]) -> None:
    result = nps(answers)

    assert result == nps_from_counts(Counter(answers))
    assert result.n == len(answers)
    if answers:
        promoters = sum(1 for a in answers if a >= 9)
        detractors = sum(1 for a in answers if a <= 6)
        expected = 100 * (promoters - detractors) / len(answers)
        assert result.value == pytest.approx(expected)
        assert -100 <= (result.value or 0) <= 100
    else:
        assert result.value is None


# --- validation


def test_value_ranges_are_those_of_the_questionnaires() -> None:
    assert dict(VALUE_RANGES) == {
        "nps": (0, 10),
        "csat": (1, 5),
        "ces": (1, 7),
        "rating_1_5": (1, 5),
    }


@pytest.mark.parametrize(
    ("question_type", "value"),
    [
        ("nps", -1),
        ("nps", 11),
        ("csat", 0),
        ("csat", 6),
        ("ces", 0),
        ("ces", 8),
        ("rating_1_5", 0),
        ("rating_1_5", 6),
    ],
)
def test_values_out_of_range_raise_value_error(question_type: str, value: int) -> None:
    with pytest.raises(ValueError):
        scoring.score(question_type, [value])
    with pytest.raises(ValueError):
        score_from_counts(question_type, {value: 1})


def test_out_of_range_error_says_which_scale_in_french() -> None:
    with pytest.raises(InvalidAnswerError) as caught:
        nps([9, 11])

    assert isinstance(caught.value, SurveyError)
    assert str(caught.value) == "La réponse 11 est hors de l'échelle de 0 à 10."


@pytest.mark.parametrize("value", [4.5, "5", True])
def test_non_integer_answers_are_refused(value: object) -> None:
    with pytest.raises(InvalidAnswerError, match="pas un nombre entier"):
        validate_value("csat", value)


def test_a_missing_answer_is_refused() -> None:
    with pytest.raises(InvalidAnswerError, match="Réponse manquante"):
        validate_value("csat", None)
    with pytest.raises(InvalidAnswerError, match="Réponse manquante"):
        validate_value("csat", float("nan"))


def test_an_integral_float_is_accepted_as_pandas_stores_it() -> None:
    assert validate_value("nps", 9.0) == 9


def test_unknown_question_type_raises() -> None:
    with pytest.raises(ValueError, match="not a scored question type"):
        score_from_counts("text", {1: 1})


def test_negative_counts_raise() -> None:
    with pytest.raises(ValueError, match="negative count"):
        nps_from_counts({10: 2, 3: -1})


# --- alerts and response rate


@pytest.mark.parametrize(
    ("question_type", "value", "expected"),
    [
        ("nps", 0, True),
        ("nps", 6, True),
        ("nps", 7, False),
        ("nps", 10, False),
        ("csat", 1, True),
        ("csat", 2, True),
        ("csat", 3, False),
        ("rating_1_5", 1, True),
        ("rating_1_5", 2, True),
        ("rating_1_5", 3, False),
        ("rating_1_5", 5, False),
        ("ces", 1, False),
        ("ces", 7, False),
    ],
)
def test_needs_alert(question_type: str, value: int, expected: bool) -> None:
    assert needs_alert(question_type, value) is expected


def test_needs_alert_refuses_a_value_out_of_range() -> None:
    with pytest.raises(ValueError):
        needs_alert("nps", 11)


def test_response_rate_is_responses_over_invitations() -> None:
    assert response_rate(3, 4) == pytest.approx(75.0)
    assert response_rate(0, 7) == pytest.approx(0.0)


def test_response_rate_without_invitations_is_none() -> None:
    assert response_rate(0, 0) is None


@pytest.mark.parametrize(("responses", "invitations"), [(5, 4), (-1, 4), (0, -1)])
def test_impossible_response_rates_raise(responses: int, invitations: int) -> None:
    with pytest.raises(ValueError):
        response_rate(responses, invitations)


# --- DataFrames


def _answers(*rows: tuple[str, str, str | None, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "answered_at": pd.to_datetime([row[0] for row in rows], utc=True),
            "question_type": [row[1] for row in rows],
            "commitment": pd.Series([row[2] for row in rows], dtype="object"),
            "value": [row[3] for row in rows],
        }
    )


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {**row, "period": str(row["period"])[:10]}
        for row in frame.to_dict(orient="records")
    ]


def test_scores_by_month_group_by_metric_and_commitment() -> None:
    df = _answers(
        ("2025-03-03T10:00:00Z", "nps", None, 10),
        ("2025-03-04T10:00:00Z", "nps", None, 9),
        ("2025-03-05T10:00:00Z", "nps", None, 3),
        ("2025-03-05T10:00:00Z", "rating_1_5", "delais", 4),
        ("2025-03-06T10:00:00Z", "rating_1_5", "delais", 2),
        ("2025-03-06T10:00:00Z", "rating_1_5", "prix", 5),
        ("2025-04-10T10:00:00Z", "csat", None, 5),
    )

    result = scores_by_period(df, period="month")

    assert list(result.columns) == list(SCORE_COLUMNS)
    assert _records(result) == [
        {
            "period": "2025-03-01",
            "metric": "nps",
            "commitment": None,
            "value": pytest.approx(100 / 3),
            "n": 3,
            "is_reliable": False,
        },
        {
            "period": "2025-03-01",
            "metric": "rating_1_5",
            "commitment": "delais",
            "value": pytest.approx(3.0),
            "n": 2,
            "is_reliable": False,
        },
        {
            "period": "2025-03-01",
            "metric": "rating_1_5",
            "commitment": "prix",
            "value": pytest.approx(5.0),
            "n": 1,
            "is_reliable": False,
        },
        {
            "period": "2025-04-01",
            "metric": "csat",
            "commitment": None,
            "value": pytest.approx(100.0),
            "n": 1,
            "is_reliable": False,
        },
    ]


def test_periods_follow_the_paris_calendar() -> None:
    # 22:30 UTC on 31 March is 00:30 on 1 April in Paris (summer time).
    df = _answers(
        ("2025-03-31T22:30:00Z", "csat", None, 5),
        ("2025-03-31T21:30:00Z", "csat", None, 1),
    )

    result = scores_by_period(df, period="month")

    assert [(row["period"], row["value"]) for row in _records(result)] == [
        ("2025-03-01", pytest.approx(0.0)),
        ("2025-04-01", pytest.approx(100.0)),
    ]


def test_naive_timestamps_are_taken_as_utc() -> None:
    df = pd.DataFrame(
        {
            "answered_at": pd.to_datetime(["2024-12-31T23:30:00"]),
            "question_type": ["nps"],
            "commitment": [None],
            "value": [10],
        }
    )

    result = scores_by_period(df, period="year")

    assert str(result["period"].iloc[0])[:10] == "2025-01-01"


def test_scores_by_quarter_and_reliability_from_five_answers() -> None:
    df = _answers(
        ("2025-01-15T10:00:00Z", "nps", None, 10),
        ("2025-02-15T10:00:00Z", "nps", None, 10),
        ("2025-03-15T10:00:00Z", "nps", None, 9),
        ("2025-03-16T10:00:00Z", "nps", None, 6),
        ("2025-03-17T10:00:00Z", "nps", None, 8),
        ("2025-04-01T10:00:00Z", "nps", None, 0),
    )

    result = scores_by_period(df, period="quarter")

    assert _records(result) == [
        {
            "period": "2025-01-01",
            "metric": "nps",
            "commitment": None,
            "value": pytest.approx(40.0),
            "n": 5,
            "is_reliable": True,
        },
        {
            "period": "2025-04-01",
            "metric": "nps",
            "commitment": None,
            "value": pytest.approx(-100.0),
            "n": 1,
            "is_reliable": False,
        },
    ]


def test_count_frame_from_sql_gives_the_same_scores_as_the_answers() -> None:
    answers = _answers(
        ("2025-05-02T10:00:00Z", "ces", None, 7),
        ("2025-05-03T10:00:00Z", "ces", None, 7),
        ("2025-05-04T10:00:00Z", "ces", None, 2),
        ("2025-05-05T10:00:00Z", "rating_1_5", "suivi", 1),
    )
    counts = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-05-01"] * 4),
            "question_type": ["ces", "ces", "ces", "rating_1_5"],
            "commitment": [None, None, None, "suivi"],
            # rows may repeat a key (e.g. a UNION of two queries): counts add up
            "value": [7, 2, 7, 1],
            "count": [1, 1, 1, 1],
        }
    )

    from_counts = scores_from_count_frame(counts)

    pd.testing.assert_frame_equal(
        from_counts, scores_by_period(answers, period="month")
    )
    assert from_counts["value"].tolist() == pytest.approx([200 / 3, 1.0])


def test_an_empty_frame_gives_an_empty_score_frame() -> None:
    result = scores_by_period(_answers(), period="month")

    assert result.empty
    assert list(result.columns) == list(SCORE_COLUMNS)


def test_frames_missing_a_column_are_refused() -> None:
    with pytest.raises(ValueError, match="missing columns: commitment"):
        scores_by_period(_answers().drop(columns="commitment"), period="month")


def test_frames_with_unscored_question_types_are_refused() -> None:
    df = _answers(("2025-03-03T10:00:00Z", "text", None, 1))

    with pytest.raises(ValueError, match="not scored question types: \\['text'\\]"):
        scores_by_period(df, period="month")


def test_frames_with_out_of_range_values_are_refused() -> None:
    df = _answers(("2025-03-03T10:00:00Z", "csat", None, 9))

    with pytest.raises(InvalidAnswerError):
        scores_by_period(df, period="month")


def test_frames_with_a_missing_value_are_refused_not_skipped() -> None:
    df = _answers(("2025-03-03T10:00:00Z", "csat", None, 5))
    df.loc[1] = [pd.Timestamp("2025-03-04T10:00:00Z"), "csat", None, None]

    with pytest.raises(InvalidAnswerError, match="Réponse manquante"):
        scores_by_period(df, period="month")


def test_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown period"):
        scores_by_period(_answers(), period="week")  # type: ignore[arg-type]


# --- translations


def _catalog_messages(po: Path) -> dict[str, str]:
    with po.open("rb") as file:
        catalog = read_po(file)
    errors = [(message.id, problems) for message, problems in catalog.check()]
    assert errors == []
    return {str(message.id): str(message.string) for message in catalog if message.id}


@pytest.mark.parametrize("module", ["scoring.py", "recurrence.py"])
def test_every_message_has_an_english_translation(module: str) -> None:
    po = ROOT / "satisfaction/translations/en/LC_MESSAGES/messages.po"
    translations = _catalog_messages(po)

    msgids = [
        message
        for _, message, _, _ in extract_from_file(
            "python", ROOT / "satisfaction" / module, keywords={"_l": None}
        )
    ]

    assert msgids
    assert [m for m in msgids if not translations.get(str(m))] == []


def test_the_english_catalog_compiles_and_translates() -> None:
    with (ROOT / "satisfaction/translations/en/LC_MESSAGES/messages.po").open(
        "rb"
    ) as file:
        catalog = read_po(file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    english = gettext.GNUTranslations(buffer)

    message = "La réponse %(value)s est hors de l'échelle de %(low)s à %(high)s."

    assert english.gettext(message) % {"value": 11, "low": 0, "high": 10} == (
        "The answer 11 is outside the scale from 0 to 10."
    )
