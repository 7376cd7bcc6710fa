"""The dashboards' scheduler jobs: thin functions calling the services (which
commit)."""

from __future__ import annotations

from datetime import datetime

from dashboards import services


def monthly_digest(now: datetime) -> int:
    """Queue last month's digest to each recipient not yet served; returns how many."""
    return services.send_monthly_digest(now)


def refresh_rollups(now: datetime) -> str:
    """Refresh what changed in the rollups and store the board's review again."""
    return services.refresh_figures(now)
