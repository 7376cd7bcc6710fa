"""Form shapes of the satisfaction feature (no database access here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from satisfaction.models import QUESTION_TYPE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionnaireForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=200)])
    source = SelectField(
        _l("Point de départ"),
        choices=choices(
            [
                ("charter", _l("Le questionnaire de la charte")),
                ("blank", _l("Un questionnaire vide")),
            ]
        ),
        default="charter",
    )


class RenameForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=200)])


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Type de question"),
        choices=choices(
            [(k.value, label) for k, label in QUESTION_TYPE_LABELS.items()]
        ),
    )
    text_fr = TextAreaField(
        _l("Texte en français"), validators=[DataRequired(), Length(max=1000)]
    )
    text_en = TextAreaField(
        _l("Texte en anglais"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Laissé vide, le texte français est montré."),
    )
    options_fr = TextAreaField(
        _l("Options en français"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Questions à choix : une option par ligne."),
    )
    options_en = TextAreaField(
        _l("Options en anglais"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Une option par ligne, dans le même ordre."),
    )
    # Choices set by the view: the titles of the charter in force
    # (satisfaction.commitments.commitment_choices).
    commitment = SelectField(_l("Engagement de la charte"), choices=[], default="")
    is_required = BooleanField(_l("Réponse obligatoire"))


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Nom de la campagne"), validators=[DataRequired(), Length(max=200)]
    )
    questionnaire_id = SelectField(_l("Questionnaire"), coerce=int, choices=[])
    contact_ids = MultiCheckboxField(_l("Contacts interrogés"), coerce=int, choices=[])
    kind = SelectField(
        _l("Quand"),
        choices=choices(
            [
                ("once", _l("Une fois, à une date")),
                ("every_n_months", _l("Tous les N mois")),
                ("at_project_end", _l("À la fin du projet")),
                ("hot_then_cold", _l("À chaud (recette) puis à froid")),
                ("cron", _l("Expression cron (experts)")),
            ]
        ),
        default="once",
    )
    run_on = DateField(_l("Date d'envoi"), validators=[Optional()])
    at = TimeField(
        _l("Heure d'envoi (heure de Paris)"), validators=[Optional()], default=None
    )
    months = IntegerField(
        _l("Intervalle ou délai « à froid » (mois)"),
        validators=[Optional(), NumberRange(min=1, max=24)],
    )
    day_of_month = IntegerField(
        _l("Jour du mois"), validators=[Optional(), NumberRange(min=1, max=31)]
    )
    start_on = DateField(_l("À partir du"), validators=[Optional()])
    accepted_on = DateField(_l("Date de recette"), validators=[Optional()])
    expression = StringField(
        _l("Expression cron"),
        validators=[Optional(), Length(max=100)],
        description=_l("Par exemple « 0 9 1 */3 * » : le 1er tous les 3 mois à 9 h."),
    )
    reminder_days = StringField(
        _l("Relances (jours après l'envoi)"),
        default="7, 14",
        validators=[Optional(), Length(max=50)],
        description=_l("Séparés par des virgules, par exemple « 7, 14 »."),
    )
    max_reminders = IntegerField(
        _l("Nombre maximal de relances"),
        default=2,
        validators=[InputRequired(), NumberRange(min=0, max=5)],
    )
    link_valid_days = IntegerField(
        _l("Validité du lien (jours)"),
        default=30,
        validators=[InputRequired(), NumberRange(min=1, max=365)],
    )


class FollowUpForm(FlaskForm):
    note = TextAreaField(
        _l("Ce qui a été fait"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Par exemple : client rappelé le 12 mars, geste commercial."),
    )


class FatigueForm(FlaskForm):
    fatigue_days = IntegerField(
        _l("Délai minimal entre deux questionnaires à un même contact (jours)"),
        validators=[InputRequired(), NumberRange(min=0, max=365)],
    )
