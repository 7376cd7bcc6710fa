"""Expected failures of the mediation feature, with translated messages."""

from __future__ import annotations

from core.errors import AppError


class MediationError(AppError):
    """Base of every expected failure of the mediation feature."""


class TransitionRefused(MediationError):
    """An action that the complaint procedure does not allow (state, role, data)."""


class FieldError(MediationError):
    """A refusal about one field of a form (the view shows it next to it)."""

    def __init__(self, message: object, *, field: str) -> None:
        super().__init__(message, field=field)


class LinkInvalid(MediationError):
    """A verification or follow-up link that is unknown, used or expired."""


class AttachmentRefused(MediationError):
    """A file that is not a PDF or an image, too big, or not what it claims.

    It concerns the form's ``attachments`` field.
    """

    def __init__(self, message: object, *, field: str = "attachments") -> None:
        super().__init__(message, field=field)
