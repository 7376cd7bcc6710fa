"""Small helpers shared by every feature's forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def attach_error(form: FlaskForm, field: str | None, message: str) -> bool:
    """Show a service's refusal next to the field it concerns; False if no such field."""
    if field is None or field not in form:
        return False
    target = form[field]
    target.errors = [*target.errors, message]
    return True


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs (WTForms 3.3 wants SelectChoice)."""
    return [SelectChoice(value, label) for value, label in pairs]
