"""Refusals of the KPI use cases that concern one field of a form or one input."""

from __future__ import annotations

from kpi.errors import KpiError


class KpiInputError(KpiError):
    """A refused input; ``field`` names the form field it concerns, if any."""


class NotFound(KpiError):
    """The object does not exist for this member (answered as a 404)."""
