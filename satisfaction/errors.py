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


class LinkError(SurveyError):
    """An answer link that cannot be used: unknown (404), expired or used (410)."""

    def __init__(self, message: str | LazyString, *, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


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

    def __init__(self, message: str | LazyString, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
