"""Small helpers shared by every feature's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm


def attach_error(form: FlaskForm, field: str | None, message: str) -> bool:
    """Show a service's refusal next to the field it concerns; False if no such field."""
    if field is None or field not in form:
        return False
    target = form[field]
    target.errors = [*target.errors, message]
    return True


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""
