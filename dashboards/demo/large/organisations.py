"""The large demo's members, their administrators, clients, contacts and projects."""

from __future__ import annotations

from collections.abc import Iterator

from dashboards.demo.large.plan import (
    CLIENTS_PER_MEMBER,
    DEPARTMENTS,
    PROJECTS_PER_MEMBER,
    SERVICES,
    SIRET_PREFIX,
    Plan,
    Row,
    TableRows,
)
from members.models import Client, ClientContact, Member, Project, User

MEMBER_COLUMNS = [
    "id",
    "name",
    "siret",
    "department",
    "town",
    "website",
    "services",
    "charter_version",
    "signed_on",
    "mark_status",
    "mark_changed_at",
    "is_public",
    "created_at",
]
USER_COLUMNS = [
    "id",
    "email",
    "full_name",
    "password_hash",
    "role",
    "member_id",
    "locale",
    "is_active",
    "last_login_at",
    "created_at",
]
CLIENT_COLUMNS = ["id", "member_id", "name", "kind", "headcount", "town", "created_at"]
CONTACT_COLUMNS = [
    "id",
    "client_id",
    "name",
    "email",
    "job_title",
    "locale",
    "opted_out_at",
    "created_at",
]
PROJECT_COLUMNS = [
    "id",
    "member_id",
    "client_id",
    "title",
    "service_type",
    "scope",
    "deliverables",
    "exclusions",
    "starts_on",
    "ends_on",
    "status",
    "created_at",
]


def organisations(plan: Plan) -> Iterator[TableRows]:
    """Members, users, clients, contacts and projects, in that order."""
    yield Member.__table__, MEMBER_COLUMNS, members(plan)
    yield User.__table__, USER_COLUMNS, users(plan)
    yield Client.__table__, CLIENT_COLUMNS, clients(plan)
    yield ClientContact.__table__, CONTACT_COLUMNS, contacts(plan)
    yield Project.__table__, PROJECT_COLUMNS, projects(plan)


def members(plan: Plan) -> Iterator[Row]:
    for m in range(plan.n.members):
        yield (
            plan.start.member + m,
            f"Adhérent {m + 1:04d} (grande échelle)",
            f"{SIRET_PREFIX}{m:012d}",
            DEPARTMENTS[m % len(DEPARTMENTS)],
            f"Ville {m % 97}",
            None,
            [SERVICES[m % len(SERVICES)].value],
            "2026",
            plan.began,
            "active",
            plan.now,
            True,
            plan.now,
        )


def users(plan: Plan) -> Iterator[Row]:
    for m in range(plan.n.members):
        yield (
            plan.start.user + m,
            f"admin{m + 1:04d}@grande-echelle.example",
            f"Administrateur {m + 1:04d}",
            plan.password_hash,
            "member_admin",
            plan.start.member + m,
            "fr" if m % 4 else "en",
            True,
            None,
            plan.now,
        )


def clients(plan: Plan) -> Iterator[Row]:
    for c in range(plan.n.members * CLIENTS_PER_MEMBER):
        yield (
            plan.start.client + c,
            plan.start.member + c // CLIENTS_PER_MEMBER,
            f"Client {c + 1:05d}",
            ("tpe_pme", "independent", "association", "public_body")[c % 4],
            5 + c % 40,
            f"Ville {c % 89}",
            plan.now,
        )


def contacts(plan: Plan) -> Iterator[Row]:
    for c in range(plan.n.members * CLIENTS_PER_MEMBER):
        yield (
            plan.start.contact + c,
            plan.start.client + c,
            f"Contact {c + 1:05d}",
            f"contact{c + 1:05d}@client-grande-echelle.example",
            "Gérant",
            "fr" if c % 5 else "en",
            None,
            plan.now,
        )


def projects(plan: Plan) -> Iterator[Row]:
    for p in range(plan.n.projects):
        m = p // PROJECTS_PER_MEMBER
        status = "active" if p % 10 < 8 else ("closed" if p % 10 == 8 else "proposal")
        yield (
            plan.start.project + p,
            plan.start.member + m,
            plan.start.client + m * CLIENTS_PER_MEMBER + (p % CLIENTS_PER_MEMBER),
            f"Projet {p + 1:05d}",
            SERVICES[p % len(SERVICES)].value,
            "",
            "",
            "",
            plan.began,
            None,
            status,
            plan.now,
        )
