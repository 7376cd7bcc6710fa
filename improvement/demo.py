"""Demo improvement actions (idempotent): the scan opens an action for each
demo trigger (detractors, indicators off track, admissible complaints, flagged
records); on the first load, some are decided, one of them is late, and some
are closed with their effect. The rest stay to decide."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.database import utcnow
from core.dates import local_today
from core.extensions import db
from core.security import Role
from improvement import services
from improvement.models import ActionState, ImprovementAction
from improvement.triggers import previous_period
from kpi import services as kpi
from kpi.errors import KpiError
from kpi.models import Direction, Indicator
from kpi.periods import last_complete_period
from members.demo import MEMBERS
from members.models import Member, Project, ProjectStatus, User

# What a member decides and finds, by trigger (cause, action, result, effect).
STORIES = {
    "detractor": (
        "Le client n'a pas été prévenu du report de la mise en ligne.",
        "Un point d'avancement écrit chaque quinzaine avec chaque client.",
        "Points quinzaine envoyés à tous les clients actifs depuis un mois.",
        "Le client a répondu 8 au questionnaire suivant.",
    ),
    "indicator": (
        "La cible a été fixée sans historique ; la saisonnalité n'a pas été prise en compte.",
        "Revoir la cible avec le client et ajouter une campagne hors saison.",
        "Cible revue avec le client, campagne lancée.",
        "L'indicateur est revenu dans la cible le mois suivant.",
    ),
    "complaint": (
        "Le changement de tarif n'a pas été annoncé avec un préavis suffisant.",
        "Annoncer toute évolution de prix par écrit deux mois à l'avance.",
        "Modèle de courrier de préavis adopté.",
        "Aucune nouvelle réclamation sur les prix depuis.",
    ),
    "late_item": (
        "La liste des éléments attendus du client n'avait pas de date convenue.",
        "Convenir par écrit, au lancement, de chaque élément et de sa date.",
        "Liste datée signée par le client sur les nouveaux projets.",
        "Éléments reçus à temps sur les deux projets suivants.",
    ),
    "short_notice": (
        "La hausse du fournisseur a été répercutée sans attendre le préavis.",
        "Annoncer toute évolution de prix avec le préavis de l'association.",
        "Calendrier des révisions de prix tenu à jour.",
        "Les changements suivants ont été annoncés à temps.",
    ),
    "component": (
        "La fin de support n'était suivie par personne.",
        "Revue trimestrielle des technologies et courrier au client.",
        "Client prévenu, migration proposée.",
        "Migration planifiée avec le client.",
    ),
    "licence": (
        "Le rappel n'est pas parti : l'adresse du client était erronée.",
        "Vérifier les contacts de facturation à chaque renouvellement.",
        "Contacts vérifiés sur tous les projets.",
        "Rappels reçus par les clients depuis.",
    ),
}


def _slipping_indicator(now: datetime) -> None:
    """One demo indicator slips off track for its last two months (the KPI
    demo keeps every indicator near its target): the last "higher is better"
    count indicator, at three quarters of its target (idempotent)."""
    indicator = db.session.scalar(
        select(Indicator)
        .join(Project, Project.id == Indicator.project_id)
        .where(
            Indicator.direction == Direction.HIGHER,
            Indicator.is_ratio.is_(False),
            Indicator.target_value.is_not(None),
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Indicator.id.desc())
    )
    if indicator is None or indicator.target_value is None:
        return
    latest = last_complete_period(indicator.frequency.value, local_today(now))
    value = str((indicator.target_value * Decimal("0.75")).quantize(Decimal("1")))
    for start in (previous_period(latest, indicator.frequency.value), latest):
        try:
            kpi.record_measurement(
                None, indicator, day=start, value=value, replace=True, now=now
            )
        except KpiError:
            return  # outside the project's span: no slip to show


def load(scale: str) -> str:
    """Open the demo triggers' actions; decide and close some on first load."""
    now = utcnow()
    _slipping_indicator(now)
    # Opened six weeks ago, so that one of them can be late today; the records
    # flagged today (records' demo) open theirs now.
    opened = services.open_actions(now - timedelta(days=42))
    opened += services.open_actions(now)
    if db.session.scalar(
        select(ImprovementAction.id).where(
            ImprovementAction.state != ActionState.TO_DECIDE
        )
    ):
        return f"{opened} new actions"
    # The six demo members only (the large demo's thousand stay to decide).
    actions = db.session.scalars(
        select(ImprovementAction)
        .join(Member, Member.id == ImprovementAction.member_id)
        .where(Member.name.in_([m[0] for m in MEMBERS]))
        .order_by(ImprovementAction.member_id, ImprovementAction.id)
    ).all()
    decided = closed = 0
    for index, action in enumerate(actions):
        owner = db.session.scalar(
            select(User)
            .where(User.member_id == action.member_id, User.role == Role.MEMBER_ADMIN)
            .order_by(User.id)
        )
        if owner is None or index % 4 == 3:
            continue  # stays to decide
        cause, plan, result, effect = STORIES[action.source_type.value]
        decided_at = action.opened_at + timedelta(days=2)
        # The first one decided is late (due two weeks ago); others are due ahead.
        due = local_today(now) + (
            timedelta(days=-14) if decided == 0 else timedelta(days=30 + index)
        )
        services.decide_action(
            owner,
            action,
            cause=cause,
            plan=plan,
            owner_id=owner.id,
            due_on=due,
            now=decided_at,
        )
        decided += 1
        if index % 4 == 1:
            services.close_action(
                owner,
                action,
                result=result,
                effect=effect,
                effect_on=local_today(now) - timedelta(days=5),
                now=now - timedelta(days=3),
            )
            closed += 1
    return f"{opened} new actions, {decided} decided, {closed} closed"
