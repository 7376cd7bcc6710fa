"""The client portal: magic sign-in links, the contact's projects and its
questions to the member (the feature's only writes besides the rollups).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from core import audit
from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.security import hash_token, new_token
from core.urls import external_url
from dashboards.errors import DashboardError
from dashboards.models import PortalLink
from dashboards.queries import association as association_queries
from dashboards.queries import indicators as indicators_queries
from dashboards.queries import member as member_queries
from dashboards.queries import portal as portal_queries
from dashboards.services.member import project_summaries
from members.models import ClientContact

PORTAL_LINK_MINUTES = 30
PORTAL_SESSION_HOURS = 8
PORTAL_LINKS_PER_HOUR = 3


# ---------------------------------------------------------------- client portal


def _links_in_the_hour(address: str, now: datetime) -> int:
    return (
        db.session.query(PortalLink)
        .filter(
            PortalLink.email == address,
            PortalLink.created_at >= now - timedelta(hours=1),
        )
        .count()
    )


def request_portal_link(email: str, *, now: datetime | None = None) -> bool:
    """E-mail a sign-in link if ``email`` is a client contact's; say nothing either
    way (no enumeration). At most 3 links per address and hour. Commits once."""
    now = now or utcnow()
    address = email.strip().lower()
    contacts = portal_queries.contacts_with_email(address)
    if not contacts:
        return False
    if _links_in_the_hour(address, now) >= PORTAL_LINKS_PER_HOUR:
        return False
    token, digest = new_token()
    link = PortalLink(
        email=address,
        token_hash=digest,
        created_at=now,
        expires_at=now + timedelta(minutes=PORTAL_LINK_MINUTES),
    )
    db.session.add(link)
    db.session.flush()
    queue_email(
        to=contacts[0].email,
        template="dashboards/email/portal_link",
        context={
            "name": contacts[0].name,
            "url": external_url("dashboards.portal_link", token=token),
            "minutes": PORTAL_LINK_MINUTES,
        },
        locale=contacts[0].locale,
        key=f"dashboards.portal_link:{link.id}",
        now=now,
    )
    db.session.commit()
    return True


def consume_portal_link(token: str, *, now: datetime | None = None) -> str:
    """The e-mail address the link was sent to; the link is spent.

    :raises DashboardError: unknown, expired or already used link.
    """
    now = now or utcnow()
    link = (
        db.session.query(PortalLink)
        .filter_by(token_hash=hash_token(token))
        .one_or_none()
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        db.session.rollback()
        raise DashboardError(
            _l(
                "Ce lien n'est plus valable : demandez-en un nouveau, il arrive en quelques minutes."
            )
        )
    # One conditional UPDATE: two clicks at once spend the link once (PITFALLS §8).
    spent = (
        db.session.query(PortalLink)
        .filter(PortalLink.id == link.id, PortalLink.used_at.is_(None))
        .update({PortalLink.used_at: now}, synchronize_session=False)
    )
    if spent != 1:
        db.session.rollback()
        raise DashboardError(_l("Ce lien a déjà servi : demandez-en un nouveau."))
    db.session.commit()
    return link.email


def portal_session_valid(started: float | None, *, now: datetime | None = None) -> bool:
    if started is None:
        return False
    now = now or utcnow()
    begun = datetime.fromtimestamp(started, tz=UTC)
    return now - begun < timedelta(hours=PORTAL_SESSION_HOURS)


def portal_project(email: str, project_id: int) -> dict[str, Any] | None:
    """One of the address's projects, or None (another client's is not found)."""
    for project in portal_queries.portal_projects(email):
        if project["id"] == project_id:
            return project
    return None


def ask_member(
    email: str, project: dict[str, Any], *, message: str, now: datetime | None = None
) -> int:
    """Queue the contact's question to the member's administrators. Commits once.

    :raises DashboardError: empty or too long message, or nobody to write to.
    """
    now = now or utcnow()
    text = message.strip()
    if not text:
        raise DashboardError(_l("Écrivez votre question."), field="message")
    if len(text) > 4000:
        raise DashboardError(_l("4 000 caractères au plus."), field="message")
    recipients = member_queries.member_admin_emails(project["member_id"])
    if not recipients:
        raise DashboardError(
            _l("Cet adhérent n'a pas encore d'administrateur à qui écrire.")
        )
    contact = portal_queries.contacts_with_email(email)[0]
    _queue_question(contact, project, text, recipients, now=now)
    audit.record(
        None,
        "dashboards.client_question",
        object_type="project",
        object_id=project["id"],
        member_id=project["member_id"],
        detail={"contact_id": contact.id},
    )
    db.session.commit()
    return len(recipients)


def _queue_question(
    contact: ClientContact,
    project: dict[str, Any],
    text: str,
    recipients: list[tuple[str, str]],
    *,
    now: datetime,
) -> None:
    """One e-mail per administrator, answerable to the contact."""
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    for address, locale in recipients:
        queue_email(
            to=address,
            template="dashboards/email/client_question",
            context={
                "contact": contact.name,
                "email": contact.email,
                "project": project["title"],
                "message": text,
            },
            locale=locale,
            key=f"dashboards.question:{contact.id}:{project['id']}:{stamp}:{address}",
            headers={"Reply-To": contact.email},
            now=now,
        )


def complaint_url(member_id: int, project_id: int) -> str | None:
    if "mediation.new_complaint" not in current_app.view_functions:
        return None  # pragma: no cover
    return url_for("mediation.new_complaint", member=member_id, project=project_id)


def portal_page(email: str, project: dict[str, Any]) -> dict[str, Any]:
    """What a client contact sees of one of its projects."""
    indicators = indicators_queries.project_indicators(project["id"])
    responses = portal_queries.portal_responses(email, project["id"])
    answers = portal_queries.portal_answers([r["id"] for r in responses])
    return {
        "summaries": project_summaries(indicators),
        "agreed": bool(association_queries.project_agreed([project["id"]])),
        "responses": [{**r, "answers": answers[r["id"]]} for r in responses],
    }


def portal_visitor(email: str) -> dict[str, str]:
    """Who signed in to the portal: its address, name and company (to prefill
    the forms it opens, such as the complaint form)."""
    return {"email": email, **(portal_queries.portal_contact(email) or {})}


def portal_projects(email: str) -> list[dict[str, Any]]:
    """The projects of the clients this address is a contact of (not proposals)."""
    return portal_queries.portal_projects(email)
