"""Demo records on the demo members' active projects (idempotent: a project that
has a budget already is left as it is).

Most projects are kept as the charter asks (their latest report is two weeks
old); Buëch Informatique's first active project shows what the records flag: a
critical item the client has not provided, a price change announced at short
notice, an obsolete component the client was not told about, no recent report,
and a licence to renew within the month.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.dates import local_today
from core.extensions import db
from members.demo import MEMBERS, _slug
from members.models import Member, Project, ProjectStatus, User
from records import services
from records.models import (
    BackupFrequency,
    Budget,
    ChangeKind,
    FollowUpKind,
    HandoverMode,
    Payer,
    RecurringPeriod,
)

#: The demo member whose project shows every flag.
FLAGGED_MEMBER = "Buëch Informatique"


def load(scale: str) -> str:
    """Add the records of the demo projects that have none; say what was done."""
    today = local_today()
    done = 0
    for name, *_rest in MEMBERS:
        member = db.session.scalar(select(Member).where(Member.name == name))
        admin = db.session.scalar(
            select(User).where(User.email == f"admin@{_slug(name)}.example")
        )
        if member is None or admin is None:
            continue
        projects = db.session.scalars(
            select(Project)
            .where(
                Project.member_id == member.id,
                Project.status.in_([ProjectStatus.ACTIVE, ProjectStatus.CLOSED]),
            )
            .order_by(Project.id)
        ).all()
        for position, project in enumerate(projects):
            if _has_records(project):
                continue
            flagged = name == FLAGGED_MEMBER and position == 0
            _exemplary(admin, project, today=today, flagged=flagged)
            if flagged:
                _breaches(admin, project, today=today)
            done += 1
    return f"records on {done} projects"


def _has_records(project: Project) -> bool:
    return (
        db.session.scalar(select(Budget.id).where(Budget.project_id == project.id))
        is not None
    )


def _exemplary(admin: User, project: Project, *, today: date, flagged: bool) -> None:
    """What a member keeps when it follows the charter."""
    start = project.starts_on
    services.set_budget(
        admin,
        project,
        setup_cost=Decimal("4800.00"),
        recurring_cost=Decimal("45.00"),
        recurring_period=RecurringPeriod.MONTH,
        third_party_cost=Decimal("120.00"),
        deadline_on=project.ends_on,
        today=today,
    )
    services.add_client_item(
        admin,
        project,
        label="Textes et photos des pages",
        due_on=start + timedelta(days=30),
        is_critical=True,
        received_on=start + timedelta(days=25),
        today=today,
    )
    services.add_client_item(
        admin,
        project,
        label="Accès au nom de domaine",
        due_on=start + timedelta(days=15),
        is_critical=False,
        received_on=start + timedelta(days=10),
        today=today,
    )
    services.record_change(
        admin,
        project,
        kind=ChangeKind.DEADLINE,
        summary="Mise en ligne décalée de deux semaines à la demande du client",
        announced_on=start + timedelta(days=40),
        effective_on=start + timedelta(days=85),
        today=today,
    )
    for days, kind, summary in (
        (
            20,
            FollowUpKind.PLANNING,
            "Planning validé : maquettes, intégration, recette.",
        ),
        (60, FollowUpKind.REPORT, "Compte-rendu du comité : maquettes validées."),
        (
            90,
            FollowUpKind.ACCEPTANCE,
            "Recette faite avec le client, deux corrections.",
        ),
    ):
        services.log_follow_up(
            admin,
            project,
            kind=kind,
            held_on=min(start + timedelta(days=days), today),
            summary=summary,
            send=False,
            today=today,
        )
    if not flagged and project.status == ProjectStatus.ACTIVE:
        # The latest report is recent: the follow-up is kept up to date.
        services.log_follow_up(
            admin,
            project,
            kind=FollowUpKind.REPORT,
            held_on=max(start, today - timedelta(days=14)),
            summary="Point mensuel : avancement, prochaines étapes, points ouverts.",
            send=False,
            today=today,
        )
    services.add_delivery(
        admin,
        project,
        label="Maquettes graphiques",
        delivered_on=min(start + timedelta(days=45), today),
        today=today,
    )
    services.add_technology(
        admin,
        project,
        name="PHP",
        version="8.3",
        end_of_support_on=date(2027, 12, 31),
        today=today,
    )
    services.add_backup_plan(
        admin,
        project,
        scope="Fichiers du site et base de données",
        frequency=BackupFrequency.DAILY,
        location="chez un second hébergeur, en France",
        restore_hours=4,
    )
    if not flagged:
        services.add_licence(
            admin,
            project,
            name="Extension de formulaires (licence annuelle)",
            renews_on=today + timedelta(days=200),
            paid_by=Payer.CLIENT,
            today=today,
        )
    if project.status == ProjectStatus.CLOSED:
        services.set_handover(
            admin,
            project,
            mode=HandoverMode.CLIENT,
            handed_on=min(project.ends_on or today, today),
            recipient="",
            clause="",
            today=today,
        )


def _breaches(admin: User, project: Project, *, today: date) -> None:
    """What the records flag, on one project."""
    services.add_client_item(
        admin,
        project,
        label="Liste des postes et des comptes utilisateurs",
        due_on=today - timedelta(days=12),
        is_critical=True,
        today=today,
    )
    services.record_change(
        admin,
        project,
        kind=ChangeKind.PRICE,
        summary="Contrat de maintenance : 90 € → 120 € par mois",
        announced_on=today - timedelta(days=5),
        effective_on=today + timedelta(days=10),
        today=today,
    )
    services.add_technology(
        admin,
        project,
        name="Windows Server",
        version="2012 R2",
        end_of_support_on=date(2023, 10, 10),
        today=today,
    )
    services.add_licence(
        admin,
        project,
        name="Antivirus (20 postes)",
        renews_on=today + timedelta(days=25),
        paid_by=Payer.CLIENT,
        today=today,
    )
