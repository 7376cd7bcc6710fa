"""Static files: versioned URLs cached for a year, compressed responses, plotly.js.

Every static URL carries a digest of its file (``?v=…``): a response to the
current digest may be kept a year (``immutable``), and a changed file is a new URL
(PITFALLS.md §6, §19). Flask-Compress compresses what the app sends (HTML, CSS,
JavaScript, JSON, CSV); static files are read whole so that it compresses them
once per worker, not on every request.

plotly.js comes as two of plotly's official partial bundles, vendored under
``static/vendor/plotly`` with their licence: the *basic* one (scatter, bar, pie:
1.2 MB, about 330 KB once compressed) draws every chart but the board's heatmap,
and the *cartesian* one (heatmap too: 1.5 MB, about 450 KB) is fetched only by a
page that draws a heatmap — ``charts.js`` chooses from the traces of the page's
figures (:data:`BASIC_TRACES`). The full bundle weighs 4.8 MB. plotly.js
injects its own stylesheet with a ``<style>`` element, which our strict
Content-Security-Policy blocks (charts then lose their layout). Its rules are read
once from the bundle and served as a stylesheet; the page links it with the id and
class plotly.js looks for (``plotly.js-style-global`` / ``no-inline-styles``), so
that plotly.js does not try to inject them.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    abort,
    current_app,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_compress import Compress

ONE_YEAR = 31_536_000
#: The version of the vendored bundle: the one the ``plotly`` package ships, whose
#: figure schema our chart code is checked against (tests/core/test_static.py).
PLOTLY_JS_VERSION = "4.1.1"
#: The vendored partial bundles, smallest first.
PLOTLY_BUNDLES = ("basic", "cartesian")
#: The trace types the basic bundle draws (a page with another needs the cartesian).
BASIC_TRACES = ("scatter", "bar", "pie")
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
#: What Flask-Compress compresses (the rest is already compressed or tiny).
COMPRESSED_MIMETYPES = (
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "image/svg+xml",
)

bp = Blueprint("static_assets", __name__)
compress = Compress()


def plotly_path(bundle: str = "cartesian") -> Path:
    """The vendored file of a partial bundle (the cartesian one holds every style
    rule and style id the basic one has)."""
    return VENDOR / "plotly" / f"plotly-{bundle}-{PLOTLY_JS_VERSION}.min.js"


_RULES_START = '"X,X div":'
_PAIR = re.compile(
    r"""\s*"((?:[^"\\]|\\.)*)"\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*([,}])"""
)


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """plotly.js's own style rules (what it would inject), as a stylesheet."""
    text = plotly_path().read_text(encoding="utf-8")
    start = text.find(_RULES_START)
    if start < 0:
        return ""
    position, rules = start, []
    while True:
        match = _PAIR.match(text, position)
        if match is None:
            break
        selector = match.group(1)
        body = match.group(2) if match.group(2) is not None else match.group(3)
        selector = (
            re.sub(r"^,", " ,", selector)
            .replace("X", ".js-plotly-plot .plotly")
            .replace("Y", ".plotly-notifier")
        )
        rules.append(f"{selector}{{{body}}}")
        position = match.end()
        if match.group(4) == "}":
            break
    return "\n".join(rules) + "\n"


@lru_cache(maxsize=1)
def plotly_inline_style_ids() -> tuple[str, ...]:
    """Ids of the ``<style>`` blocks the bundle injects only when the id is absent
    (map styles we do not use): a page that holds an element with such an id
    spares the browser a blocked inline style."""
    text = plotly_path().read_text(encoding="utf-8")
    return tuple(sorted(set(re.findall(r'getElementById\("([0-9a-f]{64})"\)', text))))


def plotly_css_url() -> str:
    """The versioned URL of plotly.js's stylesheet (a template global)."""
    return url_for("static_assets.plotly_style", version=PLOTLY_JS_VERSION)


