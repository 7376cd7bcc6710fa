"""The association's settings of the feature: the survey-fatigue window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from core import audit
from core.database import utcnow
from core.extensions import db
from satisfaction.errors import BuilderError
from satisfaction.models import SurveySettings

DEFAULT_FATIGUE_DAYS = 30
MAX_FATIGUE_DAYS = 365
SETTINGS_ID = 1


def fatigue_days() -> int:
    """Days during which a contact gets no other questionnaire from the same member."""
    settings = db.session.get(SurveySettings, SETTINGS_ID)
    return settings.fatigue_days if settings is not None else DEFAULT_FATIGUE_DAYS


def set_fatigue_days(actor: Any, *, days: int, now: datetime | None = None) -> None:
    """Change the fatigue window (the secretariat). :raises BuilderError:"""
    if not 0 <= days <= MAX_FATIGUE_DAYS:
        raise BuilderError(
            _l(
                "Le délai doit être compris entre 0 et %(max)d jours.",
                max=MAX_FATIGUE_DAYS,
            ),
            field="fatigue_days",
        )
    now = now or utcnow()
    settings = db.session.get(SurveySettings, SETTINGS_ID)
    previous = settings.fatigue_days if settings else DEFAULT_FATIGUE_DAYS
    if settings is None:
        settings = SurveySettings(id=SETTINGS_ID)
        db.session.add(settings)
    settings.fatigue_days = days
    settings.updated_at = now
    audit.record(
        actor,
        "satisfaction.fatigue_days",
        object_type="satisfaction_settings",
        object_id=SETTINGS_ID,
        detail={"from": previous, "to": days},
    )
    try:
        db.session.commit()
    except IntegrityError:  # created at the same moment: the other one wins
        db.session.rollback()
        raise BuilderError(
            _l("Le réglage vient d'être modifié par quelqu'un d'autre. Réessayez."),
            field="fatigue_days",
        ) from None
