"""Expected failures of the records feature, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class RecordsError(AppError):
    """An expected refusal of a records use case; its message is for the user."""


class RecordNotFound(RecordsError):
    """The record named in the address is not one of the project's (a 404)."""
