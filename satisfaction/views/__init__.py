"""Pages of the satisfaction feature: one blueprint, ``satisfaction``, whose routes
are the client's answer pages (``public``), the member's questionnaires
(``questionnaires``), campaigns (``campaigns``) and alerts (``alerts``), and the
association's pages (``association``)."""

from __future__ import annotations

# Importing the modules registers their routes on the blueprint.
from satisfaction.views import alerts, association, campaigns, public, questionnaires
from satisfaction.views.campaigns import project_panel_context
from satisfaction.views.common import bp

__all__ = [
    "alerts",
    "association",
    "bp",
    "campaigns",
    "project_panel_context",
    "public",
    "questionnaires",
]
