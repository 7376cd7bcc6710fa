"""Work done once a response has left: what must not change how long a request
takes (whether an e-mail address is known, say) runs after the client has its
answer, in its own app context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def after_response(
    func: Callable[..., Any], *args: Any, **kwargs: Any
) -> Callable[[], None]:
    """A callable for ``response.call_on_close`` that runs ``func(*args, **kwargs)``
    in a fresh app context; a failure is logged (the client has its answer)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        from core.extensions import db

        with app.app_context():
            try:
                func(*args, **kwargs)
            except Exception:
                db.session.rollback()
                log.exception("deferred %s failed", getattr(func, "__name__", func))
            finally:
                db.session.remove()

    return run
