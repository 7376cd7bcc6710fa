"""Pages of the KPI feature: one blueprint, ``kpi``, whose routes are the
indicators and their values with the project panel (``indicators``), file
imports (``imports``), API tokens (``tokens``) and the client's agreement page
(``agreement``)."""

from __future__ import annotations

# Importing the modules registers their routes on the blueprint.
from kpi.views import agreement, imports, indicators, tokens
from kpi.views.common import bp
from kpi.views.indicators import project_panel

__all__ = ["agreement", "bp", "imports", "indicators", "project_panel", "tokens"]
