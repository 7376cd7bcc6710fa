"""In Chromium: a member records on its project a price change announced with
short notice and a licence renewing next month; the client sees both in
its portal (signed in from the e-mailed magic link); the scheduler's licence
reminder job e-mails the client through the loopback SMTP server, once; the
board sees the short-notice flag in the compliance table, follows it to the
member's evidence pack, downloads it and reads both facts in its PDF."""

from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.dates import local_today
from core.extensions import db, limiter
from core.mail import deliver_due
from core.scheduler import registered_jobs, run_job
from core.security import Role
from records.models import LicenceReminder
from tests.conftest import TEST_PASSWORD, Mailbox

pytestmark = pytest.mark.e2e

MEMBER = "Durance Numérique"
PROJECT = "Hébergement du site de la fromagerie"
CONTACT = "claire@fromagerie-monges.example"
CHANGE = "Hébergement : de 40 € à 55 € par mois"
LICENCE = "Certificat TLS wildcard"
#: The association's notice for a price or deadline change (records' default).
NOTICE_DAYS = 30
#: The change takes effect this many days after it was announced: short notice.
SHORT_NOTICE = 10
#: Licences are reminded to the client this many days before their renewal.
REMINDER_DAYS = 30


@pytest.fixture()
def base_url_is_live(app, live_server):
    """Links in e-mails queued outside a request point at the live server."""
    previous = app.config["BASE_URL"]
    app.config["BASE_URL"] = live_server
    yield
    app.config["BASE_URL"] = previous


def renewal_next_month(today: date) -> date:
    """A renewal date early next month, within the reminder's 30 days (the 31st
    of this month when today is the 1st of a 31-day month)."""
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month + timedelta(
        days=min(4, REMINDER_DAYS - (next_month - today).days)
    )


def test_the_renewal_is_early_next_month_and_within_the_reminder() -> None:
    for today, expected in [
        (date(2026, 12, 6), date(2027, 1, 5)),
        (date(2026, 12, 31), date(2027, 1, 5)),
        (date(2026, 2, 1), date(2026, 3, 3)),
        (date(2027, 1, 1), date(2027, 1, 31)),
    ]:
        renews_on = renewal_next_month(today)
        assert renews_on == expected
        assert 0 < (renews_on - today).days <= REMINDER_DAYS


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").wait_for()


def _form(page, summary: str):
    """The records form folded under ``summary``, opened."""
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    return details


def _run_job(app, job_id: str) -> None:
    """One scheduler job, run as ``flask scheduler run`` runs it."""
    [spec] = [spec for spec in registered_jobs(app) if spec.id == job_id]
    db.session.commit()  # the test's own transaction ends, as in another process
    run_job(app, spec, datetime.now(UTC))
    db.session.rollback()


def _member_records_a_short_notice_change_and_a_licence(page, today) -> None:
    page.get_by_role("link", name="Projets", exact=True).click()
    page.get_by_role("link", name=PROJECT).click()
    page.get_by_role("link", name="Tenir les engagements").click()
    page.get_by_role("heading", name="Engagements de la charte", level=1).wait_for()

    budget = _form(page, "Enregistrer le budget et le délai")
    budget.get_by_label("Coûts de mise en place (€ HT)").fill("1200")
    budget.get_by_label("Coûts récurrents (€ HT)").fill("40")
    budget.get_by_label("Délai : livraison prévue le").fill(
        (today + timedelta(days=90)).isoformat()
    )
    budget.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Budget et délai enregistrés.").wait_for()

    change = _form(page, "Enregistrer un changement")
    change.get_by_label("Changement de").select_option(label="Prix")
    change.get_by_label("Ce qui change").fill(CHANGE)
    change.get_by_label("Annoncé au client le").fill(today.isoformat())
    change.get_by_label("Prend effet le").fill(
        (today + timedelta(days=SHORT_NOTICE)).isoformat()
    )
    change.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Changement enregistré.").wait_for()

    licence = _form(page, "Ajouter une licence")
    licence.get_by_label("Licence", exact=True).fill(LICENCE)
    licence.get_by_label("À renouveler le").fill(renewal_next_month(today).isoformat())
    licence.get_by_label("Payée par").select_option(label="Le client")
    licence.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Licence enregistrée.").wait_for()

    # The member's page flags both.
    short = page.get_by_test_id("flag-short-notice")
    assert f"préavis de {SHORT_NOTICE} jours (moins de {NOTICE_DAYS})" in (
        short.inner_text()
    )
    assert LICENCE in page.get_by_test_id("flag-licence").inner_text()


def _client_signs_in_to_the_portal(page, mailbox: Mailbox) -> None:
    """A magic link on request, e-mailed through the outbox, opened."""
    limiter.reset()  # other tests of the session posted to the same endpoint
    page.goto("/portal")
    page.get_by_label("Adresse e-mail").fill(CONTACT)
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    page.get_by_text("un lien de connexion vient de lui être envoyé").wait_for()
    # The link is queued once the server has closed its answer (after the
    # redirect): deliver until it has gone out, on a loaded machine too.
    deadline = time.monotonic() + 20
    while not mailbox.to(CONTACT) and time.monotonic() < deadline:
        db.session.rollback()
        deliver_due(datetime.now(UTC))
        db.session.rollback()
        time.sleep(0.1)
    [message] = mailbox.to(CONTACT)
    link = re.search(r"https?://\S+/portal/link/\S+", Mailbox.text_of(message))
    assert link is not None
    page.goto(link.group(0))
    assert page.url.endswith("/portal/projects")


