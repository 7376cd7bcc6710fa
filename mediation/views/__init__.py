"""Pages of the complaints feature: one blueprint, ``mediation``, whose routes are
the public pages (``public``) and the case files (``cases``)."""

from __future__ import annotations

# Importing the two modules registers their routes on the blueprint.
from mediation.views import cases, public
from mediation.views.common import bp

__all__ = ["bp", "cases", "public"]
