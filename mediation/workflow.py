"""The charter's complaint procedure as a state machine, pure.

The charter (« Médiation des litiges »): a client files a written complaint with
the secretariat; the secretariat rules on its admissibility, informs the member
and invites it to present its arguments; a mediation between client and member
follows; if it fails, the complaints commission is convened, looks for a
solution and, where needed, rules on a sanction, from a warning up to the
definitive exclusion of the member.

::

    submitted ──declare_inadmissible──▶ inadmissible (closed)
        │ declare_admissible
        ▼
    awaiting_member ──submit_arguments / start_mediation──▶ in_mediation
    in_mediation ──record_agreement──▶ resolved (closed)
    in_mediation ──refer_to_commission──▶ at_commission ──decide──▶ decided (closed)
    submitted / awaiting_member / in_mediation ──withdraw──▶ withdrawn (closed)

Once the commission is seized the complainant can no longer withdraw: the
commission rules on the member's respect of the charter, and may decide
"no sanction".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from core.dates import date_problem, years_after
from mediation.errors import TransitionRefused


class Status(StrEnum):
    """Where a complaint stands."""

    SUBMITTED = "submitted"  # registered, the complainant's e-mail verified
    INADMISSIBLE = "inadmissible"
    AWAITING_MEMBER = "awaiting_member"  # admissible; member invited to answer
    IN_MEDIATION = "in_mediation"
    RESOLVED = "resolved"  # agreement reached in mediation
    AT_COMMISSION = "at_commission"
    DECIDED = "decided"  # the commission's decision is recorded
    WITHDRAWN = "withdrawn"  # by the complainant


class Action(StrEnum):
    """What someone can do to a complaint."""

    DECLARE_ADMISSIBLE = "declare_admissible"
    DECLARE_INADMISSIBLE = "declare_inadmissible"
    SUBMIT_ARGUMENTS = "submit_arguments"
    START_MEDIATION = "start_mediation"  # e.g. the member let its deadline pass
    RECORD_AGREEMENT = "record_agreement"
    REFER_TO_COMMISSION = "refer_to_commission"
    DECIDE = "decide"
    WITHDRAW = "withdraw"


class Role(StrEnum):
    """Who acts: the association's staff, a commission member, the two parties."""

    SECRETARIAT = "secretariat"
    BOARD = "board"
    MEMBER = "member"
    COMPLAINANT = "complainant"


class Decision(StrEnum):
    """What the complaints commission decides."""

    NONE = "none"
    WARNING = "warning"
    SUSPENSION = "suspension"
    EXCLUSION = "exclusion"


MarkStatus = Literal["active", "suspended", "withdrawn"]

CLOSED_STATUSES: Final = frozenset(
    {Status.INADMISSIBLE, Status.RESOLVED, Status.DECIDED, Status.WITHDRAWN}
)
MEMBER_REPLY_DAYS: Final = 15
"""Default time given to the member to present its arguments (not in the charter)."""

SUSPENSION_YEARS_AHEAD: Final = 5
"""A suspension ends within this many years (a later date is a typing mistake)."""

SANCTIONS: Final = frozenset(
    {Decision.WARNING, Decision.SUSPENSION, Decision.EXCLUSION}
)


@dataclass(frozen=True)
class Transition:
    """Where an action leads, and who may perform it."""

    target: Status
    roles: frozenset[Role]


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


_STAFF: Final = _roles(Role.SECRETARIAT, Role.BOARD)
_WITHDRAWERS: Final = _roles(Role.COMPLAINANT, Role.SECRETARIAT)

