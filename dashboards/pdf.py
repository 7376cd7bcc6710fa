"""A page of the app as a PDF, printed by Chromium (Debian's) driven by Playwright.

Why Chromium rather than a renderer without JavaScript (WeasyPrint): the charts
are drawn by plotly.js in the browser; without JavaScript every chart would need
a second, static rendering (plotly's kaleido, which itself drives a Chrome).
Chromium prints the very page people see, with its print stylesheet.

Chromium never reaches the network nor the running server (no session there, and
a single-threaded development server would deadlock on its own request): the page
is loaded from a made-up origin whose every request is answered here, the page
itself from the HTML given, the app's static files through ``fetch``; anything
else is refused.
"""

from __future__ import annotations

import html as html_lib
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins, ViewportSize

ORIGIN = "http://report.qualicharte.invalid"
PAGE_PATH = "/report"
# A4 with 14 mm side margins leaves 182 mm = 687.9 CSS px: the page is laid out
# (and plotly sizes its charts) at a viewport a little narrower, so that no
# chart is wider than the printed column.
MARGINS: PdfMargins = {"top": "18mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
VIEWPORT: ViewportSize = {"width": 686, "height": 1120}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('[data-figure]'))
    .every((chart) => chart.hasAttribute('data-drawn'))"""

# Fetch: a path of the app (with its query string) -> (body, content type), or
# None when the app does not serve it as a static file.
Fetch = Callable[[str], tuple[bytes, str] | None]

# One Chromium at a time: each takes a few hundred MB and a core while printing.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")


class PdfUnavailable(Exception):
    """No PDF: ``reason`` is ``missing`` (no Chromium on this server) or
    ``failed`` (Chromium started but could not print the page in time)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def find_chromium(configured: str | None = None) -> str | None:
    """The Chromium to use: the configured path if it is an executable file,
    else ``chromium`` / ``chromium-browser`` on the PATH; None when there is none."""
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(
    page_html: str,
    *,
    fetch: Fetch,
    chromium: str | None,
    title: str,
    footer: str,
    timeout: float = 60.0,
) -> bytes:
    """Print ``page_html`` to an A4 PDF once every chart of it is drawn.

    ``title`` heads each page; ``footer`` is plain text where ``{page}`` and
    ``{pages}`` become the page number and count.

    :raises PdfUnavailable: no Chromium, or it failed or timed out.
    """
    if chromium is None:
        raise PdfUnavailable("missing", "no Chromium executable found")
    # The sync API refuses a thread that runs an asyncio loop (a caller's own
    # Playwright, for one): it always runs in this module's worker thread.
    future = _EXECUTOR.submit(
        _print, page_html, fetch, chromium, title, footer, timeout
    )
    try:
        return future.result(timeout=timeout + 15)
    except FutureTimeout:
        future.cancel()
        raise PdfUnavailable("failed", f"no PDF after {timeout + 15:.0f} s") from None
    except PdfUnavailable:
        raise
    except Exception as error:  # the driver or the browser: no PDF, never a 500
        raise PdfUnavailable("failed", repr(error)) from error


def _header_footer(title: str, footer: str) -> tuple[str, str]:
    style = "font-size:8pt;color:#444;width:100%;margin:0 14mm;font-family:sans-serif"
    header = f'<div style="{style}">{html_lib.escape(title)}</div>'
    text = (
        html_lib.escape(footer)
        .replace("{page}", '<span class="pageNumber"></span>')
        .replace("{pages}", '<span class="totalPages"></span>')
    )
    return header, f'<div style="{style};text-align:right">{text}</div>'


def _print(
    page_html: str,
    fetch: Fetch,
    chromium: str,
    title: str,
    footer: str,
    timeout: float,
) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Route, sync_playwright

    body = page_html.encode("utf-8")
    deadline = time.monotonic() + timeout

    def left() -> float:
        """Milliseconds left for the next step (the whole print has ``timeout``)."""
        return max(1.0, deadline - time.monotonic()) * 1000

    def answer(route: Route) -> None:
        url = route.request.url
        path = url[len(ORIGIN) :] if url.startswith(ORIGIN + "/") else None
        if path == PAGE_PATH:
            route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=body
            )
            return
        try:
            found = fetch(path) if path is not None else None
        except Exception:  # an asset the app fails to serve: the page goes without
            found = None
        if found is None:
            route.abort()
            return
        content, content_type = found
        route.fulfill(status=200, content_type=content_type, body=content)

    header, footer_html = _header_footer(title, footer)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=CHROMIUM_ARGS,
                headless=True,
                timeout=left(),
            )
            try:
                context = browser.new_context(viewport=VIEWPORT)
                context.route("**/*", answer)
                page = context.new_page()
                # Laid out for print before the charts are drawn: they take the
                # printed column's width.
                page.emulate_media(media="print")
                page.goto(ORIGIN + PAGE_PATH, wait_until="load", timeout=left())
                try:
                    page.wait_for_function(CHARTS_DRAWN, timeout=left())
                except PlaywrightError as error:
                    raise PdfUnavailable(
                        "failed", f"charts not drawn in {timeout:.0f} s"
                    ) from error
                page.set_default_timeout(left())
                page.evaluate("() => document.fonts.ready.then(() => true)")
                return page.pdf(
                    format="A4",
                    print_background=True,
                    margin=MARGINS,
                    display_header_footer=True,
                    header_template=header,
                    footer_template=footer_html,
                )
            finally:
                browser.close()
    except PlaywrightError as error:
        raise PdfUnavailable("failed", str(error).splitlines()[0]) from error


def static_fetcher(app: Flask) -> Fetch:
    """Answers the app's static URLs (its own static folders and the vendored
    assets) through the app itself, without a session; nothing else."""
    adapter = app.url_map.bind("localhost")

    def fetch(path: str) -> tuple[bytes, str] | None:
        route, _sep, _query = path.partition("?")
        try:
            endpoint, _args = adapter.match(route, method="GET")
        except (HTTPException, RequestRedirect):
            return None
        if not (
            endpoint == "static"
            or endpoint.endswith(".static")
            or endpoint.startswith("static_assets.")
        ):
            return None
        # A static file's response holds the file open until it is closed.
        with app.test_client().get(path) as response:
            if response.status_code != 200:
                return None
            return response.get_data(), response.content_type or "text/plain"

    return fetch


class PdfCache:
    """The last few PDFs made in this process, by a key that says what they show."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, pdf: bytes) -> None:
        with self._lock:
            self._items[key] = pdf
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def cache_of(app: Flask) -> PdfCache:
    """The app's PDF cache (one per app, so that tests can empty it)."""
    cache: Any = app.extensions.setdefault("dashboards.pdf_cache", PdfCache())
    return cache  # type: ignore[no-any-return]
