"""Form shapes of the members feature (no database access here)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import PlausibleDate, choices
from core.security import Role
from members.models import (
    CHARTER_MAX_HEADCOUNT,
    CLIENT_KIND_LABELS,
    MARK_STATUS_LABELS,
    MAX_PEOPLE,
    PROJECT_STATUS_LABELS,
    PROJECT_YEARS_AHEAD,
    SERVICE_LABELS,
)
from members.siret import is_valid_siret

DEPARTMENTS = [
    ("04", "04 — Alpes-de-Haute-Provence"),
    ("05", "05 — Hautes-Alpes"),
    ("06", "06 — Alpes-Maritimes"),
    ("13", "13 — Bouches-du-Rhône"),
    ("26", "26 — Drôme"),
    ("38", "38 — Isère"),
    ("73", "73 — Savoie"),
    ("83", "83 — Var"),
    ("84", "84 — Vaucluse"),
]

LOCALE_CHOICES = [("fr", "Français"), ("en", "English")]

MIN_PASSWORD = 10


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _siret_check(form: Any, field: Any) -> None:
    if field.data and not is_valid_siret(field.data):
        raise ValidationError(
            _l(
                "Ce SIRET n'est pas valide : 14 chiffres dont la clé de contrôle est juste."
            )
        )


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"), validators=[DataRequired(), Email()], filters=[_lower]
    )
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])
    remember = BooleanField(_l("Rester connecté"))


class PasswordForgotForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"), validators=[DataRequired(), Email()], filters=[_lower]
    )


class NewPasswordForm(FlaskForm):
    """A new password typed twice (set from a link, or changed)."""

    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("Au moins %(min)d caractères.", min=MIN_PASSWORD),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Confirmer le mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Les deux mots de passe diffèrent.")),
        ],
    )


class PasswordSetForm(NewPasswordForm):
    full_name = StringField(
        _l("Nom complet"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )


class MemberForm(FlaskForm):
    name = StringField(
        _l("Raison sociale"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    siret = StringField(
        _l("SIRET"),
        validators=[DataRequired(), _siret_check],
        description=_l("14 chiffres, espaces permis."),
    )
    department = SelectField(
        _l("Département"), choices=choices(DEPARTMENTS), validators=[DataRequired()]
    )
    town = StringField(
        _l("Commune"), validators=[DataRequired(), Length(max=120)], filters=[_strip]
    )
    website = URLField(
        _l("Site web"),
        validators=[
            Optional(),
            URL(message=_l("Adresse web invalide (https://…).")),
            Length(max=300),
        ],
        filters=[_strip],
    )
    services = MultiCheckboxField(
        _l("Services proposés"),
        choices=choices((key.value, label) for key, label in SERVICE_LABELS.items()),
        validators=[DataRequired(message=_l("Choisissez au moins un service."))],
    )
    is_public = BooleanField(
        _l("Publier dans l'annuaire des signataires"), default=True
    )


class SignatureForm(FlaskForm):
    charter_version = StringField(
        _l("Version de la charte"),
        validators=[DataRequired(), Length(max=20)],
        filters=[_strip],
    )
    signed_on = DateField(
        _l("Date de signature"), validators=[InputRequired(), PlausibleDate()]
    )


class MarkStatusForm(FlaskForm):
    mark_status = SelectField(
        _l("Statut de la marque"),
        choices=choices(
            (key.value, label) for key, label in MARK_STATUS_LABELS.items()
        ),
    )
    reason = TextAreaField(
        _l("Motif"), validators=[DataRequired(), Length(max=2000)], filters=[_strip]
    )


class InviteUserForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(), Email(), Length(max=320)],
        filters=[_lower],
    )
    full_name = StringField(
        _l("Nom complet"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    role = SelectField(
        _l("Rôle"),
        choices=choices(
            [
                (Role.MEMBER_ADMIN.value, _l("Administrateur")),
                (Role.MEMBER_USER.value, _l("Utilisateur")),
            ]
        ),
        default=Role.MEMBER_USER.value,
    )
    locale = SelectField(
        _l("Langue des e-mails"), choices=choices(LOCALE_CHOICES), default="fr"
    )


class ClientForm(FlaskForm):
    name = StringField(
        _l("Nom du client"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    kind = SelectField(
        _l("Type de client"),
        choices=choices(
            (key.value, label) for key, label in CLIENT_KIND_LABELS.items()
        ),
    )
    headcount = IntegerField(
        _l("Effectif"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message=_l("Effectif invalide.")),
        ],
    )
    town = StringField(
        _l("Commune"), validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    confirm_over_limit = BooleanField(
        _l(
            "Je confirme : ce client compte plus de %(max)d salariés, la charte ne "
            "s'applique pas à lui.",
            max=CHARTER_MAX_HEADCOUNT,
        )
    )


class ContactForm(FlaskForm):
    name = StringField(
        _l("Nom"), validators=[DataRequired(), Length(max=200)], filters=[_strip]
    )
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(), Email(), Length(max=320)],
        filters=[_lower],
    )
    job_title = StringField(
        _l("Fonction"), validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    locale = SelectField(_l("Langue"), choices=choices(LOCALE_CHOICES), default="fr")


class ProjectForm(FlaskForm):
    client_id = SelectField(_l("Client"), coerce=int, validators=[InputRequired()])
    title = StringField(
        _l("Intitulé"), validators=[DataRequired(), Length(max=200)], filters=[_strip]
    )
    service_type = SelectField(
        _l("Type de prestation"),
        choices=choices((key.value, label) for key, label in SERVICE_LABELS.items()),
    )
    scope = TextAreaField(
        _l("Périmètre"), validators=[Length(max=5000)], filters=[_strip]
    )
    deliverables = TextAreaField(
        _l("Livrables"), validators=[Length(max=5000)], filters=[_strip]
    )
    exclusions = TextAreaField(
        _l("Exclusions"), validators=[Length(max=5000)], filters=[_strip]
    )
    starts_on = DateField(
        _l("Début"),
        validators=[InputRequired(), PlausibleDate(years_ahead=PROJECT_YEARS_AHEAD)],
    )
    ends_on = DateField(
        _l("Fin"),
        validators=[Optional(), PlausibleDate(years_ahead=PROJECT_YEARS_AHEAD)],
    )
    status = SelectField(
        _l("Statut"),
        choices=choices(
            (key.value, label) for key, label in PROJECT_STATUS_LABELS.items()
        ),
    )

    def validate_ends_on(self, field: Any) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("La fin ne peut pas précéder le début."))


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"), validators=[DataRequired(), Length(max=200)]
    )


class AccountForm(FlaskForm):
    full_name = StringField(
        _l("Nom complet"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    locale = SelectField(_l("Langue"), choices=choices(LOCALE_CHOICES))


class AuditFilterForm(FlaskForm):
    """Which entries of the audit log to show (GET, no CSRF)."""

    class Meta:
        csrf = False

    member = SelectField(_l("Adhérent"), validators=[Optional()], validate_choice=False)
    user = StringField(
        _l("Utilisateur (e-mail)"), validators=[Optional(), Length(max=320)]
    )
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    since = DateField(_l("Du"), validators=[Optional()])
    until = DateField(_l("Au"), validators=[Optional()])
    page = IntegerField(
        _l("Page"), validators=[Optional(), NumberRange(min=1, max=100_000)]
    )


# ------------------------------------------------ Ressources et expertise / Veille


def _people_count() -> list[Any]:
    """A number of people, from 1 to MAX_PEOPLE (skills and trainings)."""
    return [
        InputRequired(message=_l("Saisissez un nombre de personnes.")),
        NumberRange(
            min=1,
            max=MAX_PEOPLE,
            message=_l("Un nombre de personnes de 1 à %(max)s.", max=MAX_PEOPLE),
        ),
    ]


class SkillForm(FlaskForm):
    name = StringField(
        _l("Compétence"),
        validators=[DataRequired(), Length(max=120)],
        filters=[_strip],
        description=_l("Par exemple : SEO technique, WordPress, Administration Linux."),
    )
    people = IntegerField(
        _l("Personnes qui la détiennent"),
        validators=_people_count(),
        default=1,
    )


class TrainingForm(FlaskForm):
    course = StringField(
        _l("Formation suivie"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    provider = StringField(
        _l("Organisme (facultatif)"),
        validators=[Optional(), Length(max=200)],
        filters=[_strip],
    )
    completed_on = DateField(
        _l("Terminée le"), validators=[InputRequired(), PlausibleDate()]
    )
    attendees = IntegerField(
        _l("Personnes formées"),
        validators=_people_count(),
        default=1,
    )


class WatchSourceForm(FlaskForm):
    name = StringField(
        _l("Source de veille"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
        description=_l("Un site, une lettre d'information, une communauté…"),
    )
    # Checked by the service (http or https only), shown next to the field.
    url = StringField(
        _l("Adresse web (facultatif)"),
        validators=[Optional(), Length(max=500)],
        filters=[_strip],
    )
    topic = StringField(
        _l("Thème (facultatif)"),
        validators=[Optional(), Length(max=120)],
        filters=[_strip],
    )


class ExpertiseVisibilityForm(FlaskForm):
    shown = BooleanField(
        _l(
            "Afficher nos compétences, formations et sources de veille sur notre "
            "page publique de vérification"
        )
    )
