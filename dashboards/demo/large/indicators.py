"""The large demo's indicators, their weekly measurements and the agreements
their clients acknowledged."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from dashboards.demo.large.plan import (
    INDICATORS_PER_PROJECT,
    KINDS,
    PROJECTS_PER_MEMBER,
    SEED,
    WEEKS,
    Plan,
    Row,
    TableRows,
    is_active,
    monday,
    token,
)
from kpi.models import Agreement, Indicator, Measurement

INDICATOR_COLUMNS = [
    "id",
    "member_id",
    "project_id",
    "kind",
    "name",
    "unit",
    "direction",
    "frequency",
    "aggregation",
    "is_ratio",
    "numerator_label",
    "denominator_label",
    "baseline_on",
    "baseline_value",
    "target_value",
    "is_active",
    "version",
    "created_at",
    "updated_at",
]
MEASUREMENT_COLUMNS = [
    "id",
    "indicator_id",
    "period_start",
    "granularity",
    "value",
    "numerator",
    "denominator",
    "source",
    "import_batch_id",
    "updated_at",
]
AGREEMENT_COLUMNS = [
    "id",
    "member_id",
    "project_id",
    "contact_id",
    "set_version",
    "set_signature",
    "snapshot",
    "token_hash",
    "status",
    "sent_by_id",
    "sent_at",
    "expires_at",
    "opened_at",
    "acknowledged_at",
    "commented_at",
    "comment",
]


def indicator_tables(plan: Plan) -> Iterator[TableRows]:
    """Indicators, measurements and agreements, in that order."""
    yield Indicator.__table__, INDICATOR_COLUMNS, indicators(plan)
    yield Measurement.__table__, MEASUREMENT_COLUMNS, measurements(plan)
    yield Agreement.__table__, AGREEMENT_COLUMNS, agreements(plan)


def indicators(plan: Plan) -> Iterator[Row]:
    for i in range(plan.n.indicators):
        p = i // INDICATORS_PER_PROJECT
        kind, name, unit, direction, ratio, target, _typical = KINDS[i % len(KINDS)]
        yield (
            plan.start.indicator + i,
            plan.member_of(p),
            plan.start.project + p,
            kind,
            name,
            unit,
            direction,
            "week",
            "sum",
            ratio,
            "Coût (€)" if ratio else None,
            "Clics" if ratio else None,
            None,
            None,
            target,
            True,
            1,
            plan.now,
            plan.now,
        )


def weeks(today: date) -> list[date]:
    """The Mondays of the :data:`WEEKS` weeks up to last week."""
    last_week = monday(today) - timedelta(weeks=1)
    return [last_week - timedelta(weeks=WEEKS - 1 - w) for w in range(WEEKS)]


def measurements(plan: Plan) -> Iterator[Row]:
    rng = random.Random(SEED)
    number = plan.start.measurement
    mondays = weeks(plan.today)
    for i in range(plan.n.indicators):
        member = i // (INDICATORS_PER_PROJECT * PROJECTS_PER_MEMBER)
        _k, _n, _u, direction, ratio, _t, typical = KINDS[i % len(KINDS)]
        lower = direction == "lower"
        if member in plan.weak:
            factor = 1.25 if lower else 0.8
        else:
            factor = 0.9 if lower else 1.1
        for week in mondays:
            value = typical * factor * rng.uniform(0.85, 1.15)
            yield _measurement(plan, number, i, week, value, ratio, rng)
            number += 1


def _measurement(
    plan: Plan,
    number: int,
    i: int,
    week: date,
    value: float,
    ratio: bool,
    rng: random.Random,
) -> Row:
    """One weekly value (a ratio with its numerator and a drawn denominator)."""
    if ratio:
        denominator = rng.randint(800, 1500)
        numerator = round(round(value, 2) * denominator, 2)
        measured: Row = (round(numerator / denominator, 4), numerator, denominator)
    else:
        measured = (round(value), None, None)
    indicator = plan.start.indicator + i
    return (number, indicator, week, "week", *measured, "import", None, plan.now)


def agreements(plan: Plan) -> Iterator[Row]:
    number = plan.start.agreement
    now = plan.now
    for p in range(plan.n.projects):
        # Every fourth member leaves one active project without an agreement.
        if not is_active(p) or (p % PROJECTS_PER_MEMBER == 0 and p % 40 == 0):
            continue
        yield (
            number,
            plan.member_of(p),
            plan.start.project + p,
            plan.contact_of(p),
            1,
            token("set", p),
            [],
            token("agreement", p),
            "acknowledged",
            None,
            now - timedelta(days=400),
            now - timedelta(days=370),
            now - timedelta(days=399),
            now - timedelta(days=398),
            None,
            None,
        )
        number += 1
