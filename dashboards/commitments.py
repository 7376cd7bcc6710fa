"""The compliance table's light per charter commitment: pure rules (facts in,
``green`` / ``amber`` / ``red`` / ``none`` out; no Flask, no database) and the
rule of each, written as a sentence the board reads beside the light.

The facts come from grouped queries (:mod:`dashboards.queries.commitments`);
three lights reuse the table's older criteria (efficiency: the agreed
indicators; questionnaires: sent, response rate and open alerts; mediation:
the open complaints). Keyed by :class:`members.commitments.CommitmentCode`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from members.commitments import TITLES, CommitmentCode

C = CommitmentCode

#: The order of the lights: the charter's.
CODES: tuple[CommitmentCode, ...] = tuple(TITLES)
#: A follow-up entry this recent on every active project keeps the light green.
FOLLOW_UP_DAYS = 90
#: A licence renewing this soon whose client has not been reminded yet (the
#: reminder goes 30 days ahead: it failed, e.g. no contact to send it to).
LICENCE_LATE_REMINDER_DAYS = 7
#: A training this recent keeps the team's knowledge up to date (the expertise light).
TRAINING_MONTHS = 24
#: Questionnaire answers on questions tagged "adequacy": mean rating out of 5.
ADEQUACY_GOOD, ADEQUACY_FAIR = 4.0, 3.0
#: The lights made from the older criteria (not counted twice in reds/ambers).
DERIVED = frozenset({C.EFFICIENCY, C.QUESTIONNAIRES, C.MEDIATION})

#: Each light's rule, shown beside it (the legend) and in its title.
RULES = {
    C.COMMUNICATION: _l(
        "Vert : version en vigueur de la charte signée et marque active ; orange : "
        "une version antérieure signée, à re-signer ; rouge : marque suspendue ou "
        "retirée."
    ),
    C.ADEQUACY: _l(
        "Note moyenne des clients aux questions « adéquation » : vert dès 4 sur 5, "
        "orange dès 3, rouge en dessous ; sans objet sans réponse."
    ),
    C.SCOPE: _l(
        "Vert : chaque projet actif a ses livrables ou exclusions écrits ; orange : "
        "certains n'en ont pas ; rouge : un élément critique attendu du client est "
        "en retard, ou aucun projet n'en a."
    ),
    C.COSTS_DEADLINES: _l(
        "Vert : chaque projet actif a un budget et un délai ; orange : certains "
        "n'en ont pas, ou un changement de prix ou de délai annoncé avec un préavis "
        "trop court depuis 12 mois ; rouge : plusieurs, ou aucun projet budgété."
    ),
    C.FOLLOW_UP: _l(
        "Vert : chaque projet actif a un suivi consigné depuis 90 jours ; orange : "
        "certains ; rouge : aucun."
    ),
    C.EFFICIENCY: _l(
        "Vert : le client a convenu des indicateurs de chaque projet actif ; orange : "
        "de certains ; rouge : d'aucun."
    ),
    C.DURABILITY: _l(
        "Vert : les technologies de chaque projet actif sont listées ; orange : "
        "certaines manquent, ou un composant en fin de support sans client "
        "prévenu ; rouge : un composant hors support sans client prévenu."
    ),
    C.OWNERSHIP: _l(
        "Vert : des livraisons consignées sur chaque projet actif et, pour chaque "
        "projet clos depuis 12 mois, la remise du code ou la clause qui l'exclut ; "
        "orange : certaines manquent ; rouge : aucune."
    ),
    C.SECURITY: _l(
        "Vert : chaque projet d'hébergement ou de maintenance actif a un plan de "
        "sauvegarde ; orange : certains, ou une licence à renouveler dans les 7 "
        "jours sans rappel au client ; rouge : aucun, ou une licence renouvelée "
        "sans rappel au client."
    ),
    C.EXPERTISE: _l(
        "Vert : le profil de l'adhérent indique les compétences de son équipe et une "
        "formation suivie depuis 24 mois ; orange : l'un des deux ; rouge : aucun."
    ),
    C.WATCH: _l(
        "Vert : le profil de l'adhérent indique au moins une source de veille ; "
        "rouge : aucune."
    ),
    C.QUESTIONNAIRES: _l(
        "Le moins bon de trois critères : questionnaire envoyé depuis 12 mois, taux "
        "de réponse (vert dès 30 %, orange dès 15 %), alertes ouvertes (orange "
        "jusqu'à 3, rouge au-delà)."
    ),
    C.MEDIATION: _l("Vert : aucune plainte en cours ; orange : une plainte en cours."),
}


@dataclass(frozen=True)
class ProjectFacts:
    """A member's projects, counted in one grouped statement."""

    active: int = 0
    scoped: int = 0
    budgeted: int = 0
    followed: int = 0
    with_technologies: int = 0
    delivered: int = 0
    closed: int = 0
    handed_over: int = 0
    secured: int = 0
    backed_up: int = 0


