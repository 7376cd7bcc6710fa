"""Form shapes of the charter's versions: a new draft, a draft's wording, signing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from members.commitments import CommitmentCode
from members.forms import _strip
from members.services.charter_versions import (
    BODY_LENGTH,
    CLAUSE_LENGTH,
    EVIDENCE_LENGTH,
    TITLE_LENGTH,
)


class CharterDraftForm(FlaskForm):
    number = StringField(
        _l("Numéro de la nouvelle version"),
        validators=[DataRequired(), Length(max=20)],
        filters=[_strip],
        description=_l("Par exemple 2.2 : elle suit la dernière version."),
    )


class CommitmentWordingForm(Form):
    """One commitment of a draft (a sub-form: the page's form carries the token)."""

    code = HiddenField()
    title = StringField(
        _l("Titre"),
        validators=[DataRequired(), Length(max=TITLE_LENGTH)],
        filters=[_strip],
    )
    text = TextAreaField(
        _l("Clause"),
        validators=[DataRequired(), Length(max=CLAUSE_LENGTH)],
        filters=[_strip],
    )
    evidence = TextAreaField(
        _l("Preuves attendues"),
        validators=[DataRequired(), Length(max=EVIDENCE_LENGTH)],
        filters=[_strip],
        description=_l("Les enregistrements qui prouvent que l'engagement est tenu."),
    )


class CharterVersionForm(FlaskForm):
    title = StringField(
        _l("Titre de la charte"),
        validators=[DataRequired(), Length(max=TITLE_LENGTH)],
        filters=[_strip],
    )
    body = TextAreaField(
        _l("Texte de la charte"),
        validators=[DataRequired(), Length(max=BODY_LENGTH)],
        description=_l(
            "En markdown : # titre, ## sous-titre, - liste, **gras**, "
            "[lien](https://…)."
        ),
    )
    commitments = FieldList(
        FormField(CommitmentWordingForm), max_entries=len(CommitmentCode)
    )


class SignCharterForm(FlaskForm):
    accept = BooleanField(
        _l(
            "J'ai lu cette version de la charte et j'engage mon entreprise à la respecter."
        ),
        validators=[DataRequired(_l("Cochez la case pour signer."))],
    )
