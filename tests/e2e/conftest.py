"""End-to-end fixtures: the app served on loopback and a real Chromium (Debian's)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

# The flags the annual report's PDF runs Chromium with (no network beyond loopback).
from dashboards.pdf import CHROMIUM_ARGS, find_chromium


def chromium_path() -> str:
    path = find_chromium(os.environ.get("CHROMIUM_PATH"))
    if not path:
        pytest.fail(
            "The end-to-end tests need Chromium: `make test` installs Debian's "
            "package as root, or run `sudo apt-get install chromium`."
        )
    return path


def closed_after_body(app: Flask) -> Any:
    """``app`` whose response is closed as soon as its body is written.

    Werkzeug's development server closes the response (running what
    ``response.call_on_close`` deferred: the portal's magic link, say) only after
    draining the socket, and skips it when the browser has already reset the
    connection (a redirect followed at once): the deferred work was lost at
    random. A production server closes it every time; so does this wrapper.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        iterable = app(environ, start_response)
        try:
            yield from iterable
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, closed_after_body(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture()
def page(browser: Any, app: Flask, live_server: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"] = False
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"] = True


AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture()
def serious_violations() -> Any:
    """``serious_violations(page)`` — axe-core's serious and critical findings."""

    def check(tab: Any) -> list[tuple[str, list[Any]]]:
        # page.evaluate is not subject to the page's CSP (add_script_tag would be).
        tab.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        result = tab.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        return [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check
