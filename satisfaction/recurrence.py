"""When a campaign sends its questionnaire: schedules and their next runs, pure.

A :class:`Recurrence` is read in Europe/Paris wall-clock time ("every 3 months,
on the 1st at 09:00" stays 09:00 in Paris across daylight saving time); every
datetime it takes or returns is timezone-aware, and returned in UTC.

The dates come from APScheduler 3's own triggers: ``CalendarIntervalTrigger``
for month steps, ``CronTrigger`` for cron expressions, ``DateTrigger`` for one
date. Time is always passed in (``after``), never read from the clock.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, cast, get_args
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from flask_babel import lazy_gettext as _l

from satisfaction.errors import RecurrenceError

if TYPE_CHECKING:
    # Imported where a date is computed: a web worker that only shows pages
    # does not load APScheduler at start-up (issue 14's cold start).
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.date import DateTrigger

Kind = Literal["once", "every_n_months", "at_project_end", "hot_then_cold", "cron"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

PARIS: Final = ZoneInfo("Europe/Paris")
MIN_MONTHS: Final = 1
MAX_MONTHS: Final = 24

# The fields each kind needs; every other field must be None.
_FIELDS_BY_KIND: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "once": ("run_at",),
        "every_n_months": ("months", "day_of_month", "time_of_day", "start_on"),
        "at_project_end": ("end_on", "time_of_day"),
        "hot_then_cold": ("accepted_at", "months"),
        "cron": ("expression",),
    }
)


def paris_datetime(day: date, at: time) -> datetime:
    """The UTC instant of a Europe/Paris wall-clock date and time.

    A time that does not exist (skipped by the spring DST change) moves forward
    by the gap; an ambiguous one (repeated in autumn) is the first occurrence.
    """
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


@dataclass(frozen=True)
class Recurrence:
    """A campaign's schedule. Build it with the class methods or :func:`parse_cron`.

    - ``once``: one send at ``run_at``.
    - ``every_n_months``: every ``months`` months on ``day_of_month`` at
      ``time_of_day`` (Paris), from the first such day on or after ``start_on``.
      A day the month lacks (31 in April, 29–31 in February) falls on the
      month's last day: no month is skipped.
    - ``at_project_end``: one send on ``end_on`` at ``time_of_day`` (Paris).
    - ``hot_then_cold``: a send at ``accepted_at`` (acceptance of the work),
      then one ``months`` months later at the same Paris wall-clock time.
    - ``cron``: a 5-field crontab ``expression`` in Paris time, standard
      crontab meaning (0 or 7 = Sunday), at most one send a day.
    """

    kind: Kind
    run_at: datetime | None = None
    months: int | None = None
    day_of_month: int | None = None
    time_of_day: time | None = None
    start_on: date | None = None
    end_on: date | None = None
    accepted_at: datetime | None = None
    expression: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _FIELDS_BY_KIND:
            raise RecurrenceError(
                _l("Type de récurrence inconnu : %(kind)s.", kind=self.kind)
            )
        expected = _FIELDS_BY_KIND[self.kind]
        for field in fields(self)[1:]:
            given = getattr(self, field.name) is not None
            if field.name in expected and not given:
                raise RecurrenceError(
                    _l(
                        "Il manque une information à cette récurrence : %(field)s.",
                        field=field.name,
                    )
                )
            if given and field.name not in expected:
                raise RecurrenceError(
                    _l(
                        "L'information %(field)s ne s'applique pas à une "
                        "récurrence de type %(kind)s.",
                        field=field.name,
                        kind=self.kind,
                    )
                )
        # The dataclass is frozen: normalised values are set through object.
        for name in ("run_at", "accepted_at"):
            moment = getattr(self, name)
            if moment is not None:
                object.__setattr__(self, name, _as_utc(moment))
        if self.months is not None:
            _check_months(self.months)
        if self.day_of_month is not None:
            _check_day_of_month(self.day_of_month)
        if self.time_of_day is not None:
            _check_time_of_day(self.time_of_day)
        if self.expression is not None:
            object.__setattr__(self, "expression", _check_cron(self.expression)[0])

    @classmethod
    def once(cls, run_at: datetime) -> Recurrence:
        """One send at ``run_at`` (timezone-aware)."""
        return cls(kind="once", run_at=run_at)

    @classmethod
    def every_n_months(
        cls, months: int, *, day_of_month: int, time_of_day: time, start_on: date
    ) -> Recurrence:
        """Every ``months`` months on ``day_of_month`` at ``time_of_day`` (Paris)."""
        return cls(
            kind="every_n_months",
            months=months,
            day_of_month=day_of_month,
            time_of_day=time_of_day,
            start_on=start_on,
        )

    @classmethod
    def at_project_end(cls, end_on: date, *, time_of_day: time) -> Recurrence:
        """One send on the project's end date at ``time_of_day`` (Paris)."""
        return cls(kind="at_project_end", end_on=end_on, time_of_day=time_of_day)

    @classmethod
    def hot_then_cold(cls, accepted_at: datetime, *, months: int) -> Recurrence:
        """A send at acceptance, then one ``months`` months later."""
        return cls(kind="hot_then_cold", accepted_at=accepted_at, months=months)

    def to_dict(self) -> dict[str, str | int]:
        """A JSON-able dict (for a JSON column); :meth:`from_dict` reads it back."""
        data: dict[str, str | int] = {"kind": self.kind}
        for name in _FIELDS_BY_KIND[self.kind]:
            value = getattr(self, name)
            if isinstance(value, time):
                data[name] = value.strftime("%H:%M")
            elif isinstance(value, date):  # datetime included
                data[name] = value.isoformat()
            else:
                data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Recurrence:
        """Read back what :meth:`to_dict` wrote.

        :raises RecurrenceError: unknown kind, missing or extra keys, bad values.
        """
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in _FIELDS_BY_KIND:
            raise RecurrenceError(
                _l("Type de récurrence inconnu : %(kind)s.", kind=kind)
            )
        unexpected = sorted(set(data) - {"kind", *_FIELDS_BY_KIND[kind]})
        if unexpected:
            raise _unreadable(f"unexpected keys {unexpected}")
        values: dict[str, object] = {}
        for name in _FIELDS_BY_KIND[kind]:
            raw = data.get(name)
            try:
                values[name] = _PARSERS[name](raw)
            except (TypeError, ValueError) as error:
                raise _unreadable(f"{name}={raw!r}: {error}") from None
        return cls(kind=cast(Kind, kind), **values)  # type: ignore[arg-type]


