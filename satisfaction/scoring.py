"""Satisfaction scores (NPS, CSAT, CES, mean rating per commitment), pure.

Every score is computed in one place, from a count distribution (answer value →
number of answers): dashboards pass the result of a SQL ``GROUP BY value``, the
sequence functions count their answers first, and the DataFrame functions group
then count. A score on fewer than :data:`MIN_ANSWERS` answers is flagged
unreliable, so that the UI shows the answers themselves rather than a
percentage that would pretend to a precision it does not have.

Scales and what counts as a "good" answer:

- ``nps`` (0–10): % promoters (9–10) minus % detractors (0–6), from −100 to 100.
- ``csat`` (1–5): % of answers 4–5.
- ``ces`` (1–7): % of answers 5–7. The question must be worded as in CES 2.0
  ("<member> made it easy for me to …", 1 = strongly disagree, 7 = strongly
  agree), so that higher is better, like every other score here.
- ``rating_1_5`` (1–5): mean rating, usually per charter commitment.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from satisfaction.errors import InvalidAnswerError

if TYPE_CHECKING:
    import pandas as pd

QuestionType = Literal["nps", "csat", "ces", "rating_1_5"]
Period = Literal["month", "quarter", "year"]

MIN_ANSWERS: Final = 5
"""Below this many answers a score is shown as its distribution, not a number."""

VALUE_RANGES: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating_1_5": (1, 5)}
)
"""Inclusive range of the valid answer values of each scored question type."""

SCORED_TYPES: Final = frozenset(VALUE_RANGES)

METRIC_LABELS: Final[Mapping[str, LazyString]] = MappingProxyType(
    {
        "nps": _l("Recommandation (NPS)"),
        "csat": _l("Satisfaction (CSAT)"),
        "ces": _l("Facilité (CES)"),
        "rating_1_5": _l("Note moyenne (sur 5)"),
    }
)

# An answer at or below this value raises an alert for the member. CES is left
# out on purpose: the charter asks for alerts on detractors and low ratings only.
_ALERT_AT_OR_BELOW: Final[Mapping[str, int]] = MappingProxyType(
    {"nps": 6, "csat": 2, "rating_1_5": 2}
)

PARIS: Final = ZoneInfo("Europe/Paris")

ANSWER_COLUMNS: Final = ("answered_at", "question_type", "commitment", "value")
COUNT_COLUMNS: Final = ("period", "question_type", "commitment", "value", "count")
SCORE_COLUMNS: Final = ("period", "metric", "commitment", "value", "n", "is_reliable")

_PERIOD_FREQ: Final[Mapping[str, str]] = MappingProxyType(
    {"month": "M", "quarter": "Q", "year": "Y"}
)


@dataclass(frozen=True)
class Score:
    """One score and what it was computed from.

    ``distribution`` lists every value of the scale, in order, with its number
    of answers (zeros included). ``value`` is ``None`` when nobody answered;
    it is computed from one answer on, but only ``is_reliable`` scores
    (``n >= MIN_ANSWERS``) should be displayed as a number.
    """

    value: float | None
    n: int
    distribution: dict[int, int]
    is_reliable: bool


def value_range(question_type: str) -> tuple[int, int]:
    """Return the inclusive (low, high) range of a scored question type.

    :raises ValueError: the question type is not scored.
    """
    try:
        return VALUE_RANGES[question_type]
    except KeyError:
        raise ValueError(
            f"not a scored question type: {question_type!r} "
            f"(expected one of {sorted(VALUE_RANGES)})"
        ) from None


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not an answer value")
    # pandas turns an int column holding a missing value into floats.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return operator.index(value)  # type: ignore[arg-type]


def validate_value(question_type: str, value: object) -> int:
    """Return ``value`` as an ``int`` if it is on the scale of ``question_type``.

    Integral floats (``9.0``, as pandas stores a column with a gap) are accepted.

    :raises InvalidAnswerError: missing, not an integer, or outside the scale.
    :raises ValueError: the question type is not scored.
    """
    low, high = value_range(question_type)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise InvalidAnswerError(_l("Réponse manquante."))
    try:
        number = _as_int(value)
    except TypeError:
        raise InvalidAnswerError(
            _l("La réponse « %(value)s » n'est pas un nombre entier.", value=value)
        ) from None
    if not low <= number <= high:
        raise InvalidAnswerError(
            _l(
                "La réponse %(value)s est hors de l'échelle de %(low)s à %(high)s.",
                value=number,
                low=low,
                high=high,
            )
        )
    return number


def needs_alert(question_type: str, value: int) -> bool:
    """Tell whether one answer should alert the member.

    True for an NPS detractor (0–6), a CSAT of 1–2 or a commitment rating of 1–2.

    :raises InvalidAnswerError: the value is outside the question's scale.
    :raises ValueError: the question type is not scored.
    """
    number = validate_value(question_type, value)
    threshold = _ALERT_AT_OR_BELOW.get(question_type)
    return threshold is not None and number <= threshold


def response_rate(responses: int, invitations: int) -> float | None:
    """Return responses / invitations sent, in % (``None`` if nothing was sent).

    :raises ValueError: negative numbers, or more responses than invitations.
    """
    if responses < 0 or invitations < 0:
        raise ValueError("responses and invitations cannot be negative")
    if responses > invitations:
        raise ValueError(
            f"more responses ({responses}) than invitations ({invitations})"
        )
    if invitations == 0:
        return None
    return 100.0 * responses / invitations


# --- scores from count distributions (the one place where scores are computed)


def _distribution(question_type: str, counts: Mapping[int, int]) -> dict[int, int]:
    low, high = value_range(question_type)
    distribution = dict.fromkeys(range(low, high + 1), 0)
    for raw_value, raw_count in counts.items():
        value = validate_value(question_type, raw_value)
        count = operator.index(raw_count)
        if count < 0:
            raise ValueError(f"negative count {count} for the answer {value}")
        distribution[value] += count
    return distribution


def _share(distribution: Mapping[int, int], values: Iterable[int]) -> int:
    return sum(distribution[value] for value in values)


def _nps_value(distribution: Mapping[int, int], n: int) -> float:
    promoters = _share(distribution, range(9, 11))
    detractors = _share(distribution, range(0, 7))
    return 100.0 * (promoters - detractors) / n


def _csat_value(distribution: Mapping[int, int], n: int) -> float:
    return 100.0 * _share(distribution, range(4, 6)) / n


def _ces_value(distribution: Mapping[int, int], n: int) -> float:
    return 100.0 * _share(distribution, range(5, 8)) / n


def _mean_value(distribution: Mapping[int, int], n: int) -> float:
    return sum(value * count for value, count in distribution.items()) / n


_VALUE_OF: Final[Mapping[str, Callable[[Mapping[int, int], int], float]]] = (
    MappingProxyType(
        {
            "nps": _nps_value,
            "csat": _csat_value,
            "ces": _ces_value,
            "rating_1_5": _mean_value,
        }
    )
)


def score_from_counts(question_type: str, counts: Mapping[int, int]) -> Score:
    """Compute the score of ``question_type`` from a value → count distribution.

    :raises InvalidAnswerError: a value is outside the question's scale.
    :raises ValueError: unknown question type, or a negative count.
    """
    distribution = _distribution(question_type, counts)
    n = sum(distribution.values())
    value = _VALUE_OF[question_type](distribution, n) if n else None
    return Score(
        value=value, n=n, distribution=distribution, is_reliable=n >= MIN_ANSWERS
    )


def nps_from_counts(counts: Mapping[int, int]) -> Score:
    """NPS (−100…100) from a distribution of 0–10 answers."""
    return score_from_counts("nps", counts)


def csat_from_counts(counts: Mapping[int, int]) -> Score:
    """CSAT (% of 4–5) from a distribution of 1–5 answers."""
    return score_from_counts("csat", counts)


def ces_from_counts(counts: Mapping[int, int]) -> Score:
    """CES (% of 5–7) from a distribution of 1–7 answers."""
    return score_from_counts("ces", counts)


def mean_rating_from_counts(counts: Mapping[int, int]) -> Score:
    """Mean rating (1–5) from a distribution of 1–5 answers."""
    return score_from_counts("rating_1_5", counts)


# --- scores from plain answers


def score(question_type: str, answers: Iterable[int]) -> Score:
    """Compute the score of ``question_type`` from the answers themselves."""
    return score_from_counts(question_type, Counter(answers))


def nps(answers: Sequence[int]) -> Score:
    """NPS (−100…100) of 0–10 answers."""
    return score("nps", answers)


def csat(answers: Sequence[int]) -> Score:
    """CSAT (% of 4–5) of 1–5 answers."""
    return score("csat", answers)


def ces(answers: Sequence[int]) -> Score:
    """CES (% of 5–7) of 1–7 answers."""
    return score("ces", answers)


def mean_rating(answers: Sequence[int]) -> Score:
    """Mean of 1–5 ratings (one charter commitment's, usually)."""
    return score("rating_1_5", answers)


# --- DataFrames for dashboards

_NO_COMMITMENT: Final = ""


def _require_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")


def _require_scored_types(question_types: pd.Series) -> None:
    unknown = sorted({str(kind) for kind in question_types.unique()} - SCORED_TYPES)
    if unknown:
        raise ValueError(f"not scored question types: {unknown}")


def _score_frame(rows: Sequence[tuple[object, str, str | None, Score]]) -> pd.DataFrame:
    import pandas as pd

    # Explicit dtypes: pandas would otherwise turn a None commitment into NaN.
    return pd.DataFrame(
        {
            "period": pd.Series([row[0] for row in rows]),
            "metric": pd.Series([row[1] for row in rows], dtype="object"),
            "commitment": pd.Series([row[2] for row in rows], dtype="object"),
            "value": pd.Series([row[3].value for row in rows], dtype="float64"),
            "n": pd.Series([row[3].n for row in rows], dtype="int64"),
            "is_reliable": pd.Series(
                [row[3].is_reliable for row in rows], dtype="bool"
            ),
        }
    )


def scores_from_count_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Scores from pre-aggregated counts, e.g. the rows of a SQL ``GROUP BY``.

    ``counts`` columns: ``period`` (any sortable label, e.g. the first day of
    the period), ``question_type`` (``nps``, ``csat``, ``ces``,
    ``rating_1_5``), ``commitment`` (str or None), ``value`` (int), ``count``
    (int). Rows may repeat a key: their counts add up.

    Returns one row per (period, question type, commitment) with the columns
    ``period``, ``metric`` (the question type), ``commitment`` (None when
    untagged), ``value`` (float), ``n`` (int), ``is_reliable`` (bool), sorted
    by period, metric and commitment.

    :raises ValueError: missing column, unknown question type, bad count.
    :raises InvalidAnswerError: a value is outside its question's scale.
    """
    _require_columns(counts, COUNT_COLUMNS)
    if counts.empty:
        return _score_frame([])
    _require_scored_types(counts["question_type"])

    commitments = counts["commitment"].astype("object")
    keyed = counts.assign(
        commitment=commitments.where(commitments.notna(), _NO_COMMITMENT)
    )
    distributions: dict[tuple[object, str, str], Counter[int]] = {}
    for period, question_type, commitment, raw_value, count in zip(
        *(keyed[column] for column in COUNT_COLUMNS), strict=True
    ):
        key = (period, str(question_type), str(commitment))
        value = validate_value(key[1], raw_value)
        number = operator.index(count)
        if number < 0:
            raise ValueError(f"negative count {number} for the answer {value}")
        distributions.setdefault(key, Counter())[value] += number

    return _score_frame(
        [
            (
                period,
                question_type,
                commitment or None,
                score_from_counts(question_type, distribution),
            )
            for (period, question_type, commitment), distribution in sorted(
                distributions.items(), key=lambda item: item[0]
            )
        ]
    )


def period_start(answered_at: pd.Series, *, period: Period) -> pd.Series:
    """First day (midnight, naive) of the Europe/Paris period of each timestamp.

    Naive timestamps are taken as UTC, like every ``*_at`` column.
    """
    import pandas as pd

    try:
        freq = _PERIOD_FREQ[period]
    except KeyError:
        raise ValueError(f"unknown period {period!r}") from None
    local = pd.to_datetime(answered_at, utc=True).dt.tz_convert(PARIS)
    return local.dt.tz_localize(None).dt.to_period(freq).dt.start_time


def scores_by_period(df: pd.DataFrame, *, period: Period) -> pd.DataFrame:
    """Scores per period, question type and commitment, from individual answers.

    ``df`` columns: ``answered_at`` (datetime, UTC; naive is taken as UTC),
    ``question_type`` (``nps``, ``csat``, ``ces``, ``rating_1_5``),
    ``commitment`` (str or None), ``value`` (int). Periods are calendar
    months, quarters or years in Europe/Paris time: an answer at 23:30 UTC on
    31 March counts in April.

    Returns the frame of :func:`scores_from_count_frame`, ``period`` being the
    first day of the period (a naive midnight ``Timestamp``).

    :raises ValueError: missing column, unknown question type or period.
    :raises InvalidAnswerError: a value is outside its question's scale.
    """
    _require_columns(df, ANSWER_COLUMNS)
    if period not in _PERIOD_FREQ:
        raise ValueError(f"unknown period {period!r}")
    if df.empty:
        return _score_frame([])
    counts = (
        df.assign(period=period_start(df["answered_at"], period=period))
        # dropna=False: keeps untagged answers, and lets a missing value be
        # refused by scores_from_count_frame instead of silently ignored.
        .groupby(
            ["period", "question_type", "commitment", "value"],
            sort=False,
            dropna=False,
        )
        .size()
        .rename("count")
        .reset_index()
    )
    return scores_from_count_frame(counts)
