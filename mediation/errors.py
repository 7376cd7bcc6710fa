"""Expected failures of the mediation feature, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class MediationError(AppError):
    """Base of every expected failure of the mediation feature."""


class TransitionRefused(MediationError):
    """An action that the complaint procedure does not allow (state, role, data)."""
