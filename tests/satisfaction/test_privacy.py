"""A contact's personal data on request (GDPR art. 15 and 17) and by the retention
rule: exported whole across the features, erased everywhere in one go, the scores
it gave kept anonymous; only the member's admin may erase, only its own contacts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db
from core.mail import deliver_due
from core.models import AuditLog, OutboxMessage
from core.security import Role
from members import services as members
from members.models import ClientContact
from satisfaction import services
from satisfaction.models import Answer, Invitation, Response
from satisfaction.recurrence import Recurrence


def _answered(world):
    """Two contacts invited now; the first has answered (a score and a comment)."""
    now = utcnow()
    w = world(
        contacts=2,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )
    services.send_due_invitations(now)
    deliver_due(now)
    first = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == w.contacts[0].id)
    )
    questions = sorted(first.version.questions, key=lambda q: q.position)
    scored = next(q for q in questions if q.type.value == "nps")
    free = next(q for q in questions if q.type.value == "text")
    response = Response(
        invitation_id=first.id, campaign_id=first.campaign_id, submitted_at=now
    )
    response.answers = [
        Answer(question_id=scored.id, value=9),
        Answer(question_id=free.id, text="Appelez-moi au 06 12 34 56 78, Jeanne."),
    ]
    first.answered_at = now
    db.session.add(response)
    db.session.commit()
    return w


def _mails_to(address: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.to_address == address)
    )


def test_a_contacts_data_is_exported_whole(world, client, auth) -> None:
    w = _answered(world)
    contact = w.contacts[0]
    auth.login(w.user)  # any of the member's staff may export

    response = client.get(f"/space/contacts/{contact.id}/data.json")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["contact"]["email"] == contact.email
    assert data["contact"]["name"] == contact.name
    answers = data["questionnaires"][0]["answers"]
    assert any(a["value"] == 9 for a in answers)
    assert any(a["text"] and "Jeanne" in a["text"] for a in answers)
    assert len(data["emails"]) == 1
    assert data["indicators"] == [] and data["portal"] == []
    assert (
        db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1))
        == "contact.data_exported"
    )


def test_erasing_a_contact_removes_its_data_everywhere_and_keeps_its_scores(
    world, client, auth
) -> None:
    w = _answered(world)
    contact, other = w.contacts
    address = contact.email
    auth.login(w.admin)

    unconfirmed = client.post(f"/space/contacts/{contact.id}/erase")
    assert unconfirmed.status_code == 303
    assert db.session.get(ClientContact, contact.id).email == address

    erased = client.post(
        f"/space/contacts/{contact.id}/erase", data={"confirm_erase": "y"}
    )
    assert erased.status_code == 302
    db.session.expire_all()
    gone = db.session.get(ClientContact, contact.id)
    assert (gone.name, gone.job_title, gone.opted_out_at is not None) == (
        "—",
        None,
        True,
    )
    assert gone.email.endswith("@erased.invalid")
    assert members.is_erased(gone)
    assert _mails_to(address) == 0
    answers = db.session.scalars(select(Answer)).all()
    assert [a.value for a in answers if a.value is not None] == [9]
    assert all(a.text is None for a in answers)
    # The other contact keeps everything.
    assert _mails_to(other.email) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.contact_id == other.id)
        )
        == 1
    )
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "contact.erased")
    )
    assert entry.detail["reason"] == "request" and address not in json.dumps(
        entry.detail
    )


def test_only_the_members_admin_erases_and_only_its_own_contacts(
    world, client, auth, make_member, make_member_user
) -> None:
    w = _answered(world)
    contact = w.contacts[0]
    auth.login(w.user)
    refused = client.post(
        f"/space/contacts/{contact.id}/erase", data={"confirm_erase": "y"}
    )
    assert refused.status_code == 403
    auth.logout()
    auth.login(make_member_user(make_member(), Role.MEMBER_ADMIN))
    assert client.get(f"/space/contacts/{contact.id}/data.json").status_code == 404
    assert (
        client.post(
            f"/space/contacts/{contact.id}/erase", data={"confirm_erase": "y"}
        ).status_code
        == 404
    )
    assert not members.is_erased(db.session.get(ClientContact, contact.id))


def test_contacts_are_erased_once_the_retention_period_is_over(world) -> None:
    w = _answered(world)
    # The project ends on 2026-12-31; three years later its contacts are erased.
    before = datetime(2029, 12, 1, tzinfo=UTC)
    after = datetime(2030, 1, 2, tzinfo=UTC)
    assert members.erase_expired_contacts(before) == 0
    assert members.erase_expired_contacts(after) == 2
    db.session.expire_all()
    assert all(members.is_erased(c) for c in db.session.scalars(select(ClientContact)))
    assert members.erase_expired_contacts(after) == 0  # done once
    assert w.project.ends_on.year == 2026
