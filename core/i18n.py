"""Language: French by default, English complete; the user's choice is remembered."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

ROOT = Path(__file__).resolve().parent.parent
FEATURE_PACKAGES = ("core", "members", "kpi", "satisfaction", "dashboards", "mediation")


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


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
