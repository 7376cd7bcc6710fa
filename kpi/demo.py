"""Demo data: indicators on the demo projects with about 18 months of values."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from kpi.importers import Point
from kpi.models import (
    KIND_DEFAULTS,
    Aggregation,
    Indicator,
    IndicatorKind,
    Source,
)
from kpi.periods import last_complete_period
from kpi.services.measurements import apply_plan, plan_values
from members.models import Project, ProjectStatus, ServiceType

MONTHS = 18

# kind, baseline, target, monthly base, trend per month
PLANS: dict[ServiceType, list[tuple[IndicatorKind, int, int]]] = {
    ServiceType.WEBSITE: [(IndicatorKind.AUDIENCE, 1200, 1800)],
    ServiceType.SEO: [(IndicatorKind.AUDIENCE, 900, 1500)],
    ServiceType.SEA: [(IndicatorKind.COST_PER_CLICK, 80, 55)],  # cents
    ServiceType.IT_MAINTENANCE: [(IndicatorKind.INCIDENTS, 14, 6)],
    ServiceType.HOSTING: [(IndicatorKind.INCIDENTS, 5, 2)],
    ServiceType.TEXT_CONTENT: [(IndicatorKind.READING_TIME, 45, 75)],
    ServiceType.VISUAL_CONTENT: [(IndicatorKind.CLICKS, 300, 600)],
}


def _months(end: date, count: int) -> list[date]:
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _points(
    kind: IndicatorKind, start: int, goal: int, months: list[date], seed: int
) -> list[Point]:
    rng = random.Random(seed)
    points = []
    for index, month in enumerate(months):
        share = index / max(len(months) - 1, 1)
        level = start + (goal - start) * share * 1.05
        noise = rng.uniform(-0.08, 0.08)
        if kind == IndicatorKind.COST_PER_CLICK:
            clicks = Decimal(rng.randint(800, 1600))
            cpc = Decimal(str(round(level * (1 + noise) / 100, 2)))
            cost = (clicks * cpc).quantize(Decimal("0.01"))
            points.append(Point(month, None, cost, clicks))
        elif kind == IndicatorKind.READING_TIME:
            views = Decimal(rng.randint(2000, 5000))
            seconds = (views * Decimal(str(round(level * (1 + noise), 1)))).quantize(
                Decimal("1")
            )
            points.append(Point(month, None, seconds, views))
        else:
            points.append(Point(month, Decimal(max(0, round(level * (1 + noise))))))
    return points


def load(scale: str) -> str:
    """Add indicators and values to the demo projects that have none (idempotent)."""
    from kpi.services.measurements import check_point

    now = utcnow()
    end = last_complete_period("month", now.date())
    months = _months(end, MONTHS)
    projects = db.session.scalars(
        select(Project)
        .where(Project.status != ProjectStatus.PROPOSAL)
        .order_by(Project.id)
    ).all()
    with_indicators = set(db.session.scalars(select(Indicator.project_id).distinct()))
    added = values = 0
    for project in projects:
        if project.id in with_indicators:
            continue
        for kind, baseline, target in PLANS.get(project.service_type, []):
            defaults = KIND_DEFAULTS[kind]
            scale_factor = (
                Decimal("0.01") if kind == IndicatorKind.COST_PER_CLICK else Decimal(1)
            )
            indicator = Indicator(
                member_id=project.member_id,
                project_id=project.id,
                kind=kind,
                name=str(defaults.name),
                unit=defaults.unit,
                direction=defaults.direction,
                frequency=defaults.frequency,
                aggregation=Aggregation.SUM,
                is_ratio=defaults.is_ratio,
                numerator_label=str(defaults.numerator_label)
                if defaults.numerator_label
                else None,
                denominator_label=str(defaults.denominator_label)
                if defaults.denominator_label
                else None,
                baseline_on=months[0],
                baseline_value=Decimal(baseline) * scale_factor,
                target_value=Decimal(target) * scale_factor,
                is_active=True,
                version=1,
                created_at=now,
                updated_at=now,
            )
            db.session.add(indicator)
            db.session.flush()
            points = [
                check_point(indicator, p)
                for p in _points(kind, baseline, target, months, seed=project.id)
            ]
            plan = plan_values(indicator, points)
            apply_plan(plan, source=Source.MANUAL, batch_id=None, now=now)
            added += 1
            values += len(plan.new)
    db.session.commit()
    return f"{added} new indicators, {values} values ({MONTHS} months to {end:%Y-%m})."