def parse_cron(expr: str) -> Recurrence:
    """A ``cron`` recurrence from a 5-field crontab expression (Paris time).

    Standard crontab meaning: day of week 0 or 7 is Sunday, 1 Monday. The
    minute and hour must be single numbers (at most one send a day), and only
    one of day of month / day of week may be restricted (crontab would send on
    either, which nobody expects).

    :raises RecurrenceError: with a message saying what to write instead.
    """
    return Recurrence(kind="cron", expression=expr)


def next_runs(rec: Recurrence, *, after: datetime, count: int = 5) -> list[datetime]:
    """The next ``count`` sends strictly after ``after``, as UTC datetimes.

    ``once`` and ``at_project_end`` give at most one date, ``hot_then_cold`` at
    most two; fewer than ``count`` when the schedule runs out.

    :raises ValueError: ``after`` is naive, or ``count`` is negative.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be a timezone-aware datetime")
    if count < 0:
        raise ValueError("count cannot be negative")
    runs: list[datetime] = []
    for run in _runs(rec, after):
        if len(runs) == count:
            break
        if run > after:
            runs.append(run)
    return runs


def describe(rec: Recurrence, locale: str = "fr") -> str:
    """A sentence saying when the campaign sends, in French or English.

    ``locale`` is a language tag ("fr", "en", "en_GB", …); anything that is not
    English is described in French, the default language.
    """
    english = locale.lower().replace("-", "_").split("_")[0] == "en"
    lang = "en" if english else "fr"
    if rec.kind == "every_n_months":
        assert rec.months and rec.day_of_month and rec.time_of_day
        return _describe_every_n_months(
            lang, rec.months, rec.day_of_month, rec.time_of_day
        )
    if rec.kind == "cron":
        if english:
            return f"Following the cron expression “{rec.expression}” (Paris time)"
        return f"Selon l'expression cron « {rec.expression} » (heure de Paris)"
    if rec.kind == "hot_then_cold":
        assert rec.accepted_at and rec.months
        when = _describe_moment(lang, rec.accepted_at.astimezone(PARIS))
        if english:
            later = "1 month" if rec.months == 1 else f"{rec.months} months"
            return f"Right after acceptance, {when}, then {later} later"
        return f"À chaud, {when}, puis à froid {rec.months} mois plus tard"
    if rec.kind == "at_project_end":
        assert rec.end_on and rec.time_of_day
        when = _describe_moment(
            lang, paris_datetime(rec.end_on, rec.time_of_day).astimezone(PARIS)
        )
        if english:
            return f"At the end of the project, {when}"
        return f"À la fin du projet, {when}"
    assert rec.run_at
    when = _describe_moment(lang, rec.run_at.astimezone(PARIS))
    return f"Once, {when}" if english else f"Une fois, {when}"


# --- validation


def _bad_cron(expression: str) -> RecurrenceError:
    return RecurrenceError(
        _l(
            "Expression cron invalide « %(expression)s » : cinq champs séparés par "
            "des espaces sont attendus (minute 0–59, heure 0–23, jour du mois "
            "1–31, mois 1–12, jour de la semaine 0–7 où 0 et 7 sont le dimanche), "
            "par exemple « 0 9 * * 1 » pour chaque lundi à 09:00.",
            expression=expression,
        )
    )


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RecurrenceError(
            _l("La date et l'heure doivent préciser leur fuseau horaire.")
        )
    return moment.astimezone(UTC)


def _check_months(months: int) -> None:
    if isinstance(months, bool) or not MIN_MONTHS <= months <= MAX_MONTHS:
        raise RecurrenceError(
            _l(
                "L'intervalle doit être compris entre %(low)s et %(high)s mois.",
                low=MIN_MONTHS,
                high=MAX_MONTHS,
            )
        )


def _check_day_of_month(day: int) -> None:
    if isinstance(day, bool) or not 1 <= day <= 31:
        raise RecurrenceError(_l("Le jour du mois doit être compris entre 1 et 31."))


def _check_time_of_day(at: time) -> None:
    if at.tzinfo is not None or at.second or at.microsecond:
        raise RecurrenceError(
            _l(
                "L'heure d'envoi s'indique en heures et minutes, heure de Paris, "
                "sans fuseau horaire."
            )
        )


_WEEKDAY_NUMBERS: Final[Mapping[str, int]] = MappingProxyType(
    {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
)
# APScheduler 3 reads weekday numbers from Monday = 0 (crontab: Sunday = 0), so
# weekdays are handed to it by name.
_WEEKDAY_NAMES: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_APSCHEDULER_WEEK: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_ITEM: Final = re.compile(r"^(\*|(\w+)(?:-(\w+))?)(?:/(\d+))?$")


def _weekday_number(token: str, *, range_end: bool = False) -> int:
    name = token.lower()
    if name in _WEEKDAY_NUMBERS:
        number = _WEEKDAY_NUMBERS[name]
        return 7 if range_end and number == 0 else number
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    raise ValueError(f"bad weekday {token!r}")


def _crontab_weekdays(field: str) -> str:
    """Translate a crontab day-of-week field into APScheduler's names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        match = _WEEKDAY_ITEM.match(item)
        if match is None:
            raise ValueError(f"bad weekday item {item!r}")
        whole, first, last, step = match.groups()
        if whole == "*":
            low, high = 0, 6
        else:
            low = _weekday_number(first)
            high = low if last is None else _weekday_number(last, range_end=True)
            if step is not None and last is None:
                high = 6  # "1/2": from Monday on, every other day
        if low > high or (step is not None and int(step) == 0):
            raise ValueError(f"bad weekday range {item!r}")
        days.update(day % 7 for day in range(low, high + 1, int(step or 1)))
    return ",".join(
        name for name in _APSCHEDULER_WEEK if _WEEKDAY_NUMBERS[name] in days
    )