def _client_sees_both_in_the_portal(page) -> None:
    page.get_by_test_id("portal-projects").get_by_role("link", name=PROJECT).click()
    page.get_by_role("heading", name=PROJECT, level=1).wait_for()
    records = page.get_by_test_id("records-portal")
    change = records.get_by_test_id("record-change")
    assert CHANGE in change.inner_text()
    assert "préavis court" in change.inner_text()
    assert LICENCE in records.get_by_test_id("record-licence").inner_text()
    assert "Le client" in records.get_by_test_id("record-licence").inner_text()
    flags = records.get_by_test_id("records-flags").inner_text()
    assert CHANGE in flags and LICENCE in flags


def _the_reminder_job_emails_the_client_once(app, mailbox: Mailbox, today) -> None:
    mailbox.clear()
    _run_job(app, "records.licence_reminders")
    _run_job(app, "core.deliver_outbox")
    [reminder] = mailbox.to(CONTACT)
    assert LICENCE in reminder["Subject"]
    body = Mailbox.text_of(reminder)
    assert f"la licence « {LICENCE} » est à renouveler" in body
    assert PROJECT in body and MEMBER in body
    assert "Payée par : Le client." in body
    # Once per renewal date, however often the job runs.
    _run_job(app, "records.licence_reminders")
    _run_job(app, "core.deliver_outbox")
    assert len(mailbox.to(CONTACT)) == 1
    [claimed] = db.session.scalars(select(LicenceReminder)).all()
    assert claimed.renews_on == renewal_next_month(today)


def board_sees_the_short_notice_flag_in_the_compliance_table(page) -> None:
    """The board's step: in the compliance table (as the rollup job stored it),
    the member's *Maîtrise des coûts et des délais* light is amber — its project
    has its budget and deadline, so the short-notice change alone makes it so."""
    page.get_by_role("link", name="Revue qualité").click()
    table = page.get_by_test_id("compliance")
    row = table.locator("tbody tr", has=page.get_by_role("link", name=MEMBER))
    row.wait_for()
    # One active project, its indicators not agreed with the client yet.
    assert "0/1" in row.locator("td").nth(0).inner_text()
    costs = row.locator("li[data-commitment=costs_deadlines]")
    assert costs.get_attribute("data-light") == "amber"
    assert "Maîtrise des coûts et des délais" in costs.inner_text()


def board_reads_both_facts_in_the_evidence_pack(page, today: date) -> None:
    """From the compliance table to the member's pack of the year: the PDF in
    the ZIP names the short notice and the licence to renew."""
    page.get_by_role("link", name=f"dossier — {MEMBER}").click()
    page.get_by_role("heading", name=f"Dossier de preuves · {MEMBER}").wait_for()
    page.get_by_label("Année").select_option(str(today.year))
    with page.expect_download() as event:
        page.get_by_role("button", name="Télécharger le dossier (ZIP)").click()
    name = f"dossier-preuves-durance-numerique-{today.year}"
    assert event.value.suggested_filename == f"{name}.zip"
    with zipfile.ZipFile(event.value.path()) as archive:
        reader = PdfReader(io.BytesIO(archive.read(f"{name}.pdf")))
    # NFKC: the PDF's ligatures ("ﬁ") read back as the letters typed.
    text = unicodedata.normalize(
        "NFKC", " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    )
    assert f"Préavis court : {SHORT_NOTICE} jours pour {NOTICE_DAYS} demandés" in text
    assert CHANGE in text
    assert re.search(rf"{LICENCE}, renouvelée le .+?, payée par le client", text)
    assert "Claire Monges" not in text and CONTACT not in text


def test_a_short_notice_change_and_a_licence_reach_the_client_and_the_board(
    app,
    page,
    live_server,
    base_url_is_live,
    mailbox,
    make_staff,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
) -> None:
    today = local_today()
    board = make_staff(Role.BOARD, email="ca@asso.example")
    member = make_member(MEMBER, town="Sisteron")
    admin = make_member_user(member, email="direction@durance-numerique.example")
    client = make_client(member, name="Fromagerie des Monges")
    make_contact(client, name="Claire Monges", email=CONTACT)
    make_project(member, client=client, title=PROJECT)
    db.session.commit()

    # 1. The member records the budget, the change and the licence on its project.
    _sign_in(page, admin.email)
    _member_records_a_short_notice_change_and_a_licence(page, today)
    _sign_out(page)

    # 2. The client signs in to its portal and sees both, flagged.
    _client_signs_in_to_the_portal(page, mailbox)
    _client_sees_both_in_the_portal(page)

    # 3. The scheduler's licence reminder reaches the client, once.
    _the_reminder_job_emails_the_client_once(app, mailbox, today)

    # 4. The board sees the flag in the compliance table, as the rollup job
    # stored it (the job that computes the table's lights).
    _run_job(app, "dashboards.rollups")
    page.context.clear_cookies()
    _sign_in(page, board.email)
    board_sees_the_short_notice_flag_in_the_compliance_table(page)

    # 5. The board downloads the member's evidence pack and reads both facts.
    board_reads_both_facts_in_the_evidence_pack(page, today)
