"""Fixtures of the KPI application tests: a member with a project and indicators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import KPI_EXPORTS_DIR


def export_bytes(name: str) -> bytes:
    """Bytes of one real export file (the shared set, copied into tests/data)."""
    return (KPI_EXPORTS_DIR / name).read_bytes()


@dataclass
class Agency:
    member: Any
    admin: Any
    user: Any
    client: Any
    project: Any


@pytest.fixture()
def agency(
    make_member: Callable[..., Any],
    make_member_user: Callable[..., Any],
    make_client: Callable[..., Any],
    make_project: Callable[..., Any],
) -> Callable[..., Agency]:
    """``agency(name)`` — a member with an admin, a user, a client and a project
    running from 2024-01-01 to 2026-12-31."""
    from core.security import Role

    def make(name: str = "Agence KPI", **project: Any) -> Agency:
        member = make_member(name=name)
        admin = make_member_user(member, Role.MEMBER_ADMIN)
        user = make_member_user(member, Role.MEMBER_USER)
        client = make_client(member, name=f"Client de {name}")
        found = make_project(
            member,
            client=client,
            starts_on=project.pop("starts_on", date(2024, 1, 1)),
            ends_on=project.pop("ends_on", date(2026, 12, 31)),
            **project,
        )
        return Agency(member, admin, user, client, found)

    return make


@pytest.fixture()
def make_indicator(app: Any) -> Callable[..., Any]:
    """``make_indicator(project, kind, **fields)`` through the real service."""
    from kpi import services
    from kpi.models import Direction, Frequency, IndicatorKind

    def make(project: Any, kind: str = "audience", **fields: Any) -> Any:
        return services.create_indicator(
            None,
            project,
            services.IndicatorFields(
                kind=IndicatorKind(kind),
                name=fields.pop("name", ""),
                unit=fields.pop("unit", None),
                direction=Direction(fields["direction"])
                if "direction" in fields
                else None,
                frequency=Frequency(fields["frequency"])
                if "frequency" in fields
                else None,
                baseline_on=fields.pop("baseline_on", None),
                baseline_value=_dec(fields.pop("baseline_value", None)),
                target_value=_dec(fields.pop("target_value", None)),
            ),
        )

    return make


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
