"""Pages of the dashboards: one blueprint, ``dashboards``, whose routes are the
board's quality review and annual report (``board``), the member's cockpit and
the rows behind each figure (``member``) and the client portal (``portal``)."""

from __future__ import annotations

# Importing the modules registers their routes on the blueprint.
from dashboards.views import board, member, portal
from dashboards.views.common import PORTAL_KEY, PORTAL_STARTED, bp

__all__ = ["PORTAL_KEY", "PORTAL_STARTED", "board", "bp", "member", "portal"]