TRANSITIONS: Final[Mapping[tuple[Status, Action], Transition]] = MappingProxyType(
    {
        (Status.SUBMITTED, Action.DECLARE_ADMISSIBLE): Transition(
            Status.AWAITING_MEMBER, _roles(Role.SECRETARIAT)
        ),
        (Status.SUBMITTED, Action.DECLARE_INADMISSIBLE): Transition(
            Status.INADMISSIBLE, _roles(Role.SECRETARIAT)
        ),
        (Status.SUBMITTED, Action.WITHDRAW): Transition(Status.WITHDRAWN, _WITHDRAWERS),
        (Status.AWAITING_MEMBER, Action.SUBMIT_ARGUMENTS): Transition(
            Status.IN_MEDIATION, _roles(Role.MEMBER)
        ),
        (Status.AWAITING_MEMBER, Action.START_MEDIATION): Transition(
            Status.IN_MEDIATION, _roles(Role.SECRETARIAT)
        ),
        (Status.AWAITING_MEMBER, Action.WITHDRAW): Transition(
            Status.WITHDRAWN, _WITHDRAWERS
        ),
        (Status.IN_MEDIATION, Action.RECORD_AGREEMENT): Transition(
            Status.RESOLVED, _STAFF
        ),
        (Status.IN_MEDIATION, Action.REFER_TO_COMMISSION): Transition(
            Status.AT_COMMISSION, _STAFF
        ),
        (Status.IN_MEDIATION, Action.WITHDRAW): Transition(
            Status.WITHDRAWN, _WITHDRAWERS
        ),
        (Status.AT_COMMISSION, Action.DECIDE): Transition(
            Status.DECIDED, _roles(Role.BOARD)
        ),
    }
)
"""(status, action) → transition. Anything not listed is refused."""

STATUS_LABELS: Final[Mapping[Status, LazyString]] = MappingProxyType(
    {
        Status.SUBMITTED: _l("Déposée"),
        Status.INADMISSIBLE: _l("Irrecevable"),
        Status.AWAITING_MEMBER: _l("En attente des arguments de l'adhérent"),
        Status.IN_MEDIATION: _l("En médiation"),
        Status.RESOLVED: _l("Résolue par un accord"),
        Status.AT_COMMISSION: _l("Devant la commission des plaintes"),
        Status.DECIDED: _l("Décision rendue"),
        Status.WITHDRAWN: _l("Retirée"),
    }
)
ACTION_LABELS: Final[Mapping[Action, LazyString]] = MappingProxyType(
    {
        Action.DECLARE_ADMISSIBLE: _l("Déclarer la plainte recevable"),
        Action.DECLARE_INADMISSIBLE: _l("Déclarer la plainte irrecevable"),
        Action.SUBMIT_ARGUMENTS: _l("Présenter ses arguments"),
        Action.START_MEDIATION: _l("Ouvrir la médiation"),
        Action.RECORD_AGREEMENT: _l("Constater l'accord"),
        Action.REFER_TO_COMMISSION: _l("Saisir la commission des plaintes"),
        Action.DECIDE: _l("Rendre la décision de la commission"),
        Action.WITHDRAW: _l("Retirer la plainte"),
    }
)
ROLE_LABELS: Final[Mapping[Role, LazyString]] = MappingProxyType(
    {
        Role.SECRETARIAT: _l("le secrétariat"),
        Role.BOARD: _l("la commission des plaintes"),
        Role.MEMBER: _l("l'adhérent"),
        Role.COMPLAINANT: _l("le plaignant"),
    }
)
DECISION_LABELS: Final[Mapping[Decision, LazyString]] = MappingProxyType(
    {
        Decision.NONE: _l("Aucune sanction"),
        Decision.WARNING: _l("Avertissement"),
        Decision.SUSPENSION: _l("Suspension du droit d'usage de la marque"),
        Decision.EXCLUSION: _l("Exclusion définitive"),
    }
)

_MARK_STATUS_AFTER: Final[Mapping[Decision, MarkStatus]] = MappingProxyType(
    {
        Decision.NONE: "active",
        Decision.WARNING: "active",
        Decision.SUSPENSION: "suspended",
        Decision.EXCLUSION: "withdrawn",
    }
)


def is_closed(status: Status | str) -> bool:
    """Tell whether a complaint in ``status`` is closed for good."""
    return Status(status) in CLOSED_STATUSES


def allowed_actions(status: Status | str, actor_role: str) -> list[str]:
    """The actions ``actor_role`` may take on a complaint in ``status``, in order."""
    try:
        role = Role(actor_role)
    except ValueError:
        return []
    current = Status(status)
    return [
        action.value
        for (source, action), transition in TRANSITIONS.items()
        if source is current and role in transition.roles
    ]


def apply(
    status: Status | str,
    action: str,
    *,
    actor_role: str,
    decision: Decision | str | None = None,
    suspension_until: date | None = None,
    reason: str | None = None,
    today: date | None = None,
) -> Status:
    """Return the status after ``actor_role`` performs ``action``.

    ``reason`` is required to declare a complaint inadmissible and to pronounce
    a sanction; ``decision`` only comes with ``decide``; a suspension needs
    ``suspension_until`` after ``today`` (the caller's date, never the clock).

    :raises TransitionRefused: the case is closed, the action is unknown or not
        possible in this status, the role may not perform it, or what it needs
        is missing or wrong.
    :raises ValueError: ``status`` is not a status; ``today`` is missing for a
        suspension.
    """
    chosen, transition = _transition(Status(status), action, actor_role=actor_role)
    _check_details(
        chosen,
        decision=decision,
        suspension_until=suspension_until,
        reason=reason,
        today=today,
    )
    return transition.target


