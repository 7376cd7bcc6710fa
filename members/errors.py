"""Expected failures of the members feature, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class MembersError(AppError):
    """An expected refusal of a members use case; its message is for the user."""
