"""The campaign form guides: a past date is refused next to its field, the
fields of other schedules are ignored, "m'envoyer un test" sends the e-mail to
oneself only, "envoyer maintenant" queues the invitations at once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db
from core.mail_bodies import message_content
from core.models import OutboxMessage
from satisfaction.models import Campaign, Invitation


def _data(w, **overrides) -> dict:
    return {
        "name": "Bilan",
        "questionnaire_id": str(w.questionnaire.id),
        "contact_ids": [str(c.id) for c in w.contacts],
        "kind": "once",
        "run_on": (utcnow().date() + timedelta(days=3)).isoformat(),
        "at": "09:30",
        "reminder_days": "7, 14",
        "max_reminders": "2",
        "link_valid_days": "30",
        **overrides,
    }


def _error(html: str, field: str) -> str:
    found = re.search(rf'<div id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert found, f"no error next to {field}"
    return found.group(1)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_past_date_is_refused_next_to_the_date_field(world, client, auth) -> None:
    w = world(campaign=False)
    auth.login(w.admin)
    url = f"/space/projects/{w.project.id}/campaigns/new"
    past = (utcnow().date() - timedelta(days=10)).isoformat()
    for action in ("save", "preview"):
        response = client.post(url, data=_data(w, run_on=past, action=action))
        html = response.get_data(as_text=True)
        assert response.status_code == 400, action
        assert "aucun envoi à venir" in _error(html, "run_on"), action
        assert f'value="{past}"' in html  # kept, to be corrected
    hot = client.post(
        url,
        data=_data(w, kind="hot_then_cold", accepted_on="2020-01-06", months="1"),
    )
    assert hot.status_code == 400
    assert "aucun envoi à venir" in _error(hot.get_data(as_text=True), "accepted_on")
    assert _count(Campaign) == 0


def test_the_fields_of_another_schedule_are_ignored(world, client, auth) -> None:
    w = world(campaign=False)
    auth.login(w.admin)
    response = client.post(
        f"/space/projects/{w.project.id}/campaigns/new",
        # Left over from another schedule: out of range, but not this one's.
        data=_data(w, months="99", day_of_month="45", expression="x", action="save"),
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.recurrence["kind"] == "once"


def test_the_form_marks_each_field_with_its_schedules_and_loads_the_script(
    world, client, auth
) -> None:
    w = world(campaign=False)
    auth.login(w.admin)
    html = client.get(f"/space/projects/{w.project.id}/campaigns/new").get_data(
        as_text=True
    )
    assert re.search(
        r'data-kinds="once">\s*<div class="mb-3">\s*<label[^>]*for="run_on"', html
    )
    assert re.search(
        r'data-kinds="cron">\s*<div class="mb-3">\s*<label[^>]*for="expression"', html
    )
    src = re.search(r'<script src="([^"]*campaign_form\.js[^"]*)"', html)
    assert src, "the page loads its script"
    script = client.get(src.group(1))
    assert script.status_code == 200
    assert "data-kinds" in script.get_data(as_text=True)


def test_send_a_test_goes_to_the_member_only_and_is_no_invitation(
    world, client, auth
) -> None:
    w = world(campaign=False)
    auth.login(w.admin)
    response = client.post(
        f"/space/projects/{w.project.id}/campaigns/new",
        data=_data(w, action="test"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"E-mail de test envoyé à {w.admin.email}" in html
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.to_address for m in messages] == [w.admin.email]
    (message,) = messages
    assert message.subject.startswith("[Test]")
    assert f"/space/questionnaires/{w.questionnaire.id}/preview" in message.body_text
    assert "/portal" in message.body_text  # the clients' portal is named
    assert _count(Invitation) == 0 and _count(Campaign) == 0


def test_send_now_saves_and_queues_the_invitations_at_once(world, client, auth) -> None:
    w = world(campaign=False)
    auth.login(w.admin)
    response = client.post(
        f"/space/projects/{w.project.id}/campaigns/new",
        data=_data(w, run_on="", action="send_now"),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 invitations sont parties" in page
    assert _count(Invitation) == 2
    addresses = set(db.session.scalars(select(OutboxMessage.to_address)))
    assert addresses == {c.email for c in w.contacts}
    campaign = db.session.scalar(select(Campaign))
    assert campaign.cycles_run == 1 and campaign.next_run_at is None


def test_invitations_and_reminders_link_to_the_client_portal(world) -> None:
    from satisfaction import services
    from tests.satisfaction.conftest import NOW

    w = world(locales=("fr", "en"))
    services.send_due_invitations(NOW + timedelta(hours=2))
    invitations = db.session.scalars(select(OutboxMessage)).all()
    assert len(invitations) == 2
    for message in invitations:
        content = message_content(message)
        assert re.search(r"https?://\S+/portal\b", content.text), message.subject
        assert '/portal"' in (content.html or "")
    english = next(m for m in invitations if m.to_address == w.contacts[1].email)
    assert "client area" in message_content(english).text
    queued = services.send_reminders(NOW + timedelta(days=8))
    assert queued == 2
    reminders = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.id.not_in([m.id for m in invitations])
        )
    ).all()
    assert len(reminders) == 2
    assert all(re.search(r"/portal\b", m.body_text) for m in reminders)
