"""JavaScript libraries served from the installed Python packages (no CDN).

plotly.js comes from the ``plotly`` package itself, under a URL that carries its
version, so browsers may keep it for a year (``immutable``): a new plotly version
is a new URL (PITFALLS.md §6).

plotly.js injects its own stylesheet with a ``<style>`` element, which our strict
Content-Security-Policy blocks (charts then lose their layout). Its rules are read
once from the bundle and served as a stylesheet; the page links it with the id and
class plotly.js looks for (``plotly.js-style-global`` / ``no-inline-styles``), so
that plotly.js does not try to inject them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import plotly
from flask import Blueprint, Flask, Response, abort, send_file, url_for
from flask.typing import ResponseReturnValue

ONE_YEAR = 31_536_000

bp = Blueprint("static_assets", __name__)


def plotly_path() -> Path:
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


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
    return url_for("static_assets.plotly_style", version=plotly.__version__)


def _immutable(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


@bp.get("/assets/vendor/plotly-<version>.css")
def plotly_style(version: str) -> ResponseReturnValue:
    if version != plotly.__version__ or not plotly_path().is_file():
        abort(404)
    return _immutable(Response(plotly_css(), mimetype="text/css"))


def plotly_js_url() -> str:
    """The versioned URL of plotly.min.js (a template global)."""
    return url_for("static_assets.plotly_js", version=plotly.__version__)


@bp.get("/assets/vendor/plotly-<version>.min.js")
def plotly_js(version: str) -> ResponseReturnValue:
    if version != plotly.__version__ or not plotly_path().is_file():
        abort(404)
    response = send_file(
        plotly_path(), mimetype="text/javascript", conditional=True, max_age=ONE_YEAR
    )
    return _immutable(response)


def init_app(app: Flask) -> None:
    """Serve the vendored assets; their URLs are template globals."""
    app.register_blueprint(bp)
    app.add_template_global(plotly_js_url)
    app.add_template_global(plotly_css_url)
    app.add_template_global(plotly_inline_style_ids)
