"""Absolute links for e-mails, with or without a request (the scheduler has none),
and the URL rules of the app."""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.routing import Rule


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint``: the request's host, else ``BASE_URL``."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


class BuiltOnFirstUseRule(Rule):
    """Werkzeug's URL rule, whose two ``url_for`` builders are compiled when a
    URL is first built from it rather than when the rule is added.

    Werkzeug generates and compiles a Python function per builder (``ast`` and
    ``compile``): about 0.6 ms a rule, 0.1 s of every start-up for the app's
    ~165 rules, before the first answer; most rules build no URL until much
    later, and some never do in a given worker. The builders are Werkzeug's
    own, made once per rule, so every URL is the same as before.
    """

    def _compile_builder(
        self, append_unknown: bool = True
    ) -> Callable[..., tuple[str, str]]:
        compile_builder = super()._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            builder = MethodType(compile_builder(append_unknown), rule)
            setattr(rule, attribute, builder)
            return builder(**values)  # type: ignore[no-any-return]

        return build_on_first_use
