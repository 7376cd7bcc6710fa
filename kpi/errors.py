"""Expected failures of the KPI feature, with translated messages."""

from __future__ import annotations

from collections.abc import Sequence


class KpiError(Exception):
    """Base of the KPI feature's expected failures; ``str(error)`` is translated.

    The message may be a lazy string: it is translated when displayed, in the
    language of the request that displays it.
    """

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ImportRefused(KpiError):
    """A whole file refused (type, size, encoding, empty, unknown layout…).

    ``columns`` lists the columns found when the layout was not recognised, so that
    the upload form can propose a column mapping.
    """

    def __init__(self, message: object, *, columns: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.columns: list[str] = list(columns)
