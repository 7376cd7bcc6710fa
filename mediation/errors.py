"""Expected failures of the mediation feature, with translated messages."""

from __future__ import annotations

from flask_babel.speaklater import LazyString


class MediationError(Exception):
    """Base of every expected failure of the mediation feature.

    The message is a lazy translated string: ``str(error)`` renders it in the
    locale of the request that displays it.
    """

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class TransitionRefused(MediationError):
    """An action that the complaint procedure does not allow (state, role, data)."""
