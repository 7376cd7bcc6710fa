"""Questionnaires: the charter template, members' copies, versions and questions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.database import utcnow
from core.extensions import db
from core.security import Role
from satisfaction.errors import BuilderError
from satisfaction.models import (
    CHOICE_TYPES,
    Commitment,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)

CHARTER_SLUG = "charter"
MAX_QUESTIONS = 40
MAX_OPTIONS = 20

# type, commitment, French, English, required
CHARTER_QUESTIONS: list[tuple[QuestionType, Commitment | None, str, str, bool]] = [
    (
        QuestionType.RATING_1_5,
        Commitment.ADEQUACY,
        "La solution livrée répond-elle à votre besoin, tel que vous l'aviez exprimé ?",
        "Does the solution delivered meet your needs as you expressed them?",
        True,
    ),
    (
        QuestionType.RATING_1_5,
        Commitment.SCOPE,
        "Le périmètre, les livrables et les exclusions du projet étaient-ils clairs ?",
        "Were the project's scope, deliverables and exclusions clear?",
        True,
    ),
    (
        QuestionType.RATING_1_5,
        Commitment.COSTS_DEADLINES,
        "Les coûts et les délais annoncés ont-ils été tenus ?",
        "Were the announced costs and deadlines kept?",
        True,
    ),
    (
        QuestionType.RATING_1_5,
        Commitment.FOLLOW_UP,
        "Le suivi du projet vous a-t-il satisfait (comptes rendus, prix, planning, "
        "délais, recette, limites du projet) ?",
        "Were you satisfied with the project's follow-up (reports, price, planning, "
        "deadlines, acceptance, limits)?",
        True,
    ),
    (
        QuestionType.RATING_1_5,
        Commitment.EFFICIENCY,
        "Les indicateurs convenus ensemble montrent-ils que la solution est efficace ?",
        "Do the indicators agreed together show that the solution works?",
        False,
    ),
    (
        QuestionType.RATING_1_5,
        Commitment.DURABILITY_SECURITY,
        "La solution vous paraît-elle pérenne et sûre (sauvegardes, licences) ?",
        "Does the solution seem durable and secure to you (backups, licences)?",
        False,
    ),
    (
        QuestionType.RATING_1_5,
        Commitment.EXPERTISE_PROXIMITY,
        "Avez-vous trouvé l'expertise et la proximité que vous attendiez ?",
        "Did you find the expertise and proximity you expected?",
        False,
    ),
    (
        QuestionType.NPS,
        None,
        "Quelle est la probabilité que vous recommandiez ce prestataire à un proche "
        "ou à un collègue ?",
        "How likely are you to recommend this provider to a friend or colleague?",
        True,
    ),
    (
        QuestionType.CSAT,
        None,
        "Dans l'ensemble, êtes-vous satisfait de la prestation ?",
        "Overall, how satisfied are you with the service?",
        True,
    ),
    (
        QuestionType.TEXT,
        None,
        "Vos suggestions pour nous aider à nous améliorer :",
        "Your suggestions to help us improve:",
        False,
    ),
]


# ---------------------------------------------------------------- reading


def charter_template() -> Questionnaire | None:
    return db.session.scalar(
        select(Questionnaire).where(Questionnaire.slug == CHARTER_SLUG)
    )


def ensure_charter_template(*, now: datetime | None = None) -> Questionnaire:
    """The association's charter questionnaire, created the first time it is needed."""
    found = charter_template()
    if found is not None:
        return found
    now = now or utcnow()
    questionnaire = Questionnaire(
        member_id=None,
        slug=CHARTER_SLUG,
        title="Questionnaire de la charte de qualité",
        created_at=now,
    )
    db.session.add(questionnaire)
    try:
        db.session.flush()
    except IntegrityError:
        # Created at the same moment by another request: use that one.
        db.session.rollback()
        existing = charter_template()
        assert existing is not None
        return existing
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire.id, number=1, created_at=now
    )
    db.session.add(version)
    db.session.flush()
    for position, (kind, commitment, text_fr, text_en, required) in enumerate(
        CHARTER_QUESTIONS, start=1
    ):
        db.session.add(
            Question(
                version_id=version.id,
                position=position,
                type=kind,
                commitment=commitment,
                text_fr=text_fr,
                text_en=text_en,
                options=[],
                is_required=required,
            )
        )
    audit.record(
        None,
        "questionnaire.charter_seed",
        object_type="questionnaire",
        object_id=questionnaire.id,
    )
    db.session.commit()
    return questionnaire


