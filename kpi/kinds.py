"""The kinds of indicator, in their own module so that the importers (pure, no
database) and the models share one enum."""

from __future__ import annotations

import enum


class IndicatorKind(enum.StrEnum):
    AUDIENCE = "audience"
    COST_PER_CLICK = "cost_per_click"
    INCIDENTS = "incidents"
    READING_TIME = "reading_time"
    CLICKS = "clicks"
    CUSTOM = "custom"