@dataclass(frozen=True)
class FlagFacts:
    """A member's records that the charter's rules flag."""

    late_critical_items: int = 0
    short_notice_changes: int = 0
    ended_uninformed: int = 0
    ending_uninformed: int = 0
    missed_licences: int = 0
    unreminded_licences_due: int = 0


def share(done: int, total: int) -> str:
    """green when all, amber when some, red when none (none: nothing to judge)."""
    if total == 0:
        return "none"
    if done >= total:
        return "green"
    return "amber" if done else "red"


def worst(lights: Iterable[str]) -> str:
    """The worst of ``lights`` that say something (none when none does)."""
    found = set(lights) - {"none"}
    for light in ("red", "amber", "green"):
        if light in found:
            return light
    return "none"


def communication(mark_status: str, *, signed_current: bool = True) -> str:
    """The mark decides red; an active mark on an older charter is amber."""
    if mark_status != "active":
        return "red"
    return "green" if signed_current else "amber"


def adequacy(mean_rating: float | None) -> str:
    if mean_rating is None:
        return "none"
    if mean_rating >= ADEQUACY_GOOD:
        return "green"
    return "amber" if mean_rating >= ADEQUACY_FAIR else "red"


def scope(p: ProjectFacts, f: FlagFacts) -> str:
    if f.late_critical_items:
        return "red"
    return share(p.scoped, p.active)


def costs_deadlines(p: ProjectFacts, f: FlagFacts) -> str:
    light = share(p.budgeted, p.active)
    if f.short_notice_changes > 1:
        return "red"
    if f.short_notice_changes == 1:
        return worst([light, "amber"])
    return light


def follow_up(p: ProjectFacts) -> str:
    return share(p.followed, p.active)


def durability(p: ProjectFacts, f: FlagFacts) -> str:
    if f.ended_uninformed:
        return "red"
    light = share(p.with_technologies, p.active)
    if f.ending_uninformed:
        return worst([light, "amber"])
    return light


def ownership(p: ProjectFacts) -> str:
    return share(p.delivered + p.handed_over, p.active + p.closed)


def security(p: ProjectFacts, f: FlagFacts) -> str:
    if f.missed_licences:
        return "red"
    light = share(p.backed_up, p.secured)
    if f.unreminded_licences_due:
        return worst([light, "amber"])
    return light


def expertise(has_skills: bool, trained_recently: bool) -> str:
    """Skills written down and a training in the last 24 months."""
    if has_skills and trained_recently:
        return "green"
    return "amber" if has_skills or trained_recently else "red"


def watch(has_sources: bool) -> str:
    return "green" if has_sources else "red"


def commitment_lights(
    *,
    mark_status: str,
    signed_current: bool = True,
    projects: ProjectFacts,
    flags: FlagFacts,
    adequacy_rating: float | None,
    criteria: Mapping[str, str],
    profile: Mapping[str, str],
) -> dict[str, str]:
    """One light per commitment code, in the charter's order. ``criteria`` are
    the table's older lights; ``profile`` the lights read from the member's
    profile (expertise, watch: ``none`` when absent)."""
    lights = {
        C.COMMUNICATION: communication(mark_status, signed_current=signed_current),
        C.ADEQUACY: adequacy(adequacy_rating),
        C.SCOPE: scope(projects, flags),
        C.COSTS_DEADLINES: costs_deadlines(projects, flags),
        C.FOLLOW_UP: follow_up(projects),
        C.EFFICIENCY: criteria.get("agreed", "none"),
        C.DURABILITY: durability(projects, flags),
        C.OWNERSHIP: ownership(projects),
        C.SECURITY: security(projects, flags),
        C.EXPERTISE: profile.get(C.EXPERTISE, "none"),
        C.WATCH: profile.get(C.WATCH, "none"),
        C.QUESTIONNAIRES: worst(
            criteria.get(key, "none") for key in ("sent", "rate", "alerts")
        ),
        C.MEDIATION: criteria.get("complaints", "none"),
    }
    return {code.value: lights[code] for code in CODES}


def counted(commitments: Mapping[str, str]) -> list[str]:
    """The commitment lights that add to the table's reds and ambers (those not
    made from the older criteria, which count already)."""
    return [light for code, light in commitments.items() if code not in DERIVED]
