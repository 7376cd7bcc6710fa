"""Settings: safe defaults, overridden by environment variables (see .env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

DEFAULT_SECRET_KEY = "dev-only-not-secret"
ONE_YEAR_SECONDS = 365 * 24 * 3600


class ConfigError(RuntimeError):
    """The configuration cannot run the app (for instance in production)."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _count(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    if not value.strip().isdigit() or int(value) > 10:
        raise ConfigError(f"{name} must be a whole number from 0 to 10, not {value!r}")
    return int(value)


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """Build the settings dictionary from an environment mapping."""
    app_env = env.get("QUALICHARTE_ENV", "development").strip().lower()
    if app_env not in {"development", "production", "testing"}:
        raise ConfigError(
            f"QUALICHARTE_ENV must be development, production or testing, not {app_env!r}"
        )
    is_dev = app_env == "development"
    settings: dict[str, Any] = {
        "ENV_NAME": app_env,
        "SECRET_KEY": env.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env["DATABASE_URL"])
        if env.get("DATABASE_URL")
        else None,
        "MAIL_URL": env.get("MAIL_URL", "file:" if is_dev else "smtp://localhost:25"),
        "MAIL_FROM": env.get(
            "MAIL_FROM", "Qualicharte <no-reply@qualicharte.localhost>"
        ),
        "BASE_URL": env.get("BASE_URL", f"http://127.0.0.1:{env.get('PORT', '5000')}"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "TRUSTED_PROXIES": _count(env.get("TRUSTED_PROXIES"), "TRUSTED_PROXIES"),
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), not is_dev),
        "HSTS_ENABLED": _flag(env.get("HSTS_ENABLED"), app_env == "production"),
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE") or ONE_YEAR_SECONDS),
        "ASSOCIATION_NAME": env.get(
            "ASSOCIATION_NAME", "Association Numérique Alpes du Sud"
        ),
        "ASSOCIATION_NAME_WITH_ARTICLE": env.get("ASSOCIATION_NAME_WITH_ARTICLE")
        or None,
        "PDF_CHROMIUM_PATH": env.get("PDF_CHROMIUM_PATH") or None,
        "BACKUP_DIR": env.get("BACKUP_DIR") or None,
        # Unset or empty: instance/template-cache; "off": none (core.templating).
        "TEMPLATE_CACHE_DIR": env.get("TEMPLATE_CACHE_DIR") or None,
        "BACKUP_KEEP": int(env["BACKUP_KEEP"]) if env.get("BACKUP_KEEP") else None,
        "PRICE_CHANGE_NOTICE_DAYS": int(env["PRICE_CHANGE_NOTICE_DAYS"])
        if env.get("PRICE_CHANGE_NOTICE_DAYS")
        else None,
    }
    if "MAX_UPLOAD_MB" in env:
        settings["MAX_CONTENT_LENGTH"] = int(env["MAX_UPLOAD_MB"]) * 1024 * 1024
    return settings


class Config:
    """Safe defaults; ``settings_from_env`` overrides them."""

    ENV_NAME = "development"
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: sqlite file in instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    MAIL_URL = "file:"
    MAIL_FROM = "Qualicharte <no-reply@qualicharte.localhost>"
    BASE_URL = "http://127.0.0.1:5000"
    ASSOCIATION_NAME = "Association Numérique Alpes du Sud"
    # The name as French sentences say it after "de" ("l'Association …"); unset:
    # "l'" before a vowel, else the bare name.
    ASSOCIATION_NAME_WITH_ARTICLE: str | None = None
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # Strict-Transport-Security: production only unless HSTS_ENABLED says so
    # (development and tests run over plain HTTP).
    HSTS_ENABLED = False
    HSTS_MAX_AGE = ONE_YEAR_SECONDS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # The 503 page's Retry-After when the database cannot be reached (seconds).
    RETRY_AFTER_SECONDS = 30
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # When the limits' store (Redis) is down the app keeps serving: the error is
    # logged and each worker counts in memory until the store is back.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are
    # trusted (Werkzeug's ProxyFix): 1 behind one TLS proxy. 0 = none (direct).
    TRUSTED_PROXIES = 0
    # Per client address, then per account whatever the address: failed sign-ins
    # and reset e-mails asked for one address.
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per 15 minutes"
    PASSWORD_RESET_ACCOUNT_RATE_LIMIT = "3 per hour"
    # The annual report's PDF: Chromium to print it with (None: `chromium` on the
    # PATH), the longest wait for it, and how often one address may ask for it.
    PDF_CHROMIUM_PATH: str | None = None
    PDF_TIMEOUT_SECONDS = 60
    PDF_RATE_LIMIT = "10 per minute"
    # E-mail delivery: attempts before giving up, and the back-off base (seconds).
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60
    # A message claimed by a sender that died is sent again after this lease
    # (a live sender renews its claim while a send lasts).
    MAIL_CLAIM_LEASE_SECONDS = 60
    PASSWORD_HASH_METHOD = "scrypt"
    # Nightly backups (`core.backup` job): where (None: instance/backups) and how
    # many of the newest archives to keep.
    BACKUP_DIR: str | None = None
    TEMPLATE_CACHE_DIR: str | None = None
    BACKUP_KEEP = 7
    INVITATION_VALID_DAYS = 7
    # The notice (days) the association asks before a price or deadline change
    # takes effect: a change announced later is flagged (records feature).
    PRICE_CHANGE_NOTICE_DAYS = 30
    PASSWORD_RESET_VALID_HOURS = 2

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        for key, value in settings_from_env(os.environ if env is None else env).items():
            if value is not None:
                setattr(self, key, value)
        if self.ENV_NAME == "production" and self.SECRET_KEY == DEFAULT_SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is the development default: set a long random SECRET_KEY "
                "to run in production."
            )
