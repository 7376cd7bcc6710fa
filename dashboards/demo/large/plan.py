"""The shape of the large demo association: its sizes, the first free id of each
table, the charter's scored questions and the facts every table's rows share
(who is weak, which projects are active, when each cycle was sent)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

from members.models import ServiceType

SEED = 20261127
MEMBERS = 1_000
PROJECTS_PER_MEMBER = 10
CLIENTS_PER_MEMBER = 5
INDICATORS_PER_PROJECT = 4
WEEKS = 125  # 40,000 indicators × 125 weekly values = 5,000,000 measurements
CYCLES = 40  # invitations per campaign (one campaign per project)
ANSWERED_CYCLES = 30  # 10,000 campaigns × 30 answered cycles = 300,000 responses
#: The large members' SIRET all start with these digits (and say the set is there).
SIRET_PREFIX = "98"
DEPARTMENTS = ["13", "31", "33", "35", "44", "59", "67", "69", "75", "84"]
SERVICES = list(ServiceType)
# kind, name, unit, direction, is_ratio, target, typical value
KINDS: list[tuple[str, str, str, str, bool, Decimal, float]] = [
    ("audience", "Visites", "visites", "higher", False, Decimal(700), 700.0),
    ("cost_per_click", "Coût par clic", "€", "lower", True, Decimal("0.80"), 0.8),
    ("incidents", "Incidents", "incidents", "lower", False, Decimal(3), 3.0),
    ("clicks", "Clics", "clics", "higher", False, Decimal(120), 120.0),
]
LOW_ALERT = {"nps": 6, "csat": 2, "rating_1_5": 2}

Row = tuple[Any, ...]
TableRows = tuple[Table, list[str], Iterator[Row]]


@dataclass(frozen=True)
class Counts:
    members: int
    projects: int
    indicators: int
    measurements: int
    responses: int


def expected_counts(scale_factor: float = 1.0) -> Counts:
    members = max(1, round(MEMBERS * scale_factor))
    projects = members * PROJECTS_PER_MEMBER
    indicators = projects * INDICATORS_PER_PROJECT
    return Counts(
        members,
        projects,
        indicators,
        indicators * WEEKS,
        projects * ANSWERED_CYCLES,
    )


@dataclass(frozen=True)
class Start:
    """The first free id of each table (rows get explicit, contiguous ids)."""

    member: int
    user: int
    client: int
    contact: int
    project: int
    indicator: int
    measurement: int
    agreement: int
    campaign: int
    invitation: int
    response: int
    answer: int
    alert: int
    alert_item: int


@dataclass(frozen=True)
class Charter:
    """The charter questionnaire's version and its scored questions (id, type, value range)."""

    version_id: int
    questions: Sequence[tuple[int, str, int, int]]


@dataclass(frozen=True)
class Plan:
    """What every table's rows are computed from."""

    start: Start
    charter: Charter
    today: date
    password_hash: str | None
    n: Counts
    now: datetime
    began: date
    weak: frozenset[int]  # a fifth of the members miss their targets

    @classmethod
    def of(
        cls,
        *,
        start: Start,
        charter: Charter,
        today: date,
        password_hash: str | None,
        scale_factor: float,
    ) -> Plan:
        n = expected_counts(scale_factor)
        return cls(
            start=start,
            charter=charter,
            today=today,
            password_hash=password_hash,
            n=n,
            now=datetime(today.year, today.month, today.day, 6, tzinfo=UTC),
            began=today - timedelta(days=3 * 365),
            weak=frozenset(m for m in range(n.members) if m % 5 == 0),
        )

    def member_of(self, project: int) -> int:
        """The member id of the project numbered ``project``."""
        return self.start.member + project // PROJECTS_PER_MEMBER

    def contact_of(self, p: int) -> int:
        m = p // PROJECTS_PER_MEMBER
        return self.start.contact + m * CLIENTS_PER_MEMBER + (p % CLIENTS_PER_MEMBER)

    def sent_at(self, p: int, cycle: int) -> datetime:
        # Cycles every 3 weeks up to last week, spread over the day by project.
        back = (CYCLES - cycle) * 21 + 7
        return self.now - timedelta(days=back, minutes=p % 600)


def is_active(p: int) -> bool:
    return p % 10 < 8


def answered(p: int, cycle: int) -> bool:
    return (cycle + p) % 4 != 0


def token(kind: str, number: int) -> str:
    return hashlib.sha256(f"qualicharte-large:{kind}:{number}".encode()).hexdigest()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
