"""Expected failures of the KPI feature, with translated messages."""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import AppError


class KpiError(AppError):
    """Base of the KPI feature's expected failures; ``str(error)`` is translated."""


class ImportRefused(KpiError):
    """A whole file refused (type, size, encoding, empty, unknown layout…).

    ``columns`` lists the columns found when the layout was not recognised, so that
    the upload form can propose a column mapping.
    """

    def __init__(self, message: object, *, columns: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.columns: list[str] = list(columns)
