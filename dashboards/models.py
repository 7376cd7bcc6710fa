"""The client portal's magic links (the dashboards' only table)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import UTCDateTime, utcnow
from core.extensions import db


class PortalLink(db.Model):  # type: ignore[name-defined,misc]
    """A sign-in link e-mailed to a client contact: single use, short-lived.

    Bound to the e-mail address (lower-cased), not to one contact row: the same
    person may be a contact of several clients, and proving control of the
    address is what the link does. Only the token's SHA-256 is stored.
    """

    __tablename__ = "dashboards_portal_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The per-address rate limit counts recent links.
    __table_args__ = (Index("ix_dashboards_portal_link_email", "email", "created_at"),)
