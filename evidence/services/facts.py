"""What an evidence pack says, as typed facts: the member, and per commitment
the records of the year that prove it, the scores, indicators, questionnaires,
complaints and improvement actions. Texts are already in the reader's words;
no contact's name or address, no respondent's identity, no free-text answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from members.commitments import CommitmentCode

#: The years a pack can be asked for: from this one to the current year.
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Identity:
    """The member as the board knows it (no person named)."""

    id: int
    name: str
    siret: str
    department: str
    town: str
    mark_status: str
    mark_label: str
    charter_version: str | None
    signed_on: date | None


@dataclass(frozen=True)
class ProjectLine:
    """A project of the year, and its client by company name only."""

    id: int
    title: str
    client: str
    service: str
    status: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class Proof:
    """One record that proves a commitment; ``flag`` says what is wrong with it."""

    commitment: CommitmentCode
    kind: str
    kind_label: str
    project: str
    client: str
    on: date | None
    detail: str
    flag: str = ""


@dataclass(frozen=True)
class CommitmentProofs:
    code: CommitmentCode
    title: str
    proofs: list[Proof] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.proofs)

    @property
    def flagged(self) -> int:
        return sum(1 for proof in self.proofs if proof.flag)


@dataclass(frozen=True)
class ScoreLine:
    """A score of the year with its 95 % interval (when shown as a number)."""

    metric: str
    label: str
    n: int
    value: float | None
    is_reliable: bool
    low: float | None = None
    high: float | None = None
    #: The charter commitments a rating speaks for (none for NPS and CSAT).
    commitments: tuple[CommitmentCode, ...] = ()

    @property
    def margin(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class IndicatorLine:
    project: str
    client: str
    name: str
    unit: str
    direction: str
    target: Decimal | None
    period_start: date | None
    value: Decimal | None
    status: str
    status_label: str
    agreed_on: date | None


@dataclass(frozen=True)
class QuestionnaireLine:
    project: str
    client: str
    sent: int
    answered: int
    rate: float | None


@dataclass(frozen=True)
class ComplaintLine:
    """A complaint of the year: never the complainant's name, address or words."""

    reference: str
    project: str
    company: str
    filed_on: date | None
    status_label: str
    decision_label: str
    closed_on: date | None


@dataclass(frozen=True)
class ActionLine:
    opened_on: date
    trigger: str
    commitment: CommitmentCode
    project: str
    state_label: str
    cause: str
    action: str
    due_on: date | None
    result: str
    effect: str
    closed_on: date | None
    is_closed: bool
    is_late: bool


@dataclass(frozen=True)
class EvidenceFacts:
    """Everything an evidence pack shows, for one member and one year."""

    member: Identity
    year: int
    #: The day flags are judged at: the year's last day, or today in the year.
    as_of: date
    notice_days: int
    projects: list[ProjectLine]
    commitments: list[CommitmentProofs]
    scores: list[ScoreLine]
    indicators: list[IndicatorLine]
    questionnaires: list[QuestionnaireLine]
    complaints: list[ComplaintLine]
    actions: list[ActionLine]

    @property
    def proofs(self) -> list[Proof]:
        return [proof for c in self.commitments for proof in c.proofs]

    @property
    def actions_opened(self) -> int:
        return sum(1 for a in self.actions if a.opened_on.year == self.year)

    @property
    def actions_closed(self) -> int:
        return sum(
            1 for a in self.actions if a.closed_on and a.closed_on.year == self.year
        )

    @property
    def actions_late(self) -> int:
        return sum(1 for a in self.actions if a.is_late)

    @property
    def is_empty(self) -> bool:
        """Nothing recorded for the year (the signature alone is no record of it)."""
        return not (
            self.projects
            or any(p.kind != "signature" for p in self.proofs)
            or any(s.n for s in self.scores)
            or self.indicators
            or self.complaints
            or self.actions
        )
