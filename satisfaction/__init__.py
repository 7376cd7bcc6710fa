"""Client satisfaction: questionnaires, campaigns, responses and scores."""

from __future__ import annotations
