"""The history of replaced values: whatever replaces a stored value (the form
after its confirmation, an import, the API with ``replace``), the old one is
kept in ``kpi_measurement_revision``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from core.extensions import db
from kpi.importers import Point
from kpi.models import Indicator, MeasurementRevision, Source

if TYPE_CHECKING:
    from kpi.services.measurements import Existing

#: Rows per bulk statement.
CHUNK = 20_000


def keep_history(
    indicator: Indicator,
    changed: Sequence[tuple[Point, Existing]],
    *,
    source: Source,
    actor_id: int | None,
    now: datetime,
) -> None:
    """One history row per replaced value (no commit: the caller's transaction)."""
    revisions = [
        {
            "indicator_id": indicator.id,
            "period_start": point.period_start,
            "granularity": indicator.frequency,
            "value": found.value,
            "numerator": found.numerator,
            "denominator": found.denominator,
            "source": found.source,
            "import_batch_id": found.import_batch_id,
            "recorded_at": found.updated_at,
            "replaced_at": now,
            "replaced_by_source": source,
            "replaced_by_id": actor_id,
        }
        for point, found in changed
    ]
    for start in range(0, len(revisions), CHUNK):
        db.session.execute(
            insert(MeasurementRevision), revisions[start : start + CHUNK]
        )


def replaced_values(
    indicator: Indicator, *, limit: int = 24
) -> list[MeasurementRevision]:
    """The values replaced lately, newest first (the history of the page)."""
    return list(
        db.session.scalars(
            select(MeasurementRevision)
            .where(MeasurementRevision.indicator_id == indicator.id)
            .order_by(
                MeasurementRevision.replaced_at.desc(), MeasurementRevision.id.desc()
            )
            .limit(limit)
        )
    )


__all__ = ["keep_history", "replaced_values"]
