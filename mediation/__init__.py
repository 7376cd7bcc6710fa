"""Complaints against members and their mediation procedure."""

from __future__ import annotations
