"""Pages of the complaints feature: one blueprint, ``mediation``, whose routes are
the public pages (``public``) and the case files (``cases``)."""

from __future__ import annotations

# Importing the modules registers their routes (and handlers) on the blueprint.
from mediation.views import cases, public, too_large
from mediation.views.common import bp

__all__ = ["bp", "cases", "public", "too_large"]
