"""Expected failures of the improvement feature, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class ImprovementError(AppError):
    """Base of every expected failure of the improvement-action register."""
