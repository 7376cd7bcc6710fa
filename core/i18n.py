"""Language: French by default, English complete; the user's choice is remembered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

ROOT = Path(__file__).resolve().parent.parent
FEATURE_PACKAGES = (
    "core",
    "members",
    "kpi",
    "satisfaction",
    "dashboards",
    "mediation",
    "improvement",
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
    if current_user and current_user.is_authenticated:
        locale = getattr(current_user, "locale", None)
        if locale in languages:
            return str(locale)
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def register_locale_saver(app: Flask, saver: LocaleSaver) -> None:
    """Let the feature that owns the accounts remember a user's language."""
    app.extensions["qualicharte.locale_saver"] = saver


def remember_locale(user: Any, locale: str) -> None:
    """Keep ``locale`` on ``user``'s account through the registered saver, if any."""
    saver: LocaleSaver | None = current_app.extensions.get("qualicharte.locale_saver")
    if saver is not None:
        saver(user, locale)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
