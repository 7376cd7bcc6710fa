"""Expected failures of the evidence pack, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class EvidenceError(AppError):
    """An expected refusal of an evidence-pack use case; its message is for the user."""