def list_questionnaires(member_id: int) -> Sequence[Questionnaire]:
    return db.session.scalars(
        select(Questionnaire)
        .where(Questionnaire.member_id == member_id)
        .order_by(Questionnaire.title, Questionnaire.id)
    ).all()


def get_questionnaire(member_id: int, questionnaire_id: int) -> Questionnaire | None:
    """The member's questionnaire, or None (another member's is not found)."""
    return db.session.scalar(
        select(Questionnaire).where(
            Questionnaire.id == questionnaire_id,
            Questionnaire.member_id == member_id,
        )
    )


def get_questionnaire_for(user: Any, questionnaire_id: int) -> Questionnaire | None:
    """A questionnaire ``user`` may edit: the member's own, or for the secretariat
    the charter template."""
    if user.role == Role.SECRETARIAT:
        found = db.session.get(Questionnaire, questionnaire_id)
        return found if found is not None and found.member_id is None else None
    if user.member_id is None:
        return None
    return get_questionnaire(user.member_id, questionnaire_id)


def current_version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The latest version (the one being edited, or the last one sent)."""
    version = db.session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire.id)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )
    assert version is not None, "every questionnaire has a version"
    return version


def version_count(questionnaire: Questionnaire) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                QuestionnaireVersion.questionnaire_id == questionnaire.id
            )
        )
        or 0
    )


# ---------------------------------------------------------------- writing


def _copy_questions(source: QuestionnaireVersion, target: QuestionnaireVersion) -> None:
    for question in source.questions:
        db.session.add(
            Question(
                version_id=target.id,
                position=question.position,
                type=question.type,
                commitment=question.commitment,
                text_fr=question.text_fr,
                text_en=question.text_en,
                options=[dict(option) for option in question.options],
                is_required=question.is_required,
            )
        )


def create_questionnaire(
    actor: Any,
    member_id: int,
    *,
    title: str,
    from_charter: bool,
    now: datetime | None = None,
) -> Questionnaire:
    """A new questionnaire for the member, a copy of the charter's or empty."""
    now = now or utcnow()
    title = title.strip()
    if not title:
        raise BuilderError(_l("Donnez un titre au questionnaire."), field="title")
    template = ensure_charter_template(now=now) if from_charter else None
    questionnaire = Questionnaire(member_id=member_id, title=title, created_at=now)
    db.session.add(questionnaire)
    db.session.flush()
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire.id, number=1, created_at=now
    )
    db.session.add(version)
    db.session.flush()
    if template is not None:
        _copy_questions(current_version(template), version)
    audit.record(
        actor,
        "questionnaire.create",
        object_type="questionnaire",
        object_id=questionnaire.id,
        member_id=member_id,
        detail={"from_charter": from_charter},
    )
    db.session.commit()
    return questionnaire


def _editable_version(
    questionnaire: Questionnaire, now: datetime
) -> tuple[QuestionnaireVersion, dict[int, int]]:
    """The version edits go to, and how the latest version's question ids map onto it.

    A version already sent is frozen: the first edit after a send copies it into
    a new version, so that old answers stay tied to the questions they answered.
    """
    latest = current_version(questionnaire)
    if not latest.is_frozen:
        return latest, {q.id: q.id for q in latest.questions}
    fresh = QuestionnaireVersion(
        questionnaire_id=questionnaire.id, number=latest.number + 1, created_at=now
    )
    db.session.add(fresh)
    db.session.flush()
    _copy_questions(latest, fresh)
    db.session.flush()
    db.session.refresh(fresh)
    by_position = {q.position: q.id for q in fresh.questions}
    return fresh, {q.id: by_position[q.position] for q in latest.questions}


def _clean_options(
    kind: QuestionType, options_fr: Sequence[str], options_en: Sequence[str]
) -> list[dict[str, str]]:
    french = [line.strip() for line in options_fr if line.strip()]
    english = [line.strip() for line in options_en if line.strip()]
    if kind not in CHOICE_TYPES:
        return []
    if len(french) < 2:
        raise BuilderError(
            _l("Une question à choix a besoin d'au moins deux options."),
            field="options_fr",
        )
    if len(french) > MAX_OPTIONS:
        raise BuilderError(
            _l("Pas plus de %(max)d options.", max=MAX_OPTIONS), field="options_fr"
        )
    if english and len(english) != len(french):
        raise BuilderError(
            _l(
                "Indiquez autant d'options en anglais qu'en français (ou aucune : "
                "le français sera montré)."
            ),
            field="options_en",
        )
    return [
        {"fr": fr, "en": english[index] if english else fr}
        for index, fr in enumerate(french)
    ]


