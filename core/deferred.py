"""Work done once a response has left: what must not change how long a request
takes (whether an e-mail address is known, say) runs after the client has its
answer, in its own app context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context, request

log = logging.getLogger(__name__)


def after_response(
    func: Callable[..., Any], *args: Any, **kwargs: Any
) -> Callable[[], None]:
    """A callable for ``response.call_on_close`` that runs ``func(*args, **kwargs)``
    in a fresh context (a bare request to the same host, so that absolute links
    point where the request came); a failure is logged (the client has its
    answer)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Links the work e-mails are built on the host the request came to, as they
    # would have been during the request (core.urls.external_url).
    base_url = request.url_root if has_request_context() else None

    def run() -> None:
        from core.extensions import db

        context = (
            app.test_request_context(base_url=base_url)
            if base_url
            else app.app_context()
        )
        with context:
            try:
                func(*args, **kwargs)
            except Exception:
                db.session.rollback()
                log.exception("deferred %s failed", getattr(func, "__name__", func))
            finally:
                db.session.remove()

    return run
