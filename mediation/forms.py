"""Form shapes of the complaints feature (no database access here)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import PlausibleDate, choices
from mediation.files import MAX_FILE_BYTES, MAX_FILES_PER_ENTRY, Upload
from mediation.models import VISIBILITY_LABELS
from mediation.workflow import (
    DECISION_LABELS,
    MEMBER_REPLY_DAYS,
    SUSPENSION_YEARS_AHEAD,
)

LOCALE_CHOICES = [("fr", "Français"), ("en", "English")]
FILES_HELP = _l(
    "PDF ou images (PNG, JPEG, GIF, WebP), %(size)d Mo au plus chacun, "
    "%(count)d fichiers au plus.",
    size=MAX_FILE_BYTES // (1024 * 1024),
    count=MAX_FILES_PER_ENTRY,
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class PrefixedForm(FlaskForm):
    """Several forms share the case page: each names its fields with a prefix."""

    PREFIX = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _files(label: Any = None) -> MultipleFileField:
    return MultipleFileField(label or _l("Pièces jointes"), description=FILES_HELP)


def uploads_of(data: Iterable[Any] | None) -> list[Upload]:
    """The files of a ``MultipleFileField`` as ``Upload`` values (bytes read)."""
    uploads = []
    for item in data or []:
        if not isinstance(item, FileStorage) or not item.filename:
            continue
        uploads.append(
            Upload(
                filename=item.filename,
                declared_type=item.mimetype or None,
                data=item.stream.read(MAX_FILE_BYTES + 1),
            )
        )
    return uploads


class ComplaintForm(FlaskForm):
    name = StringField(
        _l("Vos nom et prénom"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    company = StringField(
        _l("Votre entreprise ou organisation"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    email = EmailField(
        _l("Votre adresse e-mail"),
        validators=[DataRequired(), Email(), Length(max=320)],
        filters=[_lower],
        description=_l("Un lien de confirmation vous y sera envoyé."),
    )
    locale = SelectField(
        _l("Langue de nos e-mails"), choices=choices(LOCALE_CHOICES), default="fr"
    )
    member_id = SelectField(
        _l("Adhérent concerné"),
        coerce=_int_or_none,
        validators=[InputRequired(message=_l("Choisissez l'adhérent concerné."))],
    )
    project_id = HiddenField()
    project_label = StringField(
        _l("Projet concerné (si vous le connaissez)"),
        validators=[Optional(), Length(max=300)],
        filters=[_strip],
    )
    facts = TextAreaField(
        _l("Ce qui s'est passé"),
        validators=[DataRequired(), Length(min=20, max=10000)],
        filters=[_strip],
        description=_l("Les faits, leurs dates, les échanges avec l'adhérent."),
    )
    expectations = TextAreaField(
        _l("Ce que vous attendez"),
        validators=[DataRequired(), Length(max=5000)],
        filters=[_strip],
    )
    attachments = _files()


class RecoverForm(FlaskForm):
    reference = StringField(
        _l("Référence de la plainte"),
        validators=[DataRequired(), Length(max=20)],
        filters=[_strip],
    )
    email = EmailField(
        _l("Votre adresse e-mail"),
        validators=[DataRequired(), Email(), Length(max=320)],
        filters=[_lower],
    )


class MessageForm(PrefixedForm):
    PREFIX = "msg"

    text = TextAreaField(
        _l("Votre message"), validators=[Length(max=10000)], filters=[_strip]
    )
    attachments = _files()


class ArgumentsForm(PrefixedForm):
    PREFIX = "arg"

    text = TextAreaField(
        _l("Vos arguments"),
        validators=[DataRequired(), Length(max=20000)],
        filters=[_strip],
    )
    attachments = _files()


class AdmissibilityForm(PrefixedForm):
    PREFIX = "adm"

    outcome = RadioField(
        _l("Recevabilité"),
        choices=choices(
            [
                ("admissible", _l("Recevable")),
                ("inadmissible", _l("Irrecevable")),
            ]
        ),
        validators=[InputRequired(message=_l("Choisissez recevable ou non."))],
    )
    reply_days = IntegerField(
        _l("Délai de réponse de l'adhérent (jours)"),
        default=MEMBER_REPLY_DAYS,
        validators=[Optional(), NumberRange(min=1, max=90)],
    )
    text = TextAreaField(
        _l("Motif ou message aux parties"),
        validators=[Length(max=5000)],
        filters=[_strip],
        description=_l(
            "Obligatoire pour une plainte irrecevable : le plaignant le reçoit."
        ),
    )


class EntryForm(PrefixedForm):
    PREFIX = "entry"

    kind = SelectField(_l("Type d'entrée"))
    visibility = SelectField(
        _l("Visibilité"),
        choices=choices((k.value, label) for k, label in VISIBILITY_LABELS.items()),
        default="parties",
    )
    occurred_on = DateField(
        _l("Date (réunion, audition)"), validators=[Optional(), PlausibleDate()]
    )
    text = TextAreaField(_l("Texte"), validators=[Length(max=20000)], filters=[_strip])
    attachments = _files()


class StepForm(PrefixedForm):
    """A step with an optional message (open the mediation, withdraw)."""

    PREFIX = "step"

    text = TextAreaField(
        _l("Message (facultatif)"), validators=[Length(max=5000)], filters=[_strip]
    )


class AgreementForm(PrefixedForm):
    PREFIX = "agr"

    text = TextAreaField(
        _l("Termes de l'accord"),
        validators=[DataRequired(), Length(max=10000)],
        filters=[_strip],
    )
    attachments = _files()


class ReferForm(PrefixedForm):
    PREFIX = "refer"

    seats = MultiCheckboxField(_l("Membres du conseil qui siègent"), coerce=int)
    text = TextAreaField(
        _l("Message aux parties (facultatif)"),
        validators=[Length(max=5000)],
        filters=[_strip],
    )


class SeatsForm(PrefixedForm):
    PREFIX = "seats"

    seats = MultiCheckboxField(_l("Ajouter à la commission"), coerce=int)


class DecisionForm(PrefixedForm):
    PREFIX = "dec"

    decision = SelectField(
        _l("Décision"),
        choices=choices((k.value, label) for k, label in DECISION_LABELS.items()),
        validators=[DataRequired()],
    )
    suspension_until = DateField(
        _l("Fin de la suspension (la marque redevient active ce jour-là)"),
        validators=[Optional(), PlausibleDate(years_ahead=SUSPENSION_YEARS_AHEAD)],
    )
    reasons = TextAreaField(
        _l("Motifs de la décision"),
        validators=[Length(max=20000)],
        filters=[_strip],
    )
    attachments = _files()


class RecuseForm(PrefixedForm):
    PREFIX = "recuse"

    note = TextAreaField(
        _l("Raison du déport"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[_strip],
    )