def _transition(
    current: Status, action: str, *, actor_role: str
) -> tuple[Action, Transition]:
    """The action and the transition it takes from ``current``, for this role.

    :raises TransitionRefused: closed case, unknown or impossible action, or an
        action reserved to other roles.
    """
    if current in CLOSED_STATUSES:
        raise TransitionRefused(
            _l(
                "Ce dossier est clos (%(status)s) : il ne peut plus être modifié.",
                status=STATUS_LABELS[current],
            )
        )
    try:
        chosen = Action(action)
    except ValueError:
        raise TransitionRefused(
            _l("Action inconnue : « %(action)s ».", action=action)
        ) from None
    transition = TRANSITIONS.get((current, chosen))
    if transition is None:
        raise TransitionRefused(
            _l(
                "« %(action)s » n'est pas possible pour une plainte au statut "
                "« %(status)s ».",
                action=ACTION_LABELS[chosen],
                status=STATUS_LABELS[current],
            )
        )
    if actor_role not in transition.roles:
        raise TransitionRefused(
            _l(
                "« %(action)s » est réservé à : %(roles)s.",
                action=ACTION_LABELS[chosen],
                roles=_join_labels(
                    ROLE_LABELS[role] for role in Role if role in transition.roles
                ),
            )
        )
    return chosen, transition


def mark_status_after(decision: Decision | str) -> MarkStatus:
    """The member's right to use the charter mark after the commission's decision.

    ``active`` after no sanction or a warning, ``suspended`` after a suspension,
    ``withdrawn`` after an exclusion.
    """
    return _MARK_STATUS_AFTER[Decision(decision)]


def member_reply_deadline(admitted_on: date, *, days: int = MEMBER_REPLY_DAYS) -> date:
    """The date by which the member is invited to present its arguments."""
    return admitted_on + timedelta(days=days)


def _join_labels(labels: Iterable[LazyString]) -> LazyString:
    # Joined when displayed, so that each label is in the reader's language.
    frozen = tuple(labels)
    return LazyString(lambda: ", ".join(str(label) for label in frozen))


def _check_details(
    action: Action,
    *,
    decision: Decision | str | None,
    suspension_until: date | None,
    reason: str | None,
    today: date | None,
) -> None:
    has_reason = bool(reason and reason.strip())
    if action is Action.DECLARE_INADMISSIBLE and not has_reason:
        raise TransitionRefused(_l("Indiquez pourquoi la plainte est irrecevable."))
    if action is not Action.DECIDE:
        if decision is not None or suspension_until is not None:
            raise TransitionRefused(
                _l(
                    "Seule la commission des plaintes peut prononcer une décision, "
                    "une fois la plainte portée devant elle."
                )
            )
        return
    if decision is None:
        raise TransitionRefused(_l("Indiquez la décision de la commission."))
    try:
        chosen = Decision(decision)
    except ValueError:
        raise TransitionRefused(
            _l("Décision inconnue : « %(decision)s ».", decision=decision)
        ) from None
    if chosen in SANCTIONS and not has_reason:
        raise TransitionRefused(
            _l("Une sanction doit être motivée : indiquez-en la raison.")
        )
    if chosen is not Decision.SUSPENSION:
        if suspension_until is not None:
            raise TransitionRefused(
                _l("Une date de fin ne s'indique que pour une suspension.")
            )
        return
    if suspension_until is None:
        raise TransitionRefused(
            _l("Indiquez jusqu'à quelle date la marque est suspendue.")
        )
    if today is None:
        raise ValueError("today is needed to check a suspension's end date")
    if suspension_until <= today:
        raise TransitionRefused(
            _l("La fin de la suspension doit être postérieure à aujourd'hui.")
        )
    latest = years_after(today, SUSPENSION_YEARS_AHEAD)
    problem = date_problem(suspension_until, latest=latest, today=today)
    if problem is not None:
        raise TransitionRefused(problem, field="suspension_until")
