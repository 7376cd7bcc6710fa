"""Form shapes of the dashboards (no database access here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SearchField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional


class FilterForm(FlaskForm):
    """The filters of a dashboard (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    since = DateField(_l("Du"), validators=[Optional()])
    until = DateField(_l("Au"), validators=[Optional()])
    department = SelectField(
        _l("Département"), validators=[Optional()], validate_choice=False
    )
    service_type = SelectField(
        _l("Type de prestation"), validators=[Optional()], validate_choice=False
    )
    client = SelectField(_l("Client"), validators=[Optional()], validate_choice=False)


class ListingForm(FlaskForm):
    """How the compliance table is listed (GET, no CSRF)."""

    class Meta:
        csrf = False

    search = SearchField(
        _l("Rechercher un adhérent"), validators=[Optional(), Length(max=100)]
    )
    light = SelectField(_l("Afficher"), validators=[Optional()])
    commitment = SelectField(_l("Engagement"), validators=[Optional()])
    order = SelectField(_l("Trier par"), validators=[Optional()])
    page = IntegerField(
        _l("Page"), validators=[Optional(), NumberRange(min=1, max=100_000)]
    )


class PortalRequestForm(FlaskForm):
    email = EmailField(
        _l("Votre adresse e-mail"),
        validators=[DataRequired(), Email(), Length(max=320)],
    )


class QuestionForm(FlaskForm):
    message = TextAreaField(
        _l("Votre question"), validators=[DataRequired(), Length(max=4000)]
    )
