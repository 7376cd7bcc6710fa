"""Expected failures of the dashboards, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class DashboardError(AppError):
    """An expected refusal, with a message for the person."""