def _check_texts(text_fr: str, text_en: str) -> tuple[str, str]:
    text_fr, text_en = text_fr.strip(), text_en.strip()
    if not text_fr:
        raise BuilderError(_l("Le texte français est obligatoire."), field="text_fr")
    return text_fr, text_en or text_fr


def _record_edit(actor: Any, questionnaire: Questionnaire, action: str) -> None:
    audit.record(
        actor,
        f"questionnaire.{action}",
        object_type="questionnaire",
        object_id=questionnaire.id,
        member_id=questionnaire.member_id,
    )


def add_question(
    actor: Any,
    questionnaire: Questionnaire,
    *,
    kind: QuestionType,
    text_fr: str,
    text_en: str,
    options_fr: Sequence[str] = (),
    options_en: Sequence[str] = (),
    is_required: bool = False,
    commitment: Commitment | None = None,
    now: datetime | None = None,
) -> Question:
    """Add a question at the end (to a new version if the current one was sent)."""
    now = now or utcnow()
    text_fr, text_en = _check_texts(text_fr, text_en)
    options = _clean_options(kind, options_fr, options_en)
    version, _mapping = _editable_version(questionnaire, now)
    if len(version.questions) >= MAX_QUESTIONS:
        raise BuilderError(
            _l("Pas plus de %(max)d questions par questionnaire.", max=MAX_QUESTIONS)
        )
    position = max((q.position for q in version.questions), default=0) + 1
    question = Question(
        version_id=version.id,
        position=position,
        type=kind,
        text_fr=text_fr,
        text_en=text_en,
        options=options,
        is_required=is_required,
        commitment=commitment,
    )
    db.session.add(question)
    db.session.flush()
    _record_edit(actor, questionnaire, "add_question")
    db.session.commit()
    db.session.expire(version, ["questions"])
    return question


def _question_of(
    questionnaire: Questionnaire, question_id: int, now: datetime
) -> tuple[QuestionnaireVersion, Question]:
    version, mapping = _editable_version(questionnaire, now)
    target = mapping.get(question_id)
    question = next((q for q in version.questions if q.id == target), None)
    if question is None:
        raise BuilderError(_l("Cette question n'existe pas dans ce questionnaire."))
    return version, question


def find_question(questionnaire: Questionnaire, question_id: int) -> Question | None:
    """A question of the questionnaire's current version, or None."""
    return next(
        (q for q in current_version(questionnaire).questions if q.id == question_id),
        None,
    )


def update_question(
    actor: Any,
    questionnaire: Questionnaire,
    question_id: int,
    *,
    kind: QuestionType,
    text_fr: str,
    text_en: str,
    options_fr: Sequence[str] = (),
    options_en: Sequence[str] = (),
    is_required: bool = False,
    commitment: Commitment | None = None,
    now: datetime | None = None,
) -> Question:
    """Change a question (in a new version if the current one was sent)."""
    now = now or utcnow()
    text_fr, text_en = _check_texts(text_fr, text_en)
    options = _clean_options(kind, options_fr, options_en)
    _version, question = _question_of(questionnaire, question_id, now)
    question.type, question.text_fr, question.text_en = kind, text_fr, text_en
    question.options, question.is_required = options, is_required
    question.commitment = commitment
    _record_edit(actor, questionnaire, "update_question")
    db.session.commit()
    return question


def remove_question(
    actor: Any,
    questionnaire: Questionnaire,
    question_id: int,
    *,
    now: datetime | None = None,
) -> None:
    """Remove a question (from a new version if the current one was sent)."""
    now = now or utcnow()
    version, question = _question_of(questionnaire, question_id, now)
    db.session.delete(question)
    db.session.flush()
    remaining = [q for q in version.questions if q.id != question.id]
    for position, other in enumerate(remaining, start=1):
        other.position = position
    _record_edit(actor, questionnaire, "remove_question")
    db.session.commit()
    db.session.expire(version, ["questions"])


def move_question(
    actor: Any,
    questionnaire: Questionnaire,
    question_id: int,
    *,
    offset: int,
    now: datetime | None = None,
) -> None:
    """Move a question up (-1) or down (+1)."""
    now = now or utcnow()
    version, question = _question_of(questionnaire, question_id, now)
    ordered = sorted(version.questions, key=lambda q: q.position)
    index = ordered.index(question)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered, start=1):
        other.position = position
    _record_edit(actor, questionnaire, "move_question")
    db.session.commit()


def rename_questionnaire(
    actor: Any, questionnaire: Questionnaire, *, title: str
) -> None:
    title = title.strip()
    if not title:
        raise BuilderError(_l("Donnez un titre au questionnaire."), field="title")
    questionnaire.title = title
    _record_edit(actor, questionnaire, "rename")
    db.session.commit()
