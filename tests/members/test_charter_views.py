"""The charter's pages as people use them: the secretariat drafts, rewords and
publishes a version; the board reads who signed what; a member sees the banner,
what changed, and signs; anyone reads the charter in force."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from core.extensions import db
from core.security import Role
from members import services
from members.markdown import render_markdown


@pytest.fixture()
def charter(app):
    return services.seed_first_version()


@pytest.fixture()
def secretary(make_staff):
    return make_staff(Role.SECRETARIAT)


def _form_of(version) -> dict[str, str]:
    data = {"title": version.title, "body": version.body}
    for i, c in enumerate(version.commitments):
        data |= {
            f"commitments-{i}-code": c.code,
            f"commitments-{i}-title": c.title,
            f"commitments-{i}-text": c.text,
            f"commitments-{i}-evidence": c.evidence,
        }
    return data


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_secretariat_drafts_rewords_and_publishes_a_version(
    client, auth, charter, secretary
) -> None:
    auth.login(secretary)
    response = client.post("/admin/charter/drafts", data={"number": "2.2"})
    assert response.status_code == 302
    draft = services.draft_version()
    assert response.headers["Location"].endswith(f"/admin/charter/{draft.id}/edit")

    form = _form_of(draft)
    form["commitments-3-evidence"] = "Budget et délai ; changements de prix datés."
    response = client.post(f"/admin/charter/{draft.id}/edit", data=form)
    assert response.status_code == 302
    page = client.get(f"/admin/charter/{draft.id}").get_data(as_text=True)
    assert "1 engagement reformulé." in _text(page)
    assert "Budget et délai ; changements de prix datés." in page

    confirm = client.post(f"/admin/charter/{draft.id}/publish")
    assert confirm.status_code == 200
    assert "Engagements reformulés : Maîtrise des coûts et des délais" in _text(
        confirm.get_data(as_text=True)
    )
    assert services.current_version().number == "2.1"  # not before the confirmation
    done = client.post(f"/admin/charter/{draft.id}/publish", data={"confirmed": "1"})
    assert done.status_code == 302
    assert services.current_version().number == "2.2"

    # Published: read-only.
    edit = client.get(f"/admin/charter/{draft.id}/edit")
    assert edit.status_code == 302
    table = re.search(
        r'data-testid="charter-versions">(.*?)</table>',
        client.get("/admin/charter").get_data(as_text=True),
        re.S,
    )
    rows = [_text(row).strip() for row in re.findall(r"<tr>(.*?)</tr>", table[1], re.S)]
    assert rows[1].startswith("2.2") and "en vigueur depuis le" in rows[1]
    assert rows[2].startswith("2.1") and "publiée le 10/05/2023" in rows[2]


def test_bad_input_on_the_charter_forms_is_refused_with_a_400_and_a_message(
    client, auth, charter, secretary
) -> None:
    auth.login(secretary)
    response = client.post("/admin/charter/drafts", data={"number": "2.0"})
    assert response.status_code == 400
    assert "doit suivre la version 2.1" in unescape(response.get_data(as_text=True))
    response = client.post("/admin/charter/drafts", data={"number": "v2"})
    assert response.status_code == 400
    assert services.draft_version() is None

    draft = services.create_draft(secretary, number="2.2")
    form = _form_of(draft)
    form["commitments-5-text"] = ""
    form["commitments-12-code"] = "unknown"
    response = client.post(f"/admin/charter/{draft.id}/edit", data=form)
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in response.get_data(as_text=True)
    form["commitments-5-text"] = "Une clause."
    response = client.post(f"/admin/charter/{draft.id}/edit", data=form)
    assert response.status_code == 400
    assert "Chaque engagement de la charte doit être présent" in unescape(
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert services.get_version(draft.id).commitments[5].text != "Une clause."
    assert client.get("/admin/charter/999999").status_code == 404


def test_english_users_get_the_refusals_in_english(
    client, auth, charter, make_staff
) -> None:
    auth.login(make_staff(Role.SECRETARIAT, locale="en"))
    response = client.post("/admin/charter/drafts", data={"number": "2.1"})
    assert response.status_code == 400
    assert "Version 2.1 already exists." in response.get_data(as_text=True)


def test_a_member_on_an_older_version_sees_the_banner_what_changed_and_signs(
    client, auth, charter, secretary, make_member, make_member_user
) -> None:
    member = make_member("Agence Durance", signed=False)
    services.record_signature(
        secretary, member, charter_version="2.1", signed_on=date(2024, 2, 1)
    )
    draft = services.create_draft(secretary, number="2.2")
    form = {
        c.code: services.Wording(title=c.title, text=c.text, evidence=c.evidence)
        for c in draft.commitments
    }
    form["watch"] = services.Wording(
        title="Veille", text="Une veille documentée.", evidence="Sources de veille."
    )
    services.update_draft(
        secretary, draft, title=draft.title, body=draft.body, wordings=form
    )
    services.publish_version(secretary, draft)
    user = make_member_user(member, Role.MEMBER_USER)
    admin = make_member_user(member, Role.MEMBER_ADMIN)

    auth.login(user)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "La charte 2.2 a été publiée : relisez-la et signez-la." in unescape(
        dashboard
    )
    page = client.get("/space/charter").get_data(as_text=True)
    changed = re.search(r'data-testid="changed">(.*?)</ul>', page, re.S)
    assert changed and _text(changed.group(1)).strip() == "Veille"
    assert "Signer la version 2.2" not in page  # a user asks an administrator
    assert client.post("/space/charter/sign", data={"accept": "y"}).status_code == 403
    auth.logout()

    auth.login(admin)
    refused = client.post("/space/charter/sign", data={})
    assert refused.status_code == 400
    assert "Cochez la case pour signer." in unescape(refused.get_data(as_text=True))
    assert client.post("/space/charter/sign", data={"accept": "y"}).status_code == 302
    db.session.expire_all()
    member = services.get_member(member.id)
    assert member.charter_version == "2.2"
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "relisez-la et signez-la" not in dashboard


def test_the_board_sees_which_version_each_member_signed(
    client, auth, charter, secretary, make_member, make_staff
) -> None:
    on_old = make_member("Agence Ancienne", signed=False)
    services.record_signature(
        secretary, on_old, charter_version="2.1", signed_on=date(2024, 2, 1)
    )
    services.publish_version(secretary, services.create_draft(secretary, number="2.2"))
    on_new = make_member("Agence Nouvelle", signed=False)
    services.record_signature(
        secretary,
        on_new,
        charter_version="2.2",
        signed_on=services.current_version().published_on,
    )
    auth.login(make_staff(Role.BOARD))
    rows = {
        name: _text(cell)
        for name, cell in re.findall(
            r'>(Agence \w+)</a></td>.*?data-testid="signed-version">(.*?)</td>',
            client.get("/admin/members").get_data(as_text=True),
            re.S,
        )
    }
    assert rows["Agence Ancienne"].startswith("2.1")
    assert "à re-signer (2.2)" in rows["Agence Ancienne"]
    assert rows["Agence Nouvelle"].startswith("2.2")
    assert "re-signer" not in rows["Agence Nouvelle"]


def test_anyone_reads_the_charter_in_force_and_older_published_versions(
    client, charter, secretary
) -> None:
    page = client.get("/charter")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h3>Préambule</h3>" in html
    assert "Version 2.1, publiée le 10 mai 2023." in _text(html)
    draft = services.create_draft(secretary, number="2.2")
    assert client.get("/charter/2.2").status_code == 404  # a draft is not public
    services.publish_version(secretary, draft)
    old = client.get("/charter/2.1").get_data(as_text=True)
    assert "Cette version n'est plus en vigueur." in unescape(old)
    assert client.get("/charter/9.9").status_code == 404


def test_no_charter_stored_means_no_public_page(client) -> None:
    assert client.get("/charter").status_code == 404


def test_the_charter_text_is_rendered_safely() -> None:
    html = str(
        render_markdown(
            "# Titre\n\n**Gras** <script>alert(1)</script> "
            "[site](https://digitalpesdusud.fr) [x](javascript:alert(1))\n\n"
            "- un\n- deux\n\n1. premier\n\nIdentification :\tCharte"
        )
    )
    assert "<h2>Titre</h2>" in html
    assert "<strong>Gras</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://digitalpesdusud.fr">site</a>' in html
    assert 'href="javascript' not in html
    assert "<ul><li>un</li><li>deux</li></ul>" in html
    assert "<ol><li>premier</li></ol>" in html
    assert "<p>Identification : Charte</p>" in html
