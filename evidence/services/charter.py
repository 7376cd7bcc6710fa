"""The commitments the pack is organised by, and their titles.

One function reads them, so that the pack follows the versioned charter once it
is data: today the codes and the 2.1 titles of :mod:`members.commitments`.
"""

from __future__ import annotations

from members.commitments import TITLES, CommitmentCode


def charter_commitments(
    charter_version: str | None = None,
) -> list[tuple[CommitmentCode, str]]:
    """The commitments a member signed, in the charter's order, with their titles
    in the reader's language (``charter_version``: the version it signed)."""
    del charter_version  # one version of the titles today (charter 2.1)
    return [(code, str(TITLES[code])) for code in CommitmentCode]
