"""Indicators of a project: the catalogue of kinds, creation, changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import audit
from core.database import utcnow
from core.extensions import db
from kpi.models import (
    KIND_DEFAULTS,
    Aggregation,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Measurement,
)
from kpi.services.common import check_amount
from kpi.services.errors import KpiInputError
from kpi.signals import notify_measurements_changed
from members.models import Project, User

#: Fields whose change the client must agree to again.
AGREED_FIELDS = (
    "kind",
    "name",
    "unit",
    "direction",
    "frequency",
    "aggregation",
    "is_ratio",
    "baseline_on",
    "baseline_value",
    "target_value",
    "is_active",
)


@dataclass(frozen=True)
class IndicatorFields:
    """What a person chooses for an indicator (blank text = the kind's default)."""

    kind: IndicatorKind
    name: str = ""
    unit: str | None = None
    direction: Direction | None = None
    frequency: Frequency | None = None
    aggregation: Aggregation = Aggregation.SUM
    baseline_on: date | None = None
    baseline_value: Decimal | None = None
    target_value: Decimal | None = None


def defaults_for(kind: IndicatorKind) -> dict[str, object]:
    """The kind's defaults, as form data (translated texts)."""
    defaults = KIND_DEFAULTS[kind]
    return {
        "kind": kind.value,
        "name": str(defaults.name),
        "unit": defaults.unit,
        "direction": defaults.direction.value,
        "frequency": defaults.frequency.value,
        "is_ratio": defaults.is_ratio,
    }


def list_indicators(
    member_id: int, project_id: int, *, active_only: bool = False
) -> Sequence[Indicator]:
    query = select(Indicator).where(
        Indicator.member_id == member_id, Indicator.project_id == project_id
    )
    if active_only:
        query = query.where(Indicator.is_active.is_(True))
    return db.session.scalars(query.order_by(Indicator.id)).all()


def _checked(fields: IndicatorFields) -> dict[str, object]:
    defaults = KIND_DEFAULTS[fields.kind]
    name = (fields.name or "").strip() or str(defaults.name)
    if fields.baseline_value is not None and fields.baseline_on is None:
        raise KpiInputError(
            _l("Indiquez la date du point de départ."), field="baseline_on"
        )
    for field in ("baseline_value", "target_value"):
        value = getattr(fields, field)
        if value is not None:
            check_amount(value, field=field)
    return {
        "kind": fields.kind,
        "name": name[:120],
        "unit": (fields.unit if fields.unit is not None else defaults.unit).strip()[
            :30
        ],
        "direction": fields.direction or defaults.direction,
        "frequency": fields.frequency or defaults.frequency,
        "aggregation": fields.aggregation,
        "is_ratio": defaults.is_ratio,
        "numerator_label": str(defaults.numerator_label)
        if defaults.numerator_label
        else None,
        "denominator_label": str(defaults.denominator_label)
        if defaults.denominator_label
        else None,
        "baseline_on": fields.baseline_on,
        "baseline_value": fields.baseline_value,
        "target_value": fields.target_value,
    }


def create_indicator(
    actor: User | None,
    project: Project,
    fields: IndicatorFields,
    *,
    now: datetime | None = None,
) -> Indicator:
    """Add an indicator to a project, the kind's defaults filling blanks.

    :raises KpiInputError:
    """
    now = now or utcnow()
    values = _checked(fields)
    indicator = Indicator(
        member_id=project.member_id,
        project_id=project.id,
        is_active=True,
        version=1,
        created_at=now,
        updated_at=now,
        **values,
    )
    db.session.add(indicator)
    db.session.flush()
    audit.record(
        actor,
        "indicator.create",
        object_type="indicator",
        object_id=indicator.id,
        member_id=project.member_id,
        detail={"project_id": project.id, "kind": fields.kind.value},
    )
    db.session.commit()
    return indicator


def _has_measurements(indicator: Indicator) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Measurement)
            .where(Measurement.indicator_id == indicator.id)
        )
        or 0
    ) > 0


def update_indicator(
    actor: User | None,
    indicator: Indicator,
    fields: IndicatorFields,
    *,
    is_active: bool = True,
    now: datetime | None = None,
) -> bool:
    """Change an indicator; True when the client must agree to the set again.

    :raises KpiInputError: the kind or frequency cannot change once values exist.
    """
    now = now or utcnow()
    values = _checked(fields)
    values["is_active"] = is_active
    if _has_measurements(indicator):
        if values["frequency"] != indicator.frequency:
            raise KpiInputError(
                _l(
                    "La fréquence ne peut plus changer : des valeurs sont déjà "
                    "enregistrées à cette fréquence."
                ),
                field="frequency",
            )
        if values["is_ratio"] != indicator.is_ratio:
            raise KpiInputError(
                _l(
                    "Ce type ne peut plus changer : les valeurs enregistrées n'ont "
                    "pas la même forme (ratio ou valeur simple)."
                ),
                field="kind",
            )
    changed = [
        name for name in AGREED_FIELDS if getattr(indicator, name) != values[name]
    ]
    for name, value in values.items():
        setattr(indicator, name, value)
    if changed:
        indicator.version += 1
        indicator.updated_at = now
    audit.record(
        actor,
        "indicator.update",
        object_type="indicator",
        object_id=indicator.id,
        member_id=indicator.member_id,
        detail={"changed": changed, "version": indicator.version},
    )
    if changed:
        # Its status (target, direction) or presence (archived) may change.
        notify_measurements_changed([indicator.id], now=now)
    db.session.commit()
    return bool(changed)
