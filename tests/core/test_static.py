"""Static files: versioned URLs kept a year, compressed responses, plotly's bundle."""

from __future__ import annotations

import gc
import gzip
import re
import socket
import struct
import sys
import threading
from pathlib import Path

import brotli
import plotly
import pytest
from werkzeug.serving import make_server

from core.static_assets import (
    BASIC_TRACES,
    PLOTLY_JS_VERSION,
    plotly_inline_style_ids,
    plotly_path,
)

BR = {"Accept-Encoding": "br"}
GZIP = {"Accept-Encoding": "gzip"}


def _css_url(html: str) -> str:
    match = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{12})"', html)
    assert match, "the page links its stylesheet at a versioned URL"
    return match.group(1)


def test_a_page_links_static_files_at_versioned_urls_kept_a_year(client) -> None:
    url = _css_url(client.get("/login").get_data(as_text=True))
    with client.get(url) as response:
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache
        assert len(response.get_data()) > 0


def test_a_static_file_at_another_version_is_revalidated_not_kept(client) -> None:
    with client.get("/static/app.css?v=000000000000") as response:
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
    with client.get("/static/app.css") as response:
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_version_follows_the_content(app) -> None:
    from core.static_assets import file_version

    with app.app_context():
        first = file_version(app, "static", "app.css")
        assert first is not None and len(first) == 12
        assert file_version(app, "static", "no-such-file.css") is None
        assert file_version(app, "static", "../static_assets.py") is None
        assert file_version(app, "dashboards.static", "dashboards/dashboards.css")


def test_pages_and_static_files_are_compressed_for_browsers_that_accept_it(
    client,
) -> None:
    page = client.get("/login", headers=BR)
    assert page.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in page.headers["Vary"]
    html = brotli.decompress(page.get_data()).decode()
    assert "<html" in html
    url = _css_url(html)
    bootstrap = url.replace("app.css", "vendor/bootstrap/bootstrap.min.css")
    bootstrap = re.sub(r"\?v=.*", "", bootstrap)
    original = Path(client.application.static_folder or "", "vendor/bootstrap")
    raw = (original / "bootstrap.min.css").read_bytes()
    with client.get(bootstrap, headers=GZIP) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        body = response.get_data()
    assert gzip.decompress(body) == raw
    assert len(body) < len(raw) / 4  # 232 KB of CSS travel as about 30 KB
    plain = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers


@pytest.mark.parametrize(
    ("bundle", "largest", "compressed_under"),
    [("basic", 1_300_000, 380_000), ("cartesian", 2_000_000, 500_000)],
)
def test_plotly_is_a_partial_bundle_of_the_version_plotly_py_ships(
    client, bundle: str, largest: int, compressed_under: int
) -> None:
    # Our figures are checked against the plotly package's schema: the bundles we
    # serve must be the plotly.js that package ships, only smaller.
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert f"plotly.js v{PLOTLY_JS_VERSION}" in shipped.read_text()[:200]
    raw = plotly_path(bundle).read_bytes()
    header = f"plotly.js ({bundle} - minified) v{PLOTLY_JS_VERSION}"
    assert header.encode() in raw[:300]
    assert len(raw) < largest
    assert (plotly_path(bundle).parent / "LICENSE").is_file()
    url = f"/assets/vendor/plotly-{bundle}-{PLOTLY_JS_VERSION}.min.js"
    with client.get(url, headers=BR) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert "immutable" in response.headers["Cache-Control"]
        compressed = response.get_data()
    assert brotli.decompress(compressed) == raw
    assert len(compressed) < compressed_under
    # The second request is served from the compressed copy kept by the worker.
    with client.get(url, headers=BR) as again:
        assert again.get_data() == compressed


def test_the_basic_bundle_draws_every_trace_but_the_heatmap() -> None:
    """charts.js fetches the basic bundle unless a figure has another trace
    type: what it holds is what BASIC_TRACES says, and the cartesian bundle's
    style rules and style ids (the ones served) are the basic one's too."""
    basic = plotly_path("basic").read_text(encoding="utf-8")
    cartesian = plotly_path("cartesian").read_text(encoding="utf-8")

    def traces(text: str) -> set[str]:
        return set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))

    assert traces(basic) == set(BASIC_TRACES)
    assert "heatmap" in traces(cartesian) - traces(basic)
    ids = set(re.findall(r'getElementById\("([0-9a-f]{64})"\)', basic))
    assert ids <= set(plotly_inline_style_ids())
    rules = basic[basic.index('"X,X div":') :][:3000]
    assert rules in cartesian


def test_pages_name_both_bundles_and_the_basic_traces(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert f'data-plotly-js="/assets/vendor/plotly-basic-{PLOTLY_JS_VERSION}' in html
    assert "data-plotly-js-cartesian=" in html
    assert 'data-plotly-basic-traces="scatter bar pie"' in html
    with client.get("/assets/vendor/plotly-full-4.1.1.min.js") as missing:
        assert missing.status_code == 404


def test_a_compressed_file_is_closed_even_when_the_browser_hangs_up(app) -> None:
    """A browser that navigates on while plotly.js streams drops the connection;
    Werkzeug's server then never closes the response, so the file must already be
    closed (else its ResourceWarning surfaces in whatever runs next)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    unraisable: list[BaseException | None] = []
    previous, sys.unraisablehook = (
        sys.unraisablehook,
        (lambda hook: unraisable.append(hook.exc_value)),
    )
    try:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", server.server_port)) as conn:
                conn.sendall(
                    f"GET /assets/vendor/plotly-cartesian-{PLOTLY_JS_VERSION}.min.js HTTP/1.1\r\n"
                    "Host: localhost\r\nAccept-Encoding: br\r\n\r\n".encode()
                )
                assert conn.recv(1000).startswith(b"HTTP/1.1 200")
                # Reset rather than close: the server's next write fails.
                conn.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        server.shutdown()
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert unraisable == []
