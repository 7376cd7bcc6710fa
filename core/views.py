"""The frame's own pages: health, language switch, development outbox."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import db
from core.i18n import remember_locale
from core.mail import outbox_folder
from core.security import is_safe_next

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = type(error).__name__
        return jsonify({"status": "error", "database": f"unreachable ({reason})"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    """Switch the interface language; remembered in the session and on the account."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        remember_locale(current_user, locale)
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("members.home"))


@bp.get("/dev/outbox")
def dev_outbox() -> ResponseReturnValue:
    """Development only: the e-mails written to ``instance/outbox``."""
    if current_app.config["ENV_NAME"] != "development":
        abort(404)
    folder: Path = outbox_folder()
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:100]:
        parsed = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.default
        )
        body = parsed.get_body(preferencelist=("plain",))
        messages.append(
            {
                "name": path.name,
                "to": parsed["To"],
                "subject": parsed["Subject"],
                "date": parsed["Date"],
                "body": body.get_content() if body is not None else "",
            }
        )
    return render_template("core/dev_outbox.html", messages=messages)
