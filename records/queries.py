"""The records' flags as SQL conditions (the rules of :mod:`records.flags`, for
queries that count or list flagged records across members: the compliance
table's lights and the improvement register's scan)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from records.flags import END_OF_SUPPORT_WARNING_DAYS
from records.models import Change, ClientItem, Licence, LicenceReminder, Technology


def plus_days(column: Any, days: int) -> ColumnElement[Any]:
    """``column`` (a date) plus ``days`` days, computed by the database."""
    if db.engine.dialect.name == "postgresql":
        return column + days  # type: ignore[no-any-return]
    return func.date(column, f"{days:+d} days")


def late_critical_items(today: date) -> list[ColumnElement[bool]]:
    """A critical item the client has not provided by its due date."""
    return [
        ClientItem.is_critical.is_(True),
        ClientItem.received_on.is_(None),
        ClientItem.due_on < today,
    ]


def short_notice_changes(minimum: int) -> list[ColumnElement[bool]]:
    """A change taking effect less than ``minimum`` days after its announcement."""
    return [Change.effective_on < plus_days(Change.announced_on, minimum)]


def ageing_uninformed(today: date) -> list[ColumnElement[bool]]:
    """A component past or near its end of support the client was not told of."""
    return [
        Technology.end_of_support_on.is_not(None),
        Technology.end_of_support_on
        <= today + timedelta(days=END_OF_SUPPORT_WARNING_DAYS),
        Technology.client_informed_on.is_(None),
    ]


def _reminded() -> ColumnElement[bool]:
    """The client was reminded of the licence's current renewal date."""
    return exists().where(
        LicenceReminder.licence_id == Licence.id,
        LicenceReminder.renews_on == Licence.renews_on,
    )


def missed_licences(today: date) -> list[ColumnElement[bool]]:
    """A licence whose renewal date passed without a reminder to the client."""
    return [Licence.renews_on < today, ~_reminded()]


def unreminded_licences(today: date, *, within: int) -> list[ColumnElement[bool]]:
    """A licence renewing in at most ``within`` days, its client not reminded."""
    return [
        Licence.renews_on >= today,
        Licence.renews_on <= today + timedelta(days=within),
        ~_reminded(),
    ]
