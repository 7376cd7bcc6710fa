"""The client portal is found and useful: the thank-you page links to it, the
contact sees its own past answers there, and the complaint form it opens is
prefilled with what the portal knows."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from core.extensions import db
from core.models import OutboxMessage


def _portal_login(client, email: str) -> None:
    client.post("/portal", data={"email": email})
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    token = message.body_text.split("/portal/link/")[1].split()[0]
    assert client.get(f"/portal/link/{token}").status_code == 302


def _value(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return unescape(value.group(1)) if value else None


def test_the_contact_sees_its_own_answers_with_their_dates(
    client, make_member, make_client, make_contact, make_project, add_answers
) -> None:
    member = make_member(name="Agence Ubaye")
    own = make_client(member, name="Boulangerie Paul")
    paul = make_contact(own, name="Paul Client", email="paul@client.example")
    colleague = make_contact(own, name="Zoé Collègue", email="zoe@client.example")
    project = make_project(member, client=own, title="Site vitrine")
    add_answers(project, paul, nps=[9], csat=[4], text="Livraison rapide, merci")
    add_answers(project, colleague, nps=[2], text="Pas du tout satisfaite")

    _portal_login(client, "paul@client.example")
    html = client.get(f"/portal/projects/{project.id}").get_data(as_text=True)
    responses = re.findall(
        r'<details class="mb-2" data-testid="portal-response">(.*?)</details>',
        html,
        re.S,
    )
    assert len(responses) == 1  # his own, not his colleague's
    (mine,) = responses
    assert "Bilan · répondu le" in mine and "2026" in mine
    assert "Livraison rapide, merci" in mine
    assert re.search(r"<dd[^>]*>9</dd>", mine)  # the NPS he gave
    assert "Pas du tout satisfaite" not in html


def test_the_complaint_form_opened_from_the_portal_is_prefilled(
    client, make_member, make_client, make_contact, make_project
) -> None:
    member = make_member(name="Agence Ubaye")
    own = make_client(member, name="Boulangerie Paul")
    make_contact(own, name="Paul Client", email="paul@client.example")
    project = make_project(member, client=own, title="Site vitrine")

    _portal_login(client, "paul@client.example")
    page = client.get(f"/portal/projects/{project.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]*/complaints/new[^"]*)"', page)
    assert link, "the portal page links to the complaint form"
    form = client.get(unescape(link.group(1))).get_data(as_text=True)
    assert _value(form, "name") == "Paul Client"
    assert _value(form, "email") == "paul@client.example"
    assert _value(form, "company") == "Boulangerie Paul"
    assert _value(form, "project_label") == "Site vitrine"
    assert re.search(
        rf'<option selected value="{member.id}"|<option value="{member.id}" selected',
        form,
    )

    # Once out of the portal, the next visitor of this browser sees nothing.
    client.post("/portal/logout")
    form = client.get("/complaints/new").get_data(as_text=True)
    assert not _value(form, "name") and not _value(form, "email")


def test_the_thank_you_page_links_to_the_portal(client) -> None:
    html = client.get("/s/thanks").get_data(as_text=True)
    found = re.search(r'data-testid="portal-link">.*?<a href="([^"]+)"', html, re.S)
    assert found and found.group(1).endswith("/portal")
    assert client.get("/portal").status_code == 200
