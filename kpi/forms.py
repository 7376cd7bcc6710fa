"""Form shapes of the KPI feature (no database access here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    MonthField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from kpi.models import (
    AGGREGATION_LABELS,
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    KIND_LABELS,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class IndicatorForm(FlaskForm):
    kind = SelectField(
        _l("Type d'indicateur"),
        choices=choices((k.value, label) for k, label in KIND_LABELS.items()),
    )
    name = StringField(
        _l("Nom"),
        filters=[_strip],
        validators=[Optional(), Length(max=120)],
        description=_l("Laissez vide pour le nom proposé par le type."),
    )
    unit = StringField(_l("Unité"), filters=[_strip], validators=[Length(max=30)])
    direction = SelectField(
        _l("Sens"),
        choices=choices((d.value, label) for d, label in DIRECTION_LABELS.items()),
    )
    frequency = SelectField(
        _l("Fréquence des mesures"),
        choices=choices((f.value, label) for f, label in FREQUENCY_LABELS.items()),
    )
    aggregation = SelectField(
        _l("Regroupement par trimestre ou par an"),
        choices=choices((a.value, label) for a, label in AGGREGATION_LABELS.items()),
        description=_l("Sans effet sur un ratio : ses composantes sont additionnées."),
    )
    baseline_on = DateField(_l("Date du point de départ"), validators=[Optional()])
    baseline_value = StringField(
        _l("Valeur de départ"),
        filters=[_strip],
        validators=[Length(max=40)],
        description=_l("Par exemple 1 234,5 ou 1,234.5."),
    )
    target_value = StringField(
        _l("Objectif"), filters=[_strip], validators=[Length(max=40)]
    )
    is_active = BooleanField(_l("Indicateur suivi (actif)"), default=True)


class MeasurementForm(FlaskForm):
    day = DateField(
        _l("Période"),
        validators=[DataRequired(message=_l("Indiquez la période."))],
        description=_l("N'importe quel jour de la période (jour, semaine ou mois)."),
    )
    value = StringField(_l("Valeur"), filters=[_strip], validators=[Length(max=40)])
    numerator = StringField(filters=[_strip], validators=[Length(max=40)])
    denominator = StringField(filters=[_strip], validators=[Length(max=40)])
    #: "1" once the person confirmed replacing the period's stored value.
    replace = HiddenField()


class UploadForm(FlaskForm):
    file = FileField(
        _l("Fichier d'export"),
        validators=[FileRequired(message=_l("Choisissez un fichier."))],
        description=_l(
            "CSV, TSV, XLSX ou ZIP : GA4, Universal Analytics, Search Console, "
            "Matomo, Plausible, Google Ads, Microsoft Advertising, GLPI, Jira… "
            "20 Mo au plus."
        ),
    )


DATE_FORMATS = [
    ("", _l("Détection automatique")),
    ("%Y-%m-%d", "2024-03-31"),
    ("%d/%m/%Y", "31/03/2024"),
    ("%m/%d/%Y", "03/31/2024"),
    ("%Y%m%d", "20240331"),
    ("%d.%m.%Y", "31.03.2024"),
]


class MappingForm(FlaskForm):
    date_column = SelectField(_l("Colonne des dates"))
    value_columns = MultiCheckboxField(
        _l("Colonnes de valeurs"),
        validators=[DataRequired(message=_l("Cochez au moins une colonne."))],
    )
    date_format = SelectField(_l("Format des dates"), choices=choices(DATE_FORMATS))
    decimal_separator = SelectField(
        _l("Séparateur décimal"),
        choices=choices([(",", _l("Virgule (1 234,5)")), (".", _l("Point (1,234.5)"))]),
    )
    granularity = SelectField(
        _l("Chaque ligne est"),
        choices=choices(
            [
                ("day", _l("un jour")),
                ("week", _l("une semaine")),
                ("month", _l("un mois")),
            ]
        ),
    )


class PeriodForm(FlaskForm):
    month = MonthField(
        _l("Mois couvert par le fichier"),
        validators=[DataRequired(message=_l("Indiquez le mois."))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Donnez un nom.")), Length(max=100)],
        description=_l("Par exemple : « Script d'export Matomo »."),
    )


class AgreementSendForm(FlaskForm):
    contact_id = SelectField(_l("Contact du client"), coerce=int)


class AgreementAnswerForm(FlaskForm):
    comment = TextAreaField(
        _l("Commentaire (facultatif pour valider)"),
        validators=[Optional(), Length(max=4000)],
    )
    acknowledge = SubmitField(_l("Je valide ces indicateurs"))
    send_comment = SubmitField(_l("Envoyer mon commentaire sans valider"))
