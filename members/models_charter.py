"""The charter as data: its versions (text) and each version's commitments.

A version is a draft until the secretariat publishes it; a published version is
never changed again (members signed that text). Every version carries the same
commitment codes (:class:`members.commitments.CommitmentCode`); the wording of
each, and the records that prove it, may change from one version to the next.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import UTCDateTime, utcnow
from core.extensions import Model

#: The longest a version number may be ("2.1", "2.2", "3.0").
NUMBER_LENGTH = 20


class CharterVersion(Model):
    """One text of the charter: a draft, or published on a date (then read-only)."""

    __tablename__ = "members_charter_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # No foreign key: members point at versions, users at members; a key from
    # here to users would close a cycle. Who did what is in the audit log too.
    created_by_id: Mapped[int | None]

    commitments: Mapped[list[CharterCommitment]] = relationship(
        back_populates="version",
        order_by="CharterCommitment.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_published(self) -> bool:
        return self.published_on is not None


class CharterCommitment(Model):
    """A commitment of a version: its clause, and the records that prove it."""

    __tablename__ = "members_charter_commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("members_charter_version.id", ondelete="CASCADE")
    )
    # A CommitmentCode value; kept as text so that a code added to the enum
    # needs no migration of this column.
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[CharterVersion] = relationship(back_populates="commitments")

    __table_args__ = (UniqueConstraint("version_id", "code"),)