def _check_cron(expr: str) -> tuple[str, CronTrigger]:
    """Normalise a crontab expression and build its trigger, or refuse it."""
    parts = expr.split()
    normalised = " ".join(parts)
    if len(parts) != 5:
        raise _bad_cron(normalised)
    minute, hour, day, month, weekday = parts
    if not (minute.isdigit() and hour.isdigit()):
        raise RecurrenceError(
            _l(
                "Une campagne part au plus une fois par jour : dans « %(expression)s »"
                ", la minute et l'heure doivent être des nombres simples "
                "(par exemple « 0 9 * * 1 »).",
                expression=normalised,
            )
        )
    if day != "*" and weekday != "*":
        raise RecurrenceError(
            _l(
                "Dans « %(expression)s », indiquez soit un jour du mois, soit un "
                "jour de la semaine, mais pas les deux.",
                expression=normalised,
            )
        )
    from apscheduler.triggers.cron import CronTrigger

    try:
        weekdays = _crontab_weekdays(weekday)
        trigger = CronTrigger.from_crontab(
            f"{minute} {hour} {day} {month} {weekdays}", timezone=PARIS
        )
    except (ValueError, TypeError, KeyError, IndexError):
        # APScheduler's own messages are English and technical: never shown.
        raise _bad_cron(normalised) from None
    # Any date that exists comes round after 2000 (e.g. 29 February).
    if trigger.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=UTC)) is None:
        raise RecurrenceError(
            _l(
                "L'expression cron « %(expression)s » ne désigne aucune date "
                "(par exemple un 31 février).",
                expression=normalised,
            )
        )
    return normalised, trigger


# --- deserialisation


def _unreadable(detail: str) -> RecurrenceError:
    return RecurrenceError(
        _l("Récurrence enregistrée illisible (%(detail)s).", detail=detail)
    )


