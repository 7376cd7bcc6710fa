"""One alert per response, listing its low answers, closed with one follow-up,
and counted once by the board's compliance table."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from core.models import OutboxMessage
from satisfaction import services
from satisfaction.answer_form import parse_answers
from satisfaction.models import Alert, AlertItem, Invitation
from satisfaction.recurrence import Recurrence
from tests.satisfaction.conftest import answer_form

#: A detractor who also gives the lowest mark to everything it is asked to rate.
LOW = {"nps": "2", "csat": "1", "rating_1_5": "1"}


def _answered_low(world):
    """A campaign sent now to one contact, who answers with every score low;
    returns (world, the low questions' ids in the questionnaire's order)."""
    now = utcnow()
    w = world(
        contacts=1,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )
    services.send_due_invitations(now)
    invitation = db.session.scalars(select(Invitation)).one()
    questions = invitation.version.questions
    low_ids = [q.id for q in questions if q.type.value in LOW]
    form = answer_form(
        questions,
        **{f"q{q.id}": LOW[q.type.value] for q in questions if q.type.value in LOW},
    )
    for number in (1, 2):
        page = services.page_of(invitation, number)
        services.save_answers(
            invitation,
            page=page,
            answers=parse_answers(page.questions, form, require=True),
            share_with_board=True if page.is_last else None,
            submit=page.is_last,
            now=now,
        )
    return w, low_ids


def test_a_detractor_with_low_ratings_raises_one_alert_listing_them(world) -> None:
    w, low_ids = _answered_low(world)
    assert len(low_ids) == 9  # NPS, CSAT and 7 commitment ratings (the issue)
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.reason.value == "detractor"
    assert [i.question_id for i in alert.items] == low_ids
    assert {i.reason.value for i in alert.items} == {"detractor", "low_rating"}
    assert db.session.scalar(
        select(AlertItem.value).where(AlertItem.question_id == low_ids[0])
    ) == int(LOW[alert.items[0].question.type.value])
    # One e-mail to the member's admin, listing every low answer.
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == w.admin.email)
    ).all()
    listed = [line for line in mail.body_text.splitlines() if line.startswith("- ")]
    assert [line.rsplit(" : ", 1)[1] for line in listed] == [
        str(i.value) for i in alert.items
    ]


def test_one_follow_up_closes_the_response_s_alert(world, client, auth) -> None:
    w, low_ids = _answered_low(world)
    auth.login(w.admin)
    page = client.get("/space/alerts").get_data(as_text=True)
    assert f"{len(low_ids)} réponses basses" in page
    assert page.count('data-testid="alert-items"') == 1
    assert services.open_alert_count(w.member.id) == 1
    alert = db.session.scalar(select(Alert))
    closed = client.post(
        f"/space/alerts/{alert.id}",
        data={"note": "Client rappelé, plan d'action convenu.", "action": "close"},
    )
    assert closed.status_code == 302
    assert services.open_alert_count(w.member.id) == 0


def test_the_compliance_criterion_counts_responses_not_low_answers(world, app) -> None:
    from dashboards import services as dashboards_services
    from dashboards.queries.common import Filters

    w, low_ids = _answered_low(world)
    today = utcnow().date()
    review = dashboards_services.board_review(
        Filters(since=date(today.year - 1, today.month, 1), until=today),
        today=today,
    )
    [row] = [r for r in review.compliance if r.member_id == w.member.id]
    assert len(low_ids) >= 3
    assert row.open_alerts == 1
    assert row.lights["alerts"] == "amber"  # one response to follow up, not red
