"""Expected failures of the satisfaction feature, with translated messages."""

from __future__ import annotations

from flask_babel.speaklater import LazyString


class SurveyError(Exception):
    """Base of every expected failure of the satisfaction feature.

    The message is a lazy translated string: ``str(error)`` renders it in the
    locale of the request that displays it.
    """

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class InvalidAnswerError(SurveyError, ValueError):
    """An answer value outside the scale of its question type."""


class RecurrenceError(SurveyError, ValueError):
    """A campaign schedule that cannot be used (bad cron, bad interval, …)."""
