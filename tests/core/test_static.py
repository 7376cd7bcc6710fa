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
from werkzeug.serving import make_server

from core.static_assets import PLOTLY_JS_VERSION, plotly_path

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


def test_plotly_is_the_cartesian_bundle_of_the_version_plotly_py_ships(
    client,
) -> None:
    # Our figures are checked against the plotly package's schema: the bundle we
    # serve must be the plotly.js that package ships, only smaller.
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert f"plotly.js v{PLOTLY_JS_VERSION}" in shipped.read_text()[:200]
    bundle = plotly_path().read_bytes()
    header = f"plotly.js (cartesian - minified) v{PLOTLY_JS_VERSION}"
    assert header.encode() in bundle[:300]
    assert len(bundle) < 2_000_000
    assert (plotly_path().parent / "LICENSE").is_file()
    with client.get(
        f"/assets/vendor/plotly-{PLOTLY_JS_VERSION}.min.js", headers=BR
    ) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert "immutable" in response.headers["Cache-Control"]
        compressed = response.get_data()
    assert brotli.decompress(compressed) == bundle
    assert len(compressed) < 500_000
    # The second request is served from the compressed copy kept by the worker.
    with client.get(
        f"/assets/vendor/plotly-{PLOTLY_JS_VERSION}.min.js", headers=BR
    ) as again:
        assert again.get_data() == compressed


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
                    f"GET /assets/vendor/plotly-{PLOTLY_JS_VERSION}.min.js HTTP/1.1\r\n"
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