def _parse_int(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TypeError("an integer is expected")
    return raw


def _parse_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError("a string is expected")
    return raw


def _parse_datetime(raw: object) -> datetime:
    return datetime.fromisoformat(_parse_str(raw))


def _parse_date(raw: object) -> date:
    return date.fromisoformat(_parse_str(raw))


def _parse_time(raw: object) -> time:
    return time.fromisoformat(_parse_str(raw))


_PARSERS: Final[Mapping[str, Callable[[object], object]]] = MappingProxyType(
    {
        "run_at": _parse_datetime,
        "accepted_at": _parse_datetime,
        "months": _parse_int,
        "day_of_month": _parse_int,
        "time_of_day": _parse_time,
        "start_on": _parse_date,
        "end_on": _parse_date,
        "expression": _parse_str,
    }
)


# --- next runs


def _on_day(month_start: date, day: int) -> date:
    """``day`` of the month of ``month_start``, or the month's last day."""
    last = calendar.monthrange(month_start.year, month_start.month)[1]
    return month_start.replace(day=min(day, last))


def _month_starts(first: date, months: int) -> Iterator[date]:
    """The 1st of every ``months``-th month from the month of ``first`` on.

    The trigger is anchored on the 1st because, anchored on a 29th–31st, it
    skips the months that lack that day; the day is then put back by
    :func:`_on_day`.
    """
    from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger

    start = first.replace(day=1)
    trigger = CalendarIntervalTrigger(months=months, start_date=start, timezone=PARIS)
    fire: datetime | None = trigger.get_next_fire_time(
        None, datetime.combine(start, time(), tzinfo=PARIS)
    )
    while fire is not None:
        yield fire.date()
        fire = trigger.get_next_fire_time(fire, fire)


def _every_n_months(rec: Recurrence) -> Iterator[datetime]:
    assert rec.months and rec.day_of_month and rec.time_of_day and rec.start_on
    first_month = rec.start_on.replace(day=1)
    if _on_day(first_month, rec.day_of_month) < rec.start_on:
        # The day has passed in the start month: begin the month after.
        first_month = (first_month + timedelta(days=31)).replace(day=1)
    for month_start in _month_starts(first_month, rec.months):
        yield paris_datetime(_on_day(month_start, rec.day_of_month), rec.time_of_day)


def _hot_then_cold(rec: Recurrence) -> Iterator[datetime]:
    assert rec.accepted_at and rec.months
    yield rec.accepted_at
    accepted = rec.accepted_at.astimezone(PARIS)
    months = _month_starts(accepted.date(), rec.months)
    next(months)
    cold_month = next(months)
    yield paris_datetime(_on_day(cold_month, accepted.day), accepted.time())


def _fire_times(
    trigger: CronTrigger | DateTrigger, after: datetime
) -> Iterator[datetime]:
    fire: datetime | None = trigger.get_next_fire_time(None, after)
    while fire is not None:
        yield fire.astimezone(UTC)
        fire = trigger.get_next_fire_time(fire, fire)


def _runs(rec: Recurrence, after: datetime) -> Iterator[datetime]:
    """Every run of ``rec`` in order, possibly starting before ``after``."""
    if rec.kind == "every_n_months":
        return _every_n_months(rec)
    if rec.kind == "hot_then_cold":
        return _hot_then_cold(rec)
    if rec.kind == "cron":
        assert rec.expression
        return _fire_times(_check_cron(rec.expression)[1], after)
    if rec.kind == "at_project_end":
        assert rec.end_on and rec.time_of_day
        run_at = paris_datetime(rec.end_on, rec.time_of_day)
    else:
        assert rec.run_at
        run_at = rec.run_at
    from apscheduler.triggers.date import DateTrigger

    return _fire_times(DateTrigger(run_date=run_at, timezone=PARIS), after)


# --- descriptions


def _ordinal(lang: str, day: int) -> str:
    if lang == "fr":
        return "1er" if day == 1 else str(day)
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{({1: 'st', 2: 'nd', 3: 'rd'}).get(day % 10, 'th')}"


def _describe_moment(lang: str, local: datetime) -> str:
    month = get_month_names("wide", locale=lang)[local.month]
    clock = local.strftime("%H:%M")
    if lang == "en":
        return f"on {month} {local.day}, {local.year} at {clock}"
    return f"le {_ordinal('fr', local.day)} {month} {local.year} à {clock}"


def _describe_every_n_months(lang: str, months: int, day: int, at: time) -> str:
    clock = at.strftime("%H:%M")
    if lang == "en":
        every = "Every month" if months == 1 else f"Every {months} months"
        last = " (or the last day of shorter months)" if day > 28 else ""
        return f"{every}, on the {_ordinal('en', day)}{last} at {clock}"
    every = "Tous les mois" if months == 1 else f"Tous les {months} mois"
    last = " (ou le dernier jour des mois plus courts)" if day > 28 else ""
    return f"{every}, le {_ordinal('fr', day)}{last} à {clock}"
