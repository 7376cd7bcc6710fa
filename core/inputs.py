"""Input the database cannot hold is refused before it reaches it.

Ids beyond an ``integer`` column (PostgreSQL's ``int4``; SQLite's 64 bits are
wider) and text holding NUL or other control characters (PostgreSQL refuses NUL
in ``text``) would otherwise fail inside the driver, as a 500. Here they are a
404 (an id in the path), a default (an id in the query string) or a 400 with a
translated message (text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Request, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from core.errors import render_error

# The narrowest integer column of both databases: PostgreSQL's ``integer``.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1

# Tab, line feed and carriage return are ordinary text; every other control
# character (Unicode category Cc) and lone surrogates (Cs, from JSON's \ud800)
# cannot be stored or mean nothing to a person.
# One regular expression (C speed, the request's every string is checked):
# Cc is U+0000–U+001F and U+007F–U+009F, Cs is U+D800–U+DFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class DbIntConverter(IntegerConverter):
    """Flask's ``int`` converter, bounded to what an ``integer`` column holds:
    ``/registry/2147483648`` does not match, so it is a 404 like any unknown id."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = DB_INT_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def db_int(value: str) -> int:
    """An integer the database can store; ``ValueError`` otherwise.

    Meant as the ``type`` of ``request.args.get(name, type=db_int)``: an
    out-of-range id is then ignored like any value that is not a number.
    """
    number = int(value)
    if not DB_INT_MIN <= number <= DB_INT_MAX:
        raise ValueError(f"{value!r} is outside the database's integer range")
    return number


def db_int_or_none(value: object) -> int | None:
    """``value`` (a hidden field's text, say) as a storable integer, else None."""
    try:
        return db_int(str(value))
    except ValueError:
        return None


def has_forbidden_characters(text: str) -> bool:
    """True when ``text`` holds a control character other than tab and line ends."""
    return _FORBIDDEN.search(text) is not None


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a decoded JSON value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _request_strings(req: Request) -> Iterator[str]:
    yield req.path
    for key, values in req.args.lists():
        yield key
        yield from values
    if req.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in req.form.lists():
            yield key
            yield from values
        for upload in req.files.values():
            yield upload.filename or ""
    elif req.is_json:
        yield from _strings(req.get_json(silent=True))


def refuse_control_characters() -> ResponseReturnValue | None:
    """Before every request: a 400, in the reader's language, for text that
    holds NUL or another control character. A request that matched no route
    keeps its 404 or 405: it reaches nothing that stores."""
    # The request object once, not through the context proxy for every value;
    # its strings joined by a line feed (allowed) and searched in one pass.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    if req.routing_exception is not None:
        return None
    if has_forbidden_characters("\n".join(_request_strings(req))):
        return render_error(
            400,
            _(
                "Le texte envoyé contient des caractères de contrôle (comme le "
                "caractère nul) qui ne peuvent pas être enregistrés. Retirez-les "
                "puis recommencez."
            ),
        )
    return None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DbIntConverter
    app.before_request(refuse_control_characters)
