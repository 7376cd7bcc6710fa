"""Use cases of the evidence pack: the facts of a member's year
(:func:`gather`) and the ZIP that hands them over (:func:`build_pack`)."""

from __future__ import annotations

from evidence.errors import EvidenceError
from evidence.services.charter import charter_commitments
from evidence.services.facts import FIRST_YEAR, EvidenceFacts
from evidence.services.gather import gather
from evidence.services.pack import ACTION, Pack, build_pack, parse_year

__all__ = [
    "ACTION",
    "FIRST_YEAR",
    "EvidenceError",
    "EvidenceFacts",
    "Pack",
    "build_pack",
    "charter_commitments",
    "gather",
    "parse_year",
]
