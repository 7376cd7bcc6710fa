"""Expected failures of the satisfaction feature, with translated messages."""

from __future__ import annotations

from flask_babel.speaklater import LazyString

from core.errors import AppError


class SurveyError(AppError):
    """Base of every expected failure of the satisfaction feature."""


class InvalidAnswerError(SurveyError, ValueError):
    """An answer value outside the scale of its question type."""


class RecurrenceError(SurveyError, ValueError):
    """A campaign schedule that cannot be used (bad cron, bad interval, …)."""


class LinkError(SurveyError):
    """An answer link that cannot be used: unknown (404), expired or used (410)."""

    def __init__(
        self,
        message: str | LazyString,
        *,
        status: int,
        reason: str,
        locale: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        # The contact's language when the link is known (answered, expired): the
        # page then speaks it, whatever the browser's session says.
        self.locale = locale


class AlreadyAnsweredError(SurveyError):
    """The questionnaire of this invitation has already been submitted."""


class AnswersRefusedError(SurveyError):
    """Some answers were refused; ``errors`` maps a question id to its message."""

    def __init__(
        self, message: str | LazyString, *, errors: dict[int, str | LazyString]
    ) -> None:
        super().__init__(message)
        self.errors = errors


class BuilderError(SurveyError):
    """A questionnaire, campaign or setting that cannot be saved as asked."""
