"""Pure tests of satisfaction.recurrence: next sends, DST, month ends, cron."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from satisfaction.errors import RecurrenceError, SurveyError
from satisfaction.recurrence import (
    Recurrence,
    describe,
    next_runs,
    paris_datetime,
    parse_cron,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YEAR = datetime(2025, 1, 1, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def paris_clock(runs: list[datetime]) -> list[str]:
    return [run.astimezone(PARIS).strftime("%a %Y-%m-%d %H:%M %z") for run in runs]


# --- once


def test_once_runs_once_and_is_stored_in_utc() -> None:
    rec = Recurrence.once(datetime(2025, 3, 15, 9, 0, tzinfo=PARIS))

    runs = next_runs(rec, after=NEW_YEAR)

    assert rec.run_at == utc(2025, 3, 15, 8, 0)
    assert rec.run_at is not None and rec.run_at.tzinfo is UTC
    assert runs == [utc(2025, 3, 15, 8, 0)]
    assert all(run.tzinfo is UTC for run in runs)


def test_once_in_the_past_has_no_next_run() -> None:
    rec = Recurrence.once(utc(2024, 12, 31, 8, 0))

    assert next_runs(rec, after=NEW_YEAR) == []


def test_runs_are_strictly_after_the_given_moment() -> None:
    rec = Recurrence.once(utc(2025, 3, 15, 8, 0))

    assert next_runs(rec, after=utc(2025, 3, 15, 8, 0)) == []


def test_once_needs_an_aware_datetime() -> None:
    with pytest.raises(RecurrenceError, match="fuseau horaire"):
        Recurrence.once(datetime(2025, 3, 15, 9, 0))


# --- every n months


def test_every_three_months_on_the_first_at_nine() -> None:
    rec = Recurrence.every_n_months(
        3, day_of_month=1, time_of_day=time(9, 0), start_on=date(2025, 1, 15)
    )

    runs = next_runs(rec, after=NEW_YEAR)

    # 1 January is before the start date: the first send is on 1 February.
    assert runs == [
        utc(2025, 2, 1, 8, 0),
        utc(2025, 5, 1, 7, 0),
        utc(2025, 8, 1, 7, 0),
        utc(2025, 11, 1, 8, 0),
        utc(2026, 2, 1, 8, 0),
    ]
    assert {run.astimezone(PARIS).strftime("%d %H:%M") for run in runs} == {"01 09:00"}


def test_the_start_day_itself_is_a_send() -> None:
    rec = Recurrence.every_n_months(
        2, day_of_month=10, time_of_day=time(14, 30), start_on=date(2025, 1, 10)
    )

    assert next_runs(rec, after=NEW_YEAR, count=3) == [
        utc(2025, 1, 10, 13, 30),
        utc(2025, 3, 10, 13, 30),
        utc(2025, 5, 10, 12, 30),
    ]


def test_next_runs_start_from_after_not_from_the_start_date() -> None:
    rec = Recurrence.every_n_months(
        1, day_of_month=5, time_of_day=time(9, 0), start_on=date(2020, 1, 1)
    )

    assert next_runs(rec, after=utc(2025, 6, 5, 7, 0), count=2) == [
        utc(2025, 7, 5, 7, 0),
        utc(2025, 8, 5, 7, 0),
    ]


def test_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    rec = Recurrence.every_n_months(
        1, day_of_month=31, time_of_day=time(9, 0), start_on=date(2024, 1, 1)
    )

    runs = next_runs(rec, after=utc(2024, 1, 1), count=5)

    assert paris_clock(runs) == [
        "Wed 2024-01-31 09:00 +0100",
        "Thu 2024-02-29 09:00 +0100",  # leap year
        "Sun 2024-03-31 09:00 +0200",
        "Tue 2024-04-30 09:00 +0200",
        "Fri 2024-05-31 09:00 +0200",
    ]


def test_every_three_months_on_the_31st_skips_no_quarter() -> None:
    rec = Recurrence.every_n_months(
        3, day_of_month=31, time_of_day=time(9, 0), start_on=date(2024, 11, 1)
    )

    runs = next_runs(rec, after=utc(2024, 11, 1))

    assert [run.astimezone(PARIS).date() for run in runs] == [
        date(2024, 11, 30),
        date(2025, 2, 28),
        date(2025, 5, 31),
        date(2025, 8, 31),
        date(2025, 11, 30),
    ]


def test_nine_oclock_stays_nine_oclock_across_spring_dst() -> None:
    # Paris moves to summer time on Sunday 30 March 2025.
    rec = Recurrence.every_n_months(
        1, day_of_month=30, time_of_day=time(9, 0), start_on=date(2025, 2, 1)
    )

    runs = next_runs(rec, after=NEW_YEAR, count=3)

    assert runs == [
        utc(2025, 2, 28, 8, 0),
        utc(2025, 3, 30, 7, 0),
        utc(2025, 4, 30, 7, 0),
    ]
    assert paris_clock(runs) == [
        "Fri 2025-02-28 09:00 +0100",
        "Sun 2025-03-30 09:00 +0200",
        "Wed 2025-04-30 09:00 +0200",
    ]


def test_nine_oclock_stays_nine_oclock_across_autumn_dst() -> None:
    # Paris moves back to winter time on Sunday 26 October 2025.
    rec = Recurrence.every_n_months(
        1, day_of_month=26, time_of_day=time(9, 0), start_on=date(2025, 9, 1)
    )

    runs = next_runs(rec, after=NEW_YEAR, count=3)

    assert runs == [
        utc(2025, 9, 26, 7, 0),
        utc(2025, 10, 26, 8, 0),
        utc(2025, 11, 26, 8, 0),
    ]


@pytest.mark.parametrize("months", [0, 25, -3])
def test_the_interval_must_be_1_to_24_months(months: int) -> None:
    with pytest.raises(RecurrenceError) as caught:
        Recurrence.every_n_months(
            months, day_of_month=1, time_of_day=time(9), start_on=date(2025, 1, 1)
        )

    assert str(caught.value) == "L'intervalle doit être compris entre 1 et 24 mois."


@pytest.mark.parametrize("day", [0, 32])
def test_the_day_of_month_must_exist(day: int) -> None:
    with pytest.raises(RecurrenceError, match="entre 1 et 31"):
        Recurrence.every_n_months(
            1, day_of_month=day, time_of_day=time(9), start_on=date(2025, 1, 1)
        )


@pytest.mark.parametrize("at", [time(9, 0, 30), time(9, 0, tzinfo=UTC)])
def test_the_time_of_day_is_hours_and_minutes_in_paris(at: time) -> None:
    with pytest.raises(RecurrenceError, match="heures et minutes"):
        Recurrence.at_project_end(date(2025, 6, 30), time_of_day=at)


# --- at project end, hot then cold


def test_at_project_end_sends_once_on_the_end_date() -> None:
    rec = Recurrence.at_project_end(date(2025, 6, 30), time_of_day=time(17, 0))

    assert next_runs(rec, after=NEW_YEAR) == [utc(2025, 6, 30, 15, 0)]
    assert next_runs(rec, after=utc(2025, 7, 1)) == []


def test_hot_then_cold_sends_at_acceptance_then_months_later() -> None:
    rec = Recurrence.hot_then_cold(
        datetime(2025, 8, 31, 10, 30, tzinfo=PARIS), months=6
    )

    runs = next_runs(rec, after=NEW_YEAR)

    # 31 August + 6 months: no 31 February, so the last day of February, at
    # 10:30 Paris time (winter time by then).
    assert runs == [utc(2025, 8, 31, 8, 30), utc(2026, 2, 28, 9, 30)]


def test_hot_then_cold_after_the_hot_send_gives_only_the_cold_one() -> None:
    rec = Recurrence.hot_then_cold(utc(2025, 3, 10, 9, 0), months=3)

    assert next_runs(rec, after=utc(2025, 3, 10, 9, 0)) == [utc(2025, 6, 10, 8, 0)]
    assert next_runs(rec, after=utc(2025, 7, 1)) == []


# --- cron


def test_cron_monday_means_monday_as_in_crontab() -> None:
    # APScheduler 3 alone would read "1" as Tuesday.
    runs = next_runs(parse_cron("0 9 * * 1"), after=NEW_YEAR)

    assert paris_clock(runs) == [
        "Mon 2025-01-06 09:00 +0100",
        "Mon 2025-01-13 09:00 +0100",
        "Mon 2025-01-20 09:00 +0100",
        "Mon 2025-01-27 09:00 +0100",
        "Mon 2025-02-03 09:00 +0100",
    ]


@pytest.mark.parametrize("sunday", ["0", "7", "sun", "SUN"])
def test_cron_sunday_is_0_or_7(sunday: str) -> None:
    runs = next_runs(parse_cron(f"0 9 * * {sunday}"), after=NEW_YEAR, count=2)

    assert paris_clock(runs) == [
        "Sun 2025-01-05 09:00 +0100",
        "Sun 2025-01-12 09:00 +0100",
    ]


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("1-5", ["Wed", "Thu", "Fri", "Mon", "Tue"]),
        ("mon,wed", ["Wed", "Mon", "Wed", "Mon", "Wed"]),
        ("*/2", ["Thu", "Sat", "Sun", "Tue", "Thu"]),  # 0, 2, 4, 6
        ("5-7", ["Fri", "Sat", "Sun", "Fri", "Sat"]),
        ("fri-sun", ["Fri", "Sat", "Sun", "Fri", "Sat"]),
        ("1/2", ["Wed", "Fri", "Mon", "Wed", "Fri"]),  # 1, 3, 5
    ],
)
def test_cron_weekday_lists_ranges_and_steps(
    weekdays: str, expected: list[str]
) -> None:
    runs = next_runs(parse_cron(f"0 9 * * {weekdays}"), after=NEW_YEAR)

    assert [run.astimezone(PARIS).strftime("%a") for run in runs] == expected


def test_cron_every_quarter_on_the_first() -> None:
    runs = next_runs(parse_cron("30 8 1 */3 *"), after=NEW_YEAR)

    assert runs == [
        utc(2025, 1, 1, 7, 30),
        utc(2025, 4, 1, 6, 30),
        utc(2025, 7, 1, 6, 30),
        utc(2025, 10, 1, 6, 30),
        utc(2026, 1, 1, 7, 30),
    ]


def test_cron_keeps_paris_time_across_both_dst_changes() -> None:
    spring = next_runs(parse_cron("0 9 * * 0"), after=utc(2025, 3, 20), count=3)
    autumn = next_runs(parse_cron("0 9 * * 0"), after=utc(2025, 10, 15), count=3)

    assert spring == [
        utc(2025, 3, 23, 8, 0),
        utc(2025, 3, 30, 7, 0),
        utc(2025, 4, 6, 7, 0),
    ]
    assert autumn == [
        utc(2025, 10, 19, 7, 0),
        utc(2025, 10, 26, 8, 0),
        utc(2025, 11, 2, 8, 0),
    ]


def test_cron_expression_is_normalised() -> None:
    assert parse_cron("  0   9 * *  1 ").expression == "0 9 * * 1"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * *", "Expression cron invalide « 0 9 * * »"),
        ("0 9 * * * *", "cinq champs"),
        ("", "cinq champs"),
        ("0 24 * * *", "Expression cron invalide"),
        ("60 9 * * *", "Expression cron invalide"),
        ("0 9 32 * *", "Expression cron invalide"),
        ("0 9 * 13 *", "Expression cron invalide"),
        ("0 9 * * 8", "Expression cron invalide"),
        ("0 9 * * fri-mon", "Expression cron invalide"),
        ("0 9 * * 1/0", "Expression cron invalide"),
        ("0 9 * * lundi", "Expression cron invalide"),
        ("0 9 * foo *", "Expression cron invalide"),
        ("* * * * *", "au plus une fois par jour"),
        ("*/15 9 * * *", "au plus une fois par jour"),
        ("0 9-17 * * *", "au plus une fois par jour"),
        ("0 9 1 * 1", "pas les deux"),
        ("0 9 31 2 *", "ne désigne aucune date"),
    ],
)
def test_bad_cron_is_refused_with_our_message(expression: str, message: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        parse_cron(expression)

    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, SurveyError)
    assert message in str(error)
    # APScheduler's own (English, technical) exception never leaks through.
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None


def test_leap_day_cron_is_accepted() -> None:
    runs = next_runs(parse_cron("0 9 29 2 *"), after=NEW_YEAR, count=2)

    assert runs == [utc(2028, 2, 29, 8, 0), utc(2032, 2, 29, 8, 0)]


# --- next_runs arguments


def test_count_limits_the_runs() -> None:
    rec = parse_cron("0 9 * * *")

    assert len(next_runs(rec, after=NEW_YEAR, count=2)) == 2
    assert next_runs(rec, after=NEW_YEAR, count=0) == []


def test_after_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_runs(parse_cron("0 9 * * *"), after=datetime(2025, 1, 1))


def test_after_in_another_timezone_is_the_same_instant() -> None:
    rec = Recurrence.once(utc(2025, 3, 15, 8, 0))

    assert next_runs(rec, after=datetime(2025, 3, 15, 9, 0, tzinfo=PARIS)) == []


def test_paris_datetime_moves_a_skipped_time_forward() -> None:
    # 02:30 does not exist on 30 March 2025 in Paris: it becomes 03:30 CEST.
    assert paris_datetime(date(2025, 3, 30), time(2, 30)) == utc(2025, 3, 30, 1, 30)


# --- direct construction


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(RecurrenceError, match="Type de récurrence inconnu"):
        Recurrence(kind="weekly")  # type: ignore[arg-type]


def test_missing_field_is_refused() -> None:
    with pytest.raises(RecurrenceError, match="Il manque une information"):
        Recurrence(kind="hot_then_cold", accepted_at=NEW_YEAR)


def test_field_of_another_kind_is_refused() -> None:
    with pytest.raises(RecurrenceError, match="ne s'applique pas"):
        Recurrence(kind="once", run_at=NEW_YEAR, months=3)


# --- serialisation

ALL_KINDS = [
    Recurrence.once(datetime(2025, 3, 15, 9, 0, tzinfo=PARIS)),
    Recurrence.every_n_months(
        3, day_of_month=1, time_of_day=time(9, 0), start_on=date(2025, 1, 15)
    ),
    Recurrence.at_project_end(date(2025, 6, 30), time_of_day=time(17, 0)),
    Recurrence.hot_then_cold(datetime(2025, 6, 2, 10, 30, tzinfo=PARIS), months=6),
    parse_cron("0 9 * * 1"),
]


@pytest.mark.parametrize("rec", ALL_KINDS, ids=lambda rec: rec.kind)
def test_to_dict_round_trips_through_json(rec: Recurrence) -> None:
    stored = json.loads(json.dumps(rec.to_dict()))

    assert Recurrence.from_dict(stored) == rec


def test_to_dict_is_readable() -> None:
    assert [rec.to_dict() for rec in ALL_KINDS] == [
        {"kind": "once", "run_at": "2025-03-15T08:00:00+00:00"},
        {
            "kind": "every_n_months",
            "months": 3,
            "day_of_month": 1,
            "time_of_day": "09:00",
            "start_on": "2025-01-15",
        },
        {"kind": "at_project_end", "end_on": "2025-06-30", "time_of_day": "17:00"},
        {
            "kind": "hot_then_cold",
            "accepted_at": "2025-06-02T08:30:00+00:00",
            "months": 6,
        },
        {"kind": "cron", "expression": "0 9 * * 1"},
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Type de récurrence inconnu"),
        ({"kind": "weekly"}, "Type de récurrence inconnu"),
        ({"kind": "once"}, "illisible"),
        ({"kind": "once", "run_at": "yesterday"}, "illisible"),
        ({"kind": "once", "run_at": "2025-03-15T08:00:00"}, "fuseau horaire"),
        ({"kind": "cron", "expression": "0 9 * * 1", "months": 3}, "illisible"),
        ({"kind": "hot_then_cold", "accepted_at": "2025-06-02T08:30:00+00:00",
          "months": "6"}, "illisible"),
        ({"kind": "hot_then_cold", "accepted_at": "2025-06-02T08:30:00+00:00",
          "months": True}, "illisible"),
        ({"kind": "cron", "expression": "61 9 * * *"}, "Expression cron invalide"),
    ],
)  # fmt: skip
def test_from_dict_refuses_bad_data(data: dict[str, object], message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        Recurrence.from_dict(data)


# --- describe


@pytest.mark.parametrize(
    ("rec", "french", "english"),
    [
        (
            ALL_KINDS[0],
            "Une fois, le 15 mars 2025 à 09:00",
            "Once, on March 15, 2025 at 09:00",
        ),
        (
            ALL_KINDS[1],
            "Tous les 3 mois, le 1er à 09:00",
            "Every 3 months, on the 1st at 09:00",
        ),
        (
            ALL_KINDS[2],
            "À la fin du projet, le 30 juin 2025 à 17:00",
            "At the end of the project, on June 30, 2025 at 17:00",
        ),
        (
            ALL_KINDS[3],
            "À chaud, le 2 juin 2025 à 10:30, puis à froid 6 mois plus tard",
            "Right after acceptance, on June 2, 2025 at 10:30, then 6 months later",
        ),
        (
            ALL_KINDS[4],
            "Selon l'expression cron « 0 9 * * 1 » (heure de Paris)",
            "Following the cron expression “0 9 * * 1” (Paris time)",
        ),
        (
            Recurrence.every_n_months(
                1, day_of_month=31, time_of_day=time(8, 5), start_on=date(2025, 1, 1)
            ),
            "Tous les mois, le 31 (ou le dernier jour des mois plus courts) à 08:05",
            "Every month, on the 31st (or the last day of shorter months) at 08:05",
        ),
        (
            Recurrence.once(datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)),
            "Une fois, le 1er mars 2025 à 09:00",
            "Once, on March 1, 2025 at 09:00",
        ),
    ],
)
def test_describe_in_french_and_english(
    rec: Recurrence, french: str, english: str
) -> None:
    assert describe(rec) == french
    assert describe(rec, "fr") == french
    assert describe(rec, "en") == english
    assert describe(rec, "en_GB") == english
    assert describe(rec, "de") == french


@pytest.mark.parametrize(
    ("day", "ordinal"),
    [(2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd")],
)  # fmt: skip
def test_english_ordinals(day: int, ordinal: str) -> None:
    rec = Recurrence.every_n_months(
        2, day_of_month=day, time_of_day=time(9, 0), start_on=date(2025, 1, 1)
    )

    assert describe(rec, "en") == f"Every 2 months, on the {ordinal} at 09:00"
    assert describe(rec, "fr") == f"Tous les 2 mois, le {day} à 09:00"
