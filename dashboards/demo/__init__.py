"""The dashboards' demonstration data: :mod:`.small` makes every dashboard alive
on the demo members (``flask demo load``); :mod:`.large` writes the large
association the benchmarks measure (``flask demo load --scale large``)."""

from __future__ import annotations
