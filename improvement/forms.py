"""Forms of the improvement register (shape only: the services check the rules)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from core.forms import PlausibleDate
from improvement.services.actions import DUE_YEARS_AHEAD, MAX_TEXT

_TOO_LONG = _l("Pas plus de %(max)d caractères.", max=MAX_TEXT)


def _text(label: object, *, required: object | None, description: object = "") -> Any:
    validators = [Length(max=MAX_TEXT, message=_TOO_LONG)]
    validators.insert(0, InputRequired(message=required) if required else Optional())
    return TextAreaField(label, validators=validators, description=description)


class DecideForm(FlaskForm):
    cause = _text(
        _l("Cause"),
        required=_l("Indiquez la cause."),
        description=_l(
            "Ce qui a conduit au déclencheur, selon l'analyse de l'adhérent."
        ),
    )
    plan = _text(
        _l("Action décidée"),
        required=_l("Indiquez l'action décidée."),
        description=_l("Ce qui sera fait pour que cela ne se reproduise pas."),
    )
    owner_id = SelectField(
        _l("Responsable"),
        coerce=int,
        validators=[InputRequired(message=_l("Choisissez un responsable."))],
    )
    due_on = DateField(
        _l("Échéance"),
        validators=[
            InputRequired(message=_l("Indiquez l'échéance.")),
            PlausibleDate(years_ahead=DUE_YEARS_AHEAD),
        ],
    )
    result = _text(
        _l("Résultat (en cours)"),
        required=None,
        description=_l("Facultatif tant que l'action n'est pas close."),
    )


class CloseForm(FlaskForm):
    result = _text(
        _l("Résultat de l'action"), required=_l("Indiquez le résultat de l'action.")
    )
    effect = _text(
        _l("Effet constaté"),
        required=_l("Indiquez l'effet constaté."),
        description=_l("Ce qui a changé pour le client ou pour l'indicateur."),
    )
    effect_on = DateField(
        _l("Date de l'effet constaté"),
        validators=[
            InputRequired(message=_l("Indiquez la date de l'effet constaté.")),
            PlausibleDate(),
        ],
    )
