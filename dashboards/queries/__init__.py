"""Every figure of the dashboards, computed by the database (PITFALLS §3, §4).

Each function issues a fixed number of grouped statements whatever the number of
members, projects, measurements or answers, and returns plain rows or a small
DataFrame of already-aggregated values. The other features' columns are read here
and nowhere else in this package, so that a change of theirs is adapted in one
place. One module per subject; callers import the module they need
(``from dashboards.queries import scores``), the filters from :mod:`.common`.
"""

from __future__ import annotations
