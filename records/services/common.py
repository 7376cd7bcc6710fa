"""What every records use case shares: the project (tenancy), the checks of
dates, texts and amounts, and the audit entry."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from core import audit
from core.dates import date_problem, local_today, years_after
from members import services as members_services
from members.models import Project, User
from records.errors import RecordsError

#: How far ahead a planned date (due date, deadline, renewal) may be.
YEARS_AHEAD = 10
#: An end of support is sometimes announced far ahead (long-term releases).
SUPPORT_YEARS_AHEAD = 30
#: The largest amount a budget line holds (Numeric(12, 2)).
MAX_AMOUNT = Decimal("9999999999.99")
CENT = Decimal("0.01")
DEFAULT_NOTICE_DAYS = 30


def project_for(user: User, project_id: int) -> Project | None:
    """The signed-in member's project, or None (another member's is not found)."""
    if user.member_id is None:
        return None
    return members_services.get_project(user.member_id, project_id)


def notice_minimum() -> int:
    """The notice the association asks before a price or deadline change (days)."""
    value = current_app.config.get("PRICE_CHANGE_NOTICE_DAYS", DEFAULT_NOTICE_DAYS)
    return max(0, int(value))


def today_or(today: date | None) -> date:
    return today or local_today()


def check_past(day: date, field: str, *, today: date) -> date:
    """A date that has already come (a delivery, a meeting). :raises RecordsError:"""
    problem = date_problem(day, latest=today, today=today)
    if problem is not None:
        raise RecordsError(problem, field=field)
    return day


def check_planned(
    day: date, field: str, *, today: date, years: int = YEARS_AHEAD
) -> date:
    """A plausible date, at most ``years`` ahead. :raises RecordsError:"""
    problem = date_problem(day, latest=years_after(today, years), today=today)
    if problem is not None:
        raise RecordsError(problem, field=field)
    return day


def check_text(
    value: str | None, field: str, *, limit: int, required: bool = True
) -> str:
    """``value`` stripped; refused when empty (if required) or too long."""
    text = (value or "").strip()
    if required and not text:
        raise RecordsError(_l("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise RecordsError(
            _l("%(limit)s caractères au plus.", limit=limit), field=field
        )
    return text


def check_amount(value: Decimal | float | int | str | None, field: str) -> Decimal:
    """An amount in euros, from 0 to 9 999 999 999.99, to the cent."""
    try:
        amount = Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        raise RecordsError(_l("Saisissez un montant."), field=field) from None
    if not amount.is_finite():
        raise RecordsError(_l("Saisissez un montant."), field=field)
    if amount < 0:
        raise RecordsError(_l("Un montant ne peut pas être négatif."), field=field)
    if amount > MAX_AMOUNT:
        raise RecordsError(_l("Montant trop élevé, vérifiez la saisie."), field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def log(
    actor: User | None,
    action: str,
    project: Project,
    *,
    object_type: str,
    object_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The audit entry of a records use case (in the caller's transaction)."""
    audit.record(
        actor,
        f"records.{action}",
        object_type=object_type,
        object_id=object_id,
        member_id=project.member_id,
        detail={"project_id": project.id, **(detail or {})},
    )
