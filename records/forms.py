"""Form shapes of the records feature (no database access here). Several forms
share the records page: each has its own prefix so that their fields never clash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from core.forms import PlausibleDate, choices
from records.models import (
    CHANGE_LABELS,
    FOLLOW_UP_LABELS,
    FREQUENCY_LABELS,
    HANDOVER_LABELS,
    PAYER_LABELS,
    RECURRING_LABELS,
    HandoverMode,
)
from records.services.common import MAX_AMOUNT, SUPPORT_YEARS_AHEAD, YEARS_AHEAD
from records.services.security import MAX_RESTORE_HOURS

PAST = PlausibleDate(years_ahead=0)
PLANNED = PlausibleDate(years_ahead=YEARS_AHEAD)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _finite(form: Any, field: Any) -> None:
    """``NaN``, ``sNaN`` and ``Infinity`` parse as decimals: no amount of euros
    (and a signalling NaN would raise when compared)."""
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        field.data = None
        raise StopValidation(_l("Saisissez un montant."))


def _amount(label: Any) -> DecimalField:
    return DecimalField(
        label,
        places=2,
        default=0,
        validators=[
            Optional(),
            _finite,
            NumberRange(
                min=0,
                max=MAX_AMOUNT,
                message=_l("Un montant de 0 à 9 999 999 999,99 €."),
            ),
        ],
    )


def _options(labels: dict[Any, Any]) -> Any:
    return choices((key.value, label) for key, label in labels.items())


class ClientItemForm(FlaskForm):
    label = StringField(
        _l("Élément à fournir par le client"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    due_on = DateField(_l("À fournir le"), validators=[InputRequired(), PLANNED])
    is_critical = BooleanField(_l("Critique pour le délai"))


class ReceivedForm(FlaskForm):
    received_on = DateField(_l("Reçu le"), validators=[InputRequired(), PAST])


class BudgetForm(FlaskForm):
    setup_cost = _amount(_l("Coûts de mise en place (€ HT)"))
    recurring_cost = _amount(_l("Coûts récurrents (€ HT)"))
    recurring_period = SelectField(
        _l("Périodicité"), choices=_options(RECURRING_LABELS)
    )
    third_party_cost = _amount(_l("Prestations externes à souscrire (€ HT)"))
    deadline_on = DateField(
        _l("Délai : livraison prévue le"), validators=[Optional(), PLANNED]
    )


class ChangeForm(FlaskForm):
    kind = SelectField(_l("Changement de"), choices=_options(CHANGE_LABELS))
    summary = StringField(
        _l("Ce qui change"),
        validators=[DataRequired(), Length(max=500)],
        filters=[_strip],
    )
    announced_on = DateField(
        _l("Annoncé au client le"), validators=[InputRequired(), PAST]
    )
    effective_on = DateField(
        _l("Prend effet le"), validators=[InputRequired(), PLANNED]
    )


class FollowUpForm(FlaskForm):
    kind = SelectField(_l("Point de suivi"), choices=_options(FOLLOW_UP_LABELS))
    held_on = DateField(_l("Date"), validators=[InputRequired(), PAST])
    summary = TextAreaField(
        _l("Résumé"), validators=[DataRequired(), Length(max=4000)], filters=[_strip]
    )
    send = BooleanField(_l("Envoyer au client"))


class DeliveryForm(FlaskForm):
    label = StringField(
        _l("Ce qui a été livré"),
        validators=[DataRequired(), Length(max=300)],
        filters=[_strip],
    )
    delivered_on = DateField(_l("Livré le"), validators=[InputRequired(), PAST])


class HandoverForm(FlaskForm):
    mode = SelectField(_l("Codes sources"), choices=_options(HANDOVER_LABELS))
    handed_on = DateField(_l("Remis le"), validators=[Optional(), PAST])
    recipient = StringField(
        _l("Tiers de confiance"),
        validators=[Length(max=200)],
        filters=[_strip],
        description=_l("Par exemple l'étude notariale qui conserve les sources."),
    )
    clause = TextAreaField(
        _l("Clause du contrat qui exclut la remise"),
        validators=[Length(max=1000)],
        filters=[_strip],
    )

    def validate_handed_on(self, field: Any) -> None:
        if self.mode.data != HandoverMode.EXCLUDED.value and field.data is None:
            raise ValidationError(_l("Indiquez la date de remise des codes sources."))

    def validate_recipient(self, field: Any) -> None:
        if self.mode.data == HandoverMode.THIRD_PARTY.value and not field.data:
            raise ValidationError(_l("Nommez le tiers de confiance."))

    def validate_clause(self, field: Any) -> None:
        if self.mode.data == HandoverMode.EXCLUDED.value and not field.data:
            raise ValidationError(_l("Citez la clause du contrat."))


class TechnologyForm(FlaskForm):
    name = StringField(
        _l("Technologie"),
        validators=[DataRequired(), Length(max=120)],
        filters=[_strip],
    )
    version = StringField(_l("Version"), validators=[Length(max=60)], filters=[_strip])
    end_of_support_on = DateField(
        _l("Fin de support"),
        validators=[Optional(), PlausibleDate(years_ahead=SUPPORT_YEARS_AHEAD)],
        description=_l("Laissez vide si elle n'est pas connue."),
    )


class InformedForm(FlaskForm):
    informed_on = DateField(_l("Client informé le"), validators=[InputRequired(), PAST])


class BackupPlanForm(FlaskForm):
    scope = StringField(
        _l("Ce qui est sauvegardé"),
        validators=[DataRequired(), Length(max=300)],
        filters=[_strip],
    )
    frequency = SelectField(_l("Fréquence"), choices=_options(FREQUENCY_LABELS))
    location = StringField(
        _l("Où sont conservées les sauvegardes"),
        validators=[DataRequired(), Length(max=300)],
        filters=[_strip],
    )
    restore_hours = IntegerField(
        _l("Délai de restauration promis (heures)"),
        validators=[
            InputRequired(),
            NumberRange(
                min=1,
                max=MAX_RESTORE_HOURS,
                message=_l("Un délai de 1 à 8 760 heures."),
            ),
        ],
    )


class LicenceForm(FlaskForm):
    name = StringField(
        _l("Licence"), validators=[DataRequired(), Length(max=200)], filters=[_strip]
    )
    renews_on = DateField(_l("À renouveler le"), validators=[InputRequired(), PLANNED])
    paid_by = SelectField(_l("Payée par"), choices=_options(PAYER_LABELS))
