"""Each record of a project as a proof of the commitment it serves, in the
reader's words, flagged by the records' own rules (:mod:`records.flags`).

Left out on purpose (they may name a person): a follow-up's summary and the
recipient of a source-code handover."""

from __future__ import annotations

from datetime import date

from flask_babel import format_currency
from flask_babel import gettext as _

from core.i18n import format_date
from evidence.services.facts import ProjectLine, Proof
from members.commitments import CommitmentCode as C
from records import flags
from records.models import (
    CHANGE_LABELS,
    FOLLOW_UP_LABELS,
    FREQUENCY_LABELS,
    HANDOVER_LABELS,
    PAYER_LABELS,
    RECURRING_LABELS,
    BackupPlan,
    Budget,
    Change,
    ChangeKind,
    ClientItem,
    Delivery,
    FollowUp,
    Handover,
    Licence,
    Technology,
)

Projects = dict[int, ProjectLine]


def _proof(
    code: C,
    kind: str,
    label: str,
    projects: Projects,
    project_id: int,
    on: date | None,
    detail: str,
    flag: str = "",
) -> Proof:
    project = projects.get(project_id)
    return Proof(
        commitment=code,
        kind=kind,
        kind_label=label,
        project=project.title if project else "–",
        client=project.client if project else "–",
        on=on,
        detail=detail,
        flag=flag,
    )


def _money(value: object) -> str:
    return str(format_currency(value, "EUR"))


def client_item(item: ClientItem, projects: Projects, *, as_of: date) -> Proof:
    if item.received_on is not None:
        detail = _(
            "%(label)s, attendu le %(due)s, reçu le %(received)s",
            label=item.label,
            due=format_date(item.due_on),
            received=format_date(item.received_on),
        )
    else:
        detail = _(
            "%(label)s, attendu le %(due)s, non reçu",
            label=item.label,
            due=format_date(item.due_on),
        )
    if item.is_critical:
        detail += " · " + _("critique pour le délai")
    late = flags.item_is_late(item.due_on, item.received_on, today=as_of)
    flag = _("Élément critique en retard") if late and item.is_critical else ""
    if late and not flag:
        flag = _("Élément en retard")
    kind = _("Élément à fournir par le client")
    return _proof(
        C.SCOPE,
        "client_item",
        kind,
        projects,
        item.project_id,
        item.due_on,
        detail,
        flag,
    )


def budget(row: Budget, projects: Projects) -> Proof:
    detail = _(
        "Mise en place %(setup)s, récurrent %(recurring)s %(period)s, coûts tiers %(third)s",
        setup=_money(row.setup_cost),
        recurring=_money(row.recurring_cost),
        period=RECURRING_LABELS[row.recurring_period],
        third=_money(row.third_party_cost),
    )
    if row.deadline_on is not None:
        detail += " · " + _("échéance le %(day)s", day=format_date(row.deadline_on))
    on = row.updated_at.date() if row.updated_at else None
    return _proof(
        C.COSTS_DEADLINES,
        "budget",
        _("Budget et délai"),
        projects,
        row.project_id,
        on,
        detail,
    )


def change(row: Change, projects: Projects, *, notice_days: int) -> Proof:
    notice = flags.notice_days(row.announced_on, row.effective_on)
    detail = _(
        "%(kind)s : %(summary)s — annoncé le %(announced)s, effectif le %(effective)s (préavis de %(days)d jours)",
        kind=CHANGE_LABELS[row.kind],
        summary=row.summary,
        announced=format_date(row.announced_on),
        effective=format_date(row.effective_on),
        days=notice,
    )
    flag = ""
    if flags.is_short_notice(row.announced_on, row.effective_on, minimum=notice_days):
        flag = _(
            "Préavis court : %(days)d jours pour %(minimum)d demandés",
            days=notice,
            minimum=notice_days,
        )
    kind = (
        _("Changement de prix")
        if row.kind == ChangeKind.PRICE
        else _("Changement de délai")
    )
    return _proof(
        C.COSTS_DEADLINES,
        "change",
        kind,
        projects,
        row.project_id,
        row.announced_on,
        detail,
        flag,
    )


def follow_up(row: FollowUp, projects: Projects) -> Proof:
    detail = str(FOLLOW_UP_LABELS[row.kind])
    if row.sent_at is not None:
        detail += " · " + _("envoyé au client par e-mail")
    return _proof(
        C.FOLLOW_UP,
        "follow_up",
        _("Point de suivi"),
        projects,
        row.project_id,
        row.held_on,
        detail,
    )


def delivery(row: Delivery, projects: Projects) -> Proof:
    return _proof(
        C.OWNERSHIP,
        "delivery",
        _("Livraison"),
        projects,
        row.project_id,
        row.delivered_on,
        row.label,
    )


def handover(row: Handover, projects: Projects) -> Proof:
    detail = str(HANDOVER_LABELS[row.mode])
    if row.clause:
        detail += " · " + _("clause : %(clause)s", clause=row.clause)
    return _proof(
        C.OWNERSHIP,
        "handover",
        _("Code source à la clôture"),
        projects,
        row.project_id,
        row.handed_on,
        detail,
    )


def technology(row: Technology, projects: Projects, *, as_of: date) -> Proof:
    name = f"{row.name} {row.version}".strip()
    if row.end_of_support_on is not None:
        detail = _(
            "%(name)s, fin de support le %(day)s",
            name=name,
            day=format_date(row.end_of_support_on),
        )
    else:
        detail = _("%(name)s, fin de support inconnue", name=name)
    if row.client_informed_on is not None:
        detail += " · " + _(
            "client informé le %(day)s", day=format_date(row.client_informed_on)
        )
    status = flags.support_status(row.end_of_support_on, today=as_of)
    flag = ""
    if status in ("ended", "ending") and row.client_informed_on is None:
        flag = (
            _("Composant obsolète, client non informé")
            if status == "ended"
            else _("Fin de support proche, client non informé")
        )
    elif status == "ended":
        flag = _("Composant obsolète (client informé)")
    return _proof(
        C.DURABILITY,
        "technology",
        _("Technologie"),
        projects,
        row.project_id,
        row.end_of_support_on,
        detail,
        flag,
    )


def backup(row: BackupPlan, projects: Projects) -> Proof:
    detail = _(
        "%(scope)s — %(frequency)s, vers %(location)s, restauration en %(hours)d h",
        scope=row.scope,
        frequency=str(FREQUENCY_LABELS[row.frequency]).lower(),
        location=row.location,
        hours=row.restore_hours,
    )
    on = row.created_at.date() if row.created_at else None
    return _proof(
        C.SECURITY,
        "backup",
        _("Plan de sauvegarde"),
        projects,
        row.project_id,
        on,
        detail,
    )


def licence(row: Licence, projects: Projects) -> Proof:
    detail = _(
        "%(name)s, renouvelée le %(day)s, payée par %(payer)s",
        name=row.name,
        day=format_date(row.renews_on),
        payer=str(PAYER_LABELS[row.paid_by]).lower(),
    )
    return _proof(
        C.SECURITY,
        "licence",
        _("Licence à renouveler"),
        projects,
        row.project_id,
        row.renews_on,
        detail,
    )
