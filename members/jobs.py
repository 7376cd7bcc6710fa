"""The members feature's scheduler jobs: thin calls to services."""

from __future__ import annotations

from datetime import datetime

from members import services


def contact_retention(now: datetime) -> None:
    """Erase the contacts kept longer than CONTACT_RETENTION_YEARS after the end of
    their client's last project (a daily run is enough)."""
    services.erase_expired_contacts(now)
