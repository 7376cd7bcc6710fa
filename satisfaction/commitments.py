"""The questionnaires' commitment tags, named by the charter in force.

A question's tag is stored as it always was (:class:`satisfaction.models.Commitment`,
seven values set before the charter became data); its label is the title the
charter in force gives the matching commitment (:mod:`members.commitments`
codes). Two tags cover two commitments each in the questions' wording:
``durability_security`` (durability and security: "pérenne et sûre
(sauvegardes, licences)") and ``expertise_proximity`` (resources and expertise).
"""

from __future__ import annotations

from core.i18n import LazyMapping
from members import services as members_services
from members.commitments import CommitmentCode
from satisfaction.models import Commitment

#: Each tag -> the charter commitments it rates.
CHARTER_CODES: dict[Commitment, tuple[CommitmentCode, ...]] = {
    Commitment.ADEQUACY: (CommitmentCode.ADEQUACY,),
    Commitment.SCOPE: (CommitmentCode.SCOPE,),
    Commitment.COSTS_DEADLINES: (CommitmentCode.COSTS_DEADLINES,),
    Commitment.FOLLOW_UP: (CommitmentCode.FOLLOW_UP,),
    Commitment.EFFICIENCY: (CommitmentCode.EFFICIENCY,),
    Commitment.DURABILITY_SECURITY: (
        CommitmentCode.DURABILITY,
        CommitmentCode.SECURITY,
    ),
    Commitment.EXPERTISE_PROXIMITY: (CommitmentCode.EXPERTISE,),
}


def commitment_labels() -> dict[str, str]:
    """Tag value -> label, from the charter in force (read once per request)."""
    titles = members_services.current_titles()
    return {
        tag.value: " / ".join(titles[code.value] for code in codes)
        for tag, codes in CHARTER_CODES.items()
    }


def commitment_choices() -> list[tuple[str, str]]:
    """The question form's choices of tag, in the charter's order."""
    return list(commitment_labels().items())


def lazy_labels() -> LazyMapping:
    """:func:`commitment_labels`, read when a template first looks a tag up
    (pages that show no tag run no query)."""
    return LazyMapping(commitment_labels)
