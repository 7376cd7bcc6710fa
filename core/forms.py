"""Small helpers shared by every feature's forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask import current_app, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from core.dates import date_problem, local_today, years_after
from core.errors import AppError


def attach_error(form: FlaskForm, field: str | None, message: str) -> bool:
    """Show a service's refusal next to the field it concerns; False if no such field."""
    if field is None or field not in form:
        return False
    target = form[field]
    target.errors = [*target.errors, message]
    return True


def show_refusal(form: FlaskForm | None, error: AppError) -> None:
    """Show a service's refusal next to its field, or flash it when it names none."""
    if form is None or not attach_error(form, error.field, str(error)):
        flash(str(error), "danger")


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs (WTForms 3.3 wants SelectChoice)."""
    return [SelectChoice(value, label) for value, label in pairs]


def form_page(
    form: FlaskForm,
    *,
    template: str,
    submit: Callable[[], Any],
    errors: type[AppError],
    success: str,
    next_url: Callable[[Any], str],
    **context: Any,
) -> ResponseReturnValue:
    """The usual GET/POST cycle of a form page.

    GET renders the form; a valid POST calls ``submit()`` (one service call) and
    redirects to ``next_url(result)`` with ``success`` flashed; an invalid form or
    a refusal (``errors``, shown next to its field when it names one) renders the
    form again with status 400, keeping what was typed.
    """
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                result = submit()
            except errors as error:
                show_refusal(form, error)
            else:
                flash(success, "success")
                return redirect(next_url(result))
        return render_template(template, form=form, **context), 400
    return render_template(template, form=form, **context)


def upload_limit_mb(*limits: int) -> int:
    """The largest upload a form accepts, in MB: the smallest of the request's
    limit (``MAX_CONTENT_LENGTH``) and the form's own ``limits`` (bytes)."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    smallest = min([*limits, *([int(request_limit)] if request_limit else [])])
    return max(1, smallest // (1024 * 1024))


CONFIRMED = "confirmed"


def is_confirmed() -> bool:
    """The POST comes from a confirmation page's button (see ``confirm_page``)."""
    return request.form.get(CONFIRMED) == "1"


def confirm_page(
    *,
    title: str,
    question: str,
    details: Iterable[str] = (),
    confirm_label: str,
    cancel_url: str,
    fields: dict[str, str] | None = None,
    danger: bool = True,
) -> ResponseReturnValue:
    """ "Êtes-vous sûr ?": the page a destructive POST answers first. Its button
    posts the same form again (``fields`` kept, hidden) with ``confirmed=1``;
    it works without JavaScript."""
    return render_template(
        "core/confirm.html",
        title=title,
        question=question,
        details=list(details),
        confirm_label=confirm_label,
        cancel_url=cancel_url,
        fields=fields or {},
        danger=danger,
    )


class PlausibleDate:
    """A WTForms validator: the date passes :func:`core.dates.date_problem`.

    ``years_ahead`` is how far ahead a date may be: 0 for what has already
    happened, None for no limit. The services check the same rule again (for
    the paths without a form); the form only shows it sooner, next to the field.
    """

    def __init__(self, years_ahead: int | None = 0) -> None:
        self.years_ahead = years_ahead

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if not isinstance(field.data, date):
            return
        today = local_today()
        latest = (
            None if self.years_ahead is None else years_after(today, self.years_ahead)
        )
        problem = date_problem(field.data, latest=latest, today=today)
        if problem is not None:
            raise StopValidation(str(problem))
