"""The client agrees to the indicator set through an e-mailed link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from core.mail import deliver_due
from kpi import services
from kpi.models import AgreementStatus


def _link(mailbox, address: str) -> str:
    [message] = mailbox.to(address)
    return re.search(r"https?://\S+/kpi/agreement/\S+", mailbox.text_of(message)).group(
        0
    )


def test_a_contact_acknowledges_the_set_through_a_link_without_password(
    client, auth, agency, make_contact, make_indicator, mailbox
) -> None:
    a = agency()
    contact = make_contact(
        a.client, name="Léa Martin", email="lea@client.example", locale="en"
    )
    make_indicator(
        a.project,
        "cost_per_click",
        baseline_on=date(2024, 1, 1),
        baseline_value="0.8",
        target_value="0.5",
    )
    auth.login(a.admin)
    page = client.get(f"/space/projects/{a.project.id}").get_data(as_text=True)
    assert "Pas encore validés par le client." in page
    sent = client.post(
        f"/space/projects/{a.project.id}/agreement", data={"contact_id": contact.id}
    )
    assert sent.status_code == 302
    page = client.get(f"/space/projects/{a.project.id}").get_data(as_text=True)
    assert "en attente de réponse" in page
    auth.logout()

    deliver_due(datetime.now(UTC))
    [message] = mailbox.to("lea@client.example")
    assert (
        "proposes" in message["Subject"] or "indicators" in message["Subject"].lower()
    )
    link = _link(mailbox, "lea@client.example")
    path = urlsplit(link).path

    opened = client.get(path)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith("/kpi/agreement")
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/kpi/agreement")
    html = page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "token" not in page.request.url
    assert (
        "Paid search campaign: total cost ÷ number of clicks." in html
    )  # contact's language
    assert "The lower this value, the better." in html
    assert "Target: 0.5 €." in html
    answered = client.post("/kpi/agreement", data={"acknowledge": "1", "comment": "OK"})
    assert answered.status_code == 302
    again = client.post("/kpi/agreement", data={"acknowledge": "1"})
    assert again.status_code == 400

    auth.login(a.admin)
    page = client.get(f"/space/projects/{a.project.id}").get_data(as_text=True)
    assert "Validés par Léa Martin" in page and "(version 1)" in page


def test_changing_an_indicator_after_agreement_asks_again(
    agency, make_contact, make_indicator
) -> None:
    a = agency()
    contact = make_contact(a.client)
    indicator = make_indicator(a.project, "audience", target_value="100")
    agreement = services.send_agreement(a.admin, a.project, contact_id=contact.id)
    services.answer_agreement(agreement, acknowledge=True, comment=None)
    state = services.agreement_state(a.project)
    assert state.is_current and not state.changed_since_agreement
    fields = services.IndicatorFields(
        kind=indicator.kind,
        name=indicator.name,
        target_value=indicator.target_value * 2,
    )
    services.update_indicator(a.admin, indicator, fields)
    state = services.agreement_state(a.project)
    assert state.changed_since_agreement
    second = services.send_agreement(a.admin, a.project, contact_id=contact.id)
    assert second.set_version == 2
    assert second.snapshot[0]["target_value"] == "200"


def test_a_new_sending_replaces_the_pending_link_and_old_links_fail(
    client, agency, make_contact, make_indicator
) -> None:
    a = agency()
    contact = make_contact(a.client)
    make_indicator(a.project, "incidents")
    first = services.send_agreement(a.admin, a.project, contact_id=contact.id)
    services.send_agreement(a.admin, a.project, contact_id=contact.id)
    assert (
        first.status == AgreementStatus.SUPERSEDED
        or services.get_agreement(first.id) is None
    )
    assert client.get("/kpi/agreement/not-a-token").status_code == 404
    assert client.get("/kpi/agreement").status_code == 404


def test_a_comment_without_acknowledgement_is_recorded(
    agency, make_contact, make_indicator
) -> None:
    a = agency()
    contact = make_contact(a.client)
    make_indicator(a.project, "clicks")
    agreement = services.send_agreement(a.admin, a.project, contact_id=contact.id)
    try:
        services.answer_agreement(agreement, acknowledge=False, comment="  ")
    except services.KpiInputError as error:
        assert error.field == "comment"
    services.answer_agreement(
        agreement,
        acknowledge=False,
        comment="Objectif trop ambitieux",
        now=agreement.sent_at + timedelta(days=1),
    )
    assert agreement.status == AgreementStatus.COMMENTED
    state = services.agreement_state(a.project)
    assert (
        state.acknowledged is None and state.latest.comment == "Objectif trop ambitieux"
    )


def test_a_contact_of_another_client_cannot_be_chosen(
    agency, make_client, make_contact, make_indicator
) -> None:
    a = agency()
    other = make_contact(make_client(a.member, name="Autre client"))
    make_indicator(a.project, "clicks")
    try:
        services.send_agreement(a.admin, a.project, contact_id=other.id)
    except services.KpiInputError as error:
        assert error.field == "contact_id"
    else:  # pragma: no cover
        raise AssertionError("another client's contact was accepted")
