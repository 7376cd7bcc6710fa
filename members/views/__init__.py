"""Pages of the members feature, one blueprint: sign-in (``auth``), the
secretariat's onboarding (``admin``), the member's clients, contacts, projects and
team (``space``), its skills, trainings and watch sources (``expertise``), the
public registry and badge (``public``) and the audit log (``audit``)."""

from __future__ import annotations

# Importing the page modules registers their routes on the blueprint.
from members.views import admin, audit, auth, expertise, public, space
from members.views.blueprint import bp

__all__ = ["admin", "audit", "auth", "bp", "expertise", "public", "space"]
