"""What the member's profile proves: *Ressources et expertise* (its team's skills,
the trainings completed in the year) and *Veille* (its watch sources). Kept on
the member, not on a project: no project or client is named. All of them, shown
publicly or not (the pack is for the board and auditors)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from evidence.services.facts import Proof
from members.commitments import CommitmentCode as C
from members.services.expertise import expertise_of


def _proof(code: C, kind: str, label: str, on: date | None, detail: str) -> Proof:
    return Proof(
        commitment=code,
        kind=kind,
        kind_label=label,
        project="–",
        client="–",
        on=on,
        detail=detail,
    )


def _in_brackets(text: str | None) -> str:
    return " (" + text + ")" if text else ""


def profile_proofs(member_id: int, since: date, until: date) -> list[Proof]:
    """The skills and watch sources standing at the year's end, the trainings
    completed within the year (three statements)."""
    kept = expertise_of(member_id, trainings_since=since)
    found = [
        _proof(
            C.EXPERTISE,
            "skill",
            _("Compétence de l'équipe"),
            skill.updated_at.date() if skill.updated_at else None,
            ngettext(
                "%(name)s — %(num)d personne",
                "%(name)s — %(num)d personnes",
                skill.people,
                name=skill.name,
            ),
        )
        for skill in kept.skills
        if skill.created_at is None or skill.created_at.date() <= until
    ]
    found += [
        _proof(
            C.EXPERTISE,
            "training",
            _("Formation suivie"),
            training.completed_on,
            ngettext(
                "%(course)s%(provider)s — %(num)d personne formée",
                "%(course)s%(provider)s — %(num)d personnes formées",
                training.attendees,
                course=training.course,
                provider=_in_brackets(training.provider),
            ),
        )
        for training in kept.trainings
        if training.completed_on <= until
    ]
    found += [
        _proof(
            C.WATCH,
            "watch_source",
            _("Source de veille"),
            source.created_at.date() if source.created_at else None,
            " — ".join(
                part for part in (source.name, source.url, source.topic) if part
            ),
        )
        for source in kept.sources
        if source.created_at is None or source.created_at.date() <= until
    ]
    return found
