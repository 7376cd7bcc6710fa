"""View tests: the public form and the private page, and each party acting on a
case through its pages (refusals are a clear message and a 4xx)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.mail import deliver_due
from core.security import Role as UserRole
from mediation.models import Attachment, Complaint, ComplaintEvent
from mediation.workflow import Status
from members import services as members_services
from members.models import MarkStatus
from tests.conftest import TEST_PASSWORD
from tests.mediation.conftest import PDF, PNG


def _login(client, user) -> None:
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def _form(member_id: int, **overrides) -> dict:
    data = {
        "name": "Anne Roux",
        "company": "Boulangerie Roux",
        "email": "anne@roux.example",
        "locale": "fr",
        "member_id": str(member_id),
        "project_label": "Site vitrine",
        "facts": "Le site devait être livré en janvier, rien depuis.",
        "expectations": "Une date ferme.",
    }
    data.update(overrides)
    return data


def _link(mailbox, address: str, path: str) -> str:
    deliver_due(datetime.now(UTC) + timedelta(minutes=1))
    for message in reversed(mailbox.to(address)):
        found = re.search(rf"http://\S+({path}\S+)", mailbox.text_of(message))
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link sent to {address}")


def test_the_public_form_files_then_the_e_mailed_link_registers(
    client, make_member, mailbox
) -> None:
    member = make_member(name="Pixel Durance")
    page = client.get("/complaints/new")
    assert page.status_code == 200
    assert "Pixel Durance" in page.get_data(as_text=True)

    response = client.post(
        "/complaints/new",
        data={
            **_form(member.id),
            "attachments": [(io.BytesIO(PDF), "devis.pdf", "application/pdf")],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/complaints/sent"
    assert "anne@roux.example" in client.get("/complaints/sent").get_data(as_text=True)
    verify = _link(mailbox, "anne@roux.example", "/complaints/verify/")
    registered = client.get(verify)
    assert registered.status_code == 302
    case_url = registered.headers["Location"]
    page = client.get(case_url).get_data(as_text=True)
    assert "R-20" in page
    assert "devis.pdf" in page
    follow = _link(mailbox, "anne@roux.example", "/complaints/follow/")
    stranger = client.application.test_client()
    assert stranger.get(case_url).status_code == 404
    assert stranger.get(follow).headers["Location"] == case_url
    # The verification link does not open the case a second time.
    again = client.application.test_client().get(verify)
    assert again.headers["Location"] == "/complaints/lost-link"


def test_a_file_whose_content_does_not_match_is_refused_next_to_the_field(
    client, make_member, mailbox
) -> None:
    member = make_member()

    response = client.post(
        "/complaints/new",
        data={
            **_form(member.id),
            "attachments": [(io.BytesIO(PNG), "facture.pdf", "application/pdf")],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "ne correspond pas à son type déclaré" in body
    assert 'id="attachments-error"' in body
    assert db.session.scalar(select(func.count(Complaint.id))) == 0
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_an_incomplete_form_says_what_is_missing(client, make_member) -> None:
    member = make_member()

    response = client.post(
        "/complaints/new", data=_form(member.id, facts="", email="x")
    )

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="facts-error"' in body
    assert 'id="email-error"' in body


def test_filing_is_rate_limited(client, make_member) -> None:
    member = make_member()
    statuses = [
        client.post("/complaints/new", data=_form(member.id, facts="")).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_the_public_pages_speak_english_when_asked(client) -> None:
    client.post("/language", data={"locale": "en"})
    body = client.get("/complaints/new").get_data(as_text=True)
    assert "File a complaint against a member" in body
    assert "What happened" in body


def test_an_unknown_verification_link_gets_a_clear_page(client) -> None:
    response = client.get("/complaints/verify/nothing-here")
    assert response.status_code == 404
    assert "Ce lien de confirmation n&#39;est pas valable." in response.get_data(
        as_text=True
    )


def test_a_lost_link_is_replaced_and_the_old_one_stops_working(
    client, make_case, mailbox
) -> None:
    case = make_case("submitted", email="perdu@plaignant.example")

    response = client.post(
        "/complaints/lost-link",
        data={
            "reference": case.complaint.reference.lower(),
            "email": "PERDU@plaignant.example",
        },
    )
    wrong = client.post(
        "/complaints/lost-link",
        data={"reference": case.complaint.reference, "email": "autre@x.example"},
    )

    assert response.status_code == wrong.status_code == 302
    new = _link(mailbox, "perdu@plaignant.example", "/complaints/follow/")
    assert new != f"/complaints/follow/{case.token}"
    fresh = client.application.test_client()
    assert fresh.get(f"/complaints/follow/{case.token}").status_code == 404
    assert fresh.get(new).status_code == 302
    assert mailbox.to("autre@x.example") == []


def test_the_secretariat_rules_the_member_answers_the_commission_decides(
    client, app, make_case, make_member, make_member_user, make_staff, mailbox
) -> None:
    member = make_member(name="Ubaye Web", website="https://ubaye-web.example")
    admin = make_member_user(member)
    insider = make_staff(UserRole.BOARD, email="ca@ubaye-web.example", full_name="Ina")
    judge = make_staff(UserRole.BOARD, full_name="Juge Juste")
    case = make_case("submitted", member=member)
    cid = case.id
    secretariat = app.test_client()
    _login(secretariat, case.secretary)

    queue = secretariat.get("/mediation/").get_data(as_text=True)
    assert case.complaint.reference in queue and "nouvelle" in queue
    # Inadmissible needs a reason: refused next to the field, nothing written.
    refused = secretariat.post(
        f"/mediation/{cid}/admissibility", data={"adm-outcome": "inadmissible"}
    )
    assert refused.status_code == 409
    assert "Indiquez pourquoi la plainte est irrecevable." in refused.get_data(
        as_text=True
    )
    ok = secretariat.post(
        f"/mediation/{cid}/admissibility",
        data={"adm-outcome": "admissible", "adm-reply_days": "10"},
    )
    assert ok.status_code == 302

    member_client = app.test_client()
    _login(member_client, admin)
    # The member may not rule on anything: a clear message, a 409.
    decision = member_client.post(
        f"/mediation/{cid}/decision",
        data={"dec-decision": "exclusion", "dec-reasons": "…"},
    )
    assert decision.status_code == 409
    assert (
        "« Rendre la décision de la commission » n&#39;est pas possible"
        in decision.get_data(as_text=True)
    )
    answered = member_client.post(
        f"/mediation/{cid}/arguments",
        data={
            "arg-text": "Le client n'a jamais fourni ses textes.",
            "arg-attachments": [(io.BytesIO(PDF), "relances.pdf", "application/pdf")],
        },
        content_type="multipart/form-data",
    )
    assert answered.status_code == 302

    note = secretariat.post(
        f"/mediation/{cid}/entries",
        data={
            "entry-kind": "note",
            "entry-visibility": "parties",
            "entry-text": "Position de l'adhérent fragile.",
        },
    )
    assert note.status_code == 302
    assert "Position de l&#39;adhérent fragile." not in member_client.get(
        f"/mediation/{cid}"
    ).get_data(as_text=True)

    conflicted = secretariat.post(
        f"/mediation/{cid}/commission",
        data={"refer-seats": [str(insider.id), str(judge.id)]},
    )
    assert conflicted.status_code == 400
    assert "Ina ne peut pas siéger pour cette plainte" in conflicted.get_data(
        as_text=True
    )
    referred = secretariat.post(
        f"/mediation/{cid}/commission", data={"refer-seats": [str(judge.id)]}
    )
    assert referred.status_code == 302

    board = app.test_client()
    _login(board, judge)
    decided = board.post(
        f"/mediation/{cid}/decision",
        data={"dec-decision": "exclusion", "dec-reasons": "Manquements graves."},
    )
    assert decided.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, cid).status is Status.DECIDED
    assert member.mark_status is MarkStatus.WITHDRAWN
    assert "Ubaye Web" not in client.get("/registry").get_data(as_text=True)
    badge = client.get(f"/registry/{member.id}/badge.svg").get_data(as_text=True)
    assert "Marque retirée" in badge
    # A closed case takes nothing more.
    late = secretariat.post(
        f"/mediation/{cid}/entries",
        data={"entry-kind": "note", "entry-visibility": "internal", "entry-text": "x"},
    )
    assert late.status_code == 409
    assert "Ce dossier est clos" in late.get_data(as_text=True)
    events = db.session.scalar(
        select(func.count(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == cid)
    )
    assert events == 7  # filed, admissible, arguments, note, referred, seated, decision


def test_the_complainant_writes_and_withdraws_from_the_private_page(
    client, make_case, make_member_user, mailbox
) -> None:
    case = make_case("in_mediation")
    user = make_member_user(case.member, locale="en")
    client.get(f"/complaints/follow/{case.token}")

    sent = client.post(
        f"/complaints/{case.id}/messages",
        data={"msg-text": "Toujours rien reçu."},
    )
    withdrawn = client.post(f"/complaints/{case.id}/withdraw", data={"step-text": ""})
    again = client.post(
        f"/complaints/{case.id}/messages", data={"msg-text": "Encore ?"}
    )

    assert sent.status_code == withdrawn.status_code == 302
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.get(Complaint, case.id).status is Status.WITHDRAWN
    deliver_due(datetime.now(UTC) + timedelta(minutes=1))
    subjects = [m["Subject"] for m in mailbox.to(user.email)]
    assert f"[{case.complaint.reference}] Message" in subjects
    assert f"[{case.complaint.reference}] Complaint withdrawn" in subjects


def test_the_project_page_lists_its_admissible_complaints(
    client, make_member, make_member_user, make_project
) -> None:
    from mediation import services as mediation_services
    from mediation.services import Actor
    from mediation.workflow import Action, Role
    from tests.mediation.conftest import NOW, _token_of

    member = make_member()
    admin = make_member_user(member)
    project = make_project(member, title="Boutique en ligne")
    complaint = mediation_services.file_complaint(
        name="A",
        company="B",
        email="a@b.example",
        locale="fr",
        member_id=member.id,
        project_id=project.id,
        project_label="",
        facts="x" * 30,
        expectations="y",
        now=NOW,
    )
    mediation_services.verify_complaint(_token_of(complaint), now=NOW)
    _login(client, admin)
    assert "Plaintes sur ce projet" not in client.get(
        f"/space/projects/{project.id}"
    ).get_data(as_text=True)

    secretary = members_services.create_user(
        email="s@asso.example", role=UserRole.SECRETARIAT, password=TEST_PASSWORD
    )
    mediation_services.perform(
        complaint,
        Action.DECLARE_ADMISSIBLE,
        actor=Actor.of_user(secretary, Role.SECRETARIAT),
        now=NOW,
    )

    page = client.get(f"/space/projects/{project.id}").get_data(as_text=True)
    assert "Plaintes sur ce projet" in page
    assert complaint.reference in page
