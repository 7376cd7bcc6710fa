"""Language: French by default, English complete; the user's choice is remembered."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import flask_babel
from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user

ROOT = Path(__file__).resolve().parent.parent
FEATURE_PACKAGES = (
    "core",
    "members",
    "kpi",
    "satisfaction",
    "dashboards",
    "mediation",
    "records",
    "improvement",
    "evidence",
)

# ``saver(user, locale)`` keeps the signed-in user's choice on their account. The
# accounts belong to ``members``, which imports ``core``: it registers its service
# here, so that the switch in ``core`` leaves the commit to it.
LocaleSaver = Callable[[Any, str], None]


def translation_directories() -> str:
    """Each feature keeps its own catalogue; Flask-Babel merges them."""
    return ";".join(
        str(ROOT / package / "translations")
        for package in FEATURE_PACKAGES
        if (ROOT / package / "translations").is_dir()
    )


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if request.path.startswith("/api/"):
        # Scripts have no session: the API answers in the language they ask for.
        best = request.accept_languages.best_match(languages)
        return str(best or current_app.config["BABEL_DEFAULT_LOCALE"])
    if _may_be_signed_in() and current_user and current_user.is_authenticated:
        locale = getattr(current_user, "locale", None)
        if locale in languages:
            return str(locale)
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _may_be_signed_in() -> bool:
    """Whether the request can carry a signed-in user: Flask-Login finds one
    only through the session's user id or its remember cookie (no request or
    header loader is registered). A visitor's pages (the survey's answer pages)
    then skip loading an anonymous user, which hashes the client's address and
    agent, only to ask for its language."""
    if "_login_user" in g:
        return True
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or cookie in request.cookies


def register_locale_saver(app: Flask, saver: LocaleSaver) -> None:
    """Let the feature that owns the accounts remember a user's language."""
    app.extensions["qualicharte.locale_saver"] = saver


def remember_locale(user: Any, locale: str) -> None:
    """Keep ``locale`` on ``user``'s account through the registered saver, if any."""
    saver: LocaleSaver | None = current_app.extensions.get("qualicharte.locale_saver")
    if saver is not None:
        saver(user, locale)


# ---------------------------------------------------------------- typography

# "1 janvier" → "1er janvier": the first of a month is an ordinal in French.
_FIRST_OF_MONTH = re.compile(r"(?<![\d,.])1(?= [^\W\d])")


def _locale() -> str:
    return str(flask_babel.get_locale() or "fr")


def first_of_month(text: str, locale: str) -> str:
    """French dates say "1er janvier", not "1 janvier" (other languages as they are)."""
    return _FIRST_OF_MONTH.sub("1er", text) if locale.startswith("fr") else text


def format_date(value: date | datetime | None, format: str | None = None) -> str:
    """``flask_babel.format_date`` with French ordinals ("1er mars 2026")."""
    if value is None:
        return ""
    locale = _locale()
    key = (value, format, locale, str(flask_babel.get_timezone()))
    found = _formatted_dates.get(key)
    if found is None:
        # Babel reads its locale data and parses the pattern on every call (about
        # half a millisecond): a page shows the same few dates again and again.
        if len(_formatted_dates) >= 4096:
            _formatted_dates.clear()
        found = _formatted_dates[key] = first_of_month(
            str(flask_babel.format_date(value, format)), locale
        )
    return found


_formatted_dates: dict[tuple[object, str | None, str, str], str] = {}


def format_datetime(value: datetime | None, format: str | None = None) -> str:
    """``flask_babel.format_datetime`` (local time) with French ordinals."""
    if value is None:
        return ""
    return first_of_month(str(flask_babel.format_datetime(value, format)), _locale())


def decimal(value: float | Decimal | int | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals in the reader's language: "16,7" in
    French, "16.7" in English; "–" when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(flask_babel.format_decimal(value, format=pattern))


_PLURAL_WORD = re.compile(r"\b([^\W\d_]{2,}[^\W\ds_])s\b")


def unit_for(unit: str | None, value: object) -> str:
    """A unit that agrees with its number: "1 incident", "2 incidents"; French
    keeps the singular below 2 ("0,5 visite"), English only for 1. Units are
    typed by members ("visites", "pages vues"): plural words lose their final s;
    symbols ("€", "s", "%") stay as they are."""
    if not unit:
        return ""
    try:
        number = abs(float(str(value)))
    except ValueError:
        return unit
    singular = number < 2 if _locale().startswith("fr") else number == 1
    return _PLURAL_WORD.sub(r"\1", unit) if singular else unit


def association_in_text(name: str, with_article: str | None, locale: str) -> str:
    """The association's name as a sentence says it after "de" or "à": in French
    with its article ("de l'Association …"), from ``ASSOCIATION_NAME_WITH_ARTICLE``
    or, unset, by elision before a vowel; in English the bare name."""
    if not locale.startswith("fr"):
        return name
    if with_article:
        return with_article
    if name[:1].lower() in "aâàeéèêiîoôuûyh":
        return "l'" + name
    return name


def association_for_text() -> str:
    """:func:`association_in_text` for the configured association, now."""
    config = current_app.config
    return association_in_text(
        str(config["ASSOCIATION_NAME"]),
        config.get("ASSOCIATION_NAME_WITH_ARTICLE") or None,
        _locale(),
    )


QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def quarter(value: Any) -> str:
    """A quarter key as people write it: ``2026-Q1`` → "T1 2026" in French,
    "Q1 2026" in English; anything else unchanged."""
    match = QUARTER.fullmatch(str(value))
    if match is None:
        return str(value)
    return str(
        flask_babel.gettext("T%(quarter)s %(year)s", quarter=match[2], year=match[1])
    )


def install_filters(app: Flask) -> None:
    """After Flask-Babel's: our date filters (French ordinals) and ``decimal``."""
    app.jinja_env.filters.update(
        dateformat=format_date,
        datetimeformat=format_datetime,
        decimal=decimal,
        quarter=quarter,
        unit_for=unit_for,
    )


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())


class LazyMapping(Mapping[str, str]):
    """A mapping read from ``read()`` when a template first looks a key up, so
    that pages that show none of it run no query (``read`` caches per request)."""

    def __init__(self, read: Callable[[], Mapping[str, str]]) -> None:
        self._read = read

    def __getitem__(self, key: str) -> str:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())
