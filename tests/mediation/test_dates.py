"""Plausible dates in the mediation (core.dates): a meeting held in 1900 or a
suspension until 2090 is a typing mistake, refused with the message the
members' forms use."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from core.extensions import db
from mediation import services
from mediation.errors import FieldError, TransitionRefused
from mediation.models import ComplaintEvent, EventKind
from mediation.services import Actor
from mediation.workflow import Action, Decision, Role
from tests.conftest import TEST_PASSWORD
from tests.mediation.conftest import NOW

IN_1900 = (
    "Date peu plausible (1900-03-04) : les dates antérieures au 2000-01-01 sont "
    "refusées, vérifiez l'année."
)


def _meetings() -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(ComplaintEvent)
            .where(ComplaintEvent.kind == EventKind.MEETING)
        )
        or 0
    )


def test_a_meeting_in_1900_is_refused_by_the_service(make_case) -> None:
    case = make_case("in_mediation")
    secretariat = Actor.of_user(case.secretary, Role.SECRETARIAT)
    with pytest.raises(FieldError) as refused:
        services.add_entry(
            case.complaint,
            actor=secretariat,
            kind=EventKind.MEETING,
            text="Réunion",
            occurred_on=date(1900, 3, 4),
            now=NOW,
        )
    assert (refused.value.field, str(refused.value)) == ("occurred_on", IN_1900)
    with pytest.raises(FieldError, match="dans le futur"):
        services.add_entry(
            case.complaint,
            actor=secretariat,
            kind=EventKind.MEETING,
            text="Réunion",
            occurred_on=NOW.date() + timedelta(days=1),
            now=NOW,
        )
    assert _meetings() == 0


def test_a_meeting_in_1900_is_refused_next_to_the_field(app, make_case) -> None:
    case = make_case("in_mediation")
    secretariat = app.test_client()
    login = secretariat.post(
        "/login", data={"email": case.secretary.email, "password": TEST_PASSWORD}
    )
    assert login.status_code == 302
    response = secretariat.post(
        f"/mediation/{case.id}/entries",
        data={
            "entry-kind": "meeting",
            "entry-visibility": "parties",
            "entry-occurred_on": "1900-03-04",
            "entry-text": "Réunion des deux parties.",
        },
    )
    assert response.status_code == 400
    assert IN_1900 in unescape(response.get_data(as_text=True))
    assert _meetings() == 0


def test_a_suspension_until_2090_is_refused(make_case) -> None:
    case = make_case("at_commission")
    judge = Actor.of_user(case.board[0], Role.BOARD)
    with pytest.raises(TransitionRefused) as refused:
        services.perform(
            case.complaint,
            Action.DECIDE,
            actor=judge,
            decision=Decision.SUSPENSION,
            suspension_until=date(2090, 1, 1),
            reason="Manquements.",
            now=NOW + timedelta(days=20),
        )
    assert refused.value.field == "suspension_until"
    assert str(refused.value) == (
        "Date trop lointaine (2090-01-01) : au plus le 2031-03-22, vérifiez l'année."
    )
