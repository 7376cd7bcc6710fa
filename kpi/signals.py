"""What the KPI feature tells the features built on it (which it cannot import).

:data:`measurements_changed` is sent by every KPI write service that adds,
changes, deletes or restores measurements, or changes an indicator's
definition — once per transaction, just before it commits, with every indicator
concerned. Receivers write in that same transaction (they never commit): the
dashboards rebuild those indicators' latest values there, so that a member
sees their figure change as soon as they saved it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from blinker import Namespace
from flask import current_app

_signals = Namespace()

#: ``send(app, indicator_ids=[...], now=datetime)``; ids sorted and distinct.
measurements_changed = _signals.signal("kpi.measurements-changed")


def notify_measurements_changed(indicator_ids: Iterable[int], *, now: datetime) -> None:
    """Tell the receivers (of the current app) which indicators just changed."""
    ids = sorted(set(indicator_ids))
    if ids:
        measurements_changed.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            indicator_ids=ids,
            now=now,
        )
