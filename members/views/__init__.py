"""Pages of the members feature, one blueprint: sign-in (``auth``), the
secretariat's onboarding (``admin``), the member's clients, contacts, projects and
team (``space``), its skills, trainings and watch sources (``expertise``), the
public registry and badge (``public``), the audit log (``audit``) and the
charter's versions (``charter``)."""

from __future__ import annotations

# Importing the page modules registers their routes on the blueprint.
from members.views import admin, audit, auth, charter, expertise, public, space
from members.views.blueprint import bp

__all__ = [
    "admin",
    "audit",
    "auth",
    "bp",
    "charter",
    "expertise",
    "public",
    "space",
]