def plotly_js_url(bundle: str = "basic") -> str:
    """The versioned URL of a plotly.js bundle (a template global)."""
    return url_for("static_assets.plotly_js", bundle=bundle, version=PLOTLY_JS_VERSION)


def _immutable(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


@bp.get("/assets/vendor/plotly-<version>.css")
def plotly_style(version: str) -> ResponseReturnValue:
    if version != PLOTLY_JS_VERSION or not plotly_path().is_file():
        abort(404)
    return _immutable(Response(plotly_css(), mimetype="text/css"))


@bp.get("/assets/vendor/plotly-<any(basic, cartesian):bundle>-<version>.min.js")
def plotly_js(bundle: str, version: str) -> ResponseReturnValue:
    path = plotly_path(bundle)
    if version != PLOTLY_JS_VERSION or not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype="text/javascript", conditional=True, max_age=ONE_YEAR
    )
    return _immutable(response)


# ---------------------------------------------------------------- versioned URLs


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (
        endpoint == "static"
        or endpoint.endswith(".static")
        or endpoint.startswith("static_assets.")
    )


def _static_folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    del mtime_ns, size  # part of the cache key: a changed file is digested again
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=1024)
def _inside(folder: str, filename: str) -> str | None:
    """The resolved path of ``filename`` under ``folder``, None outside it (the
    resolution walks every component: done once per name, not per URL built)."""
    path = (Path(folder) / filename).resolve()
    return str(path) if path.is_relative_to(Path(folder).resolve()) else None


def file_version(app: Flask, endpoint: str, filename: str) -> str | None:
    """A short digest of a static file's content, or None if there is no such file."""
    folder = _static_folder(app, endpoint)
    if folder is None:
        return None
    path = _inside(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if (endpoint == "static" or endpoint.endswith(".static")) and "filename" in values:
        version = file_version(current_app, endpoint, str(values["filename"]))
        if version is not None:
            values.setdefault("v", version)


def _current_version(endpoint: str) -> str:
    if endpoint.startswith("static_assets."):
        return PLOTLY_JS_VERSION
    filename = (request.view_args or {}).get("filename", "")
    return file_version(current_app, endpoint, str(filename)) or ""


def _cache_static(response: Response) -> Response:
    """A static file: kept a year when asked for at its current version, and read
    whole so that Flask-Compress compresses it once (a file response streams)."""
    endpoint = request.endpoint
    if endpoint is None or not _is_static(endpoint) or response.status_code != 200:
        return response
    if endpoint.endswith("static") and request.args.get("v") == _current_version(
        endpoint
    ):
        _immutable(response)
    if response.direct_passthrough:
        response.direct_passthrough = False
        response.make_sequence()  # reads the file whole
        # ... and closes it now: a server that drops the connection before the
        # response ends (Werkzeug's, on a browser navigating on) would leave it open.
        response.close()
    return response


# ------------------------------------------------------ compressing, once per file


class _StaticCompressionCache:
    """Flask-Compress's cache backend: keeps the compressed bodies of versioned
    static files (a few, bounded); anything else is compressed per response."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self.entries: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith("#dynamic") or key in self.entries:
            return
        if len(self.entries) >= self.capacity:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = value


def _compression_key(request: Request) -> str:
    endpoint = request.endpoint
    if endpoint is not None and _is_static(endpoint):
        return f"{request.path}@{_current_version(endpoint)}"
    return "#dynamic"


def init_app(app: Flask) -> None:
    """Serve the vendored assets, version every static URL, compress responses."""
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSED_MIMETYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", _StaticCompressionCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", _compression_key)
    app.register_blueprint(bp)
    app.url_defaults(_add_version)
    # after_request hooks run last-registered first: the file is read whole
    # (_cache_static) before Flask-Compress compresses it.
    compress.init_app(app)
    app.after_request(_cache_static)
    app.add_template_global(plotly_js_url)
    app.add_template_global(plotly_css_url)
    app.add_template_global(plotly_inline_style_ids)
    app.jinja_env.globals["plotly_basic_traces"] = BASIC_TRACES
