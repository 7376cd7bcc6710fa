"""The commitments the pack is organised by, and their titles: those of the
charter version the member signed (:mod:`members.services.charter_versions`)."""

from __future__ import annotations

from members.commitments import TITLES, CommitmentCode
from members.services import charter_versions


def charter_commitments(
    charter_version: str | None = None,
) -> list[tuple[CommitmentCode, str]]:
    """The commitments of the version the member signed (its number), in that
    version's order, with their titles in the reader's language; a number not
    stored (or none) gives the version in force, and before any version is
    stored the codes and titles of charter 2.1."""
    version = (
        charter_versions.version_by_number(charter_version) if charter_version else None
    ) or charter_versions.current_version()
    if version is None:
        titles = {code.value: str(TITLES[code]) for code in CommitmentCode}
    else:
        titles = charter_versions.commitment_titles(version)
    codes = {code.value: code for code in CommitmentCode}
    stored = version.commitments if version is not None else []
    ordered = [codes[c.code] for c in stored if c.code in codes]
    ordered += [code for code in CommitmentCode if code not in ordered]
    return [(code, titles[code.value]) for code in ordered]
