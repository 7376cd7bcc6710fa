"""The "Compétences, formations et veille" page as each role sees it, its bad
input in both languages, and the public verification page that shows it or not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.dates import local_today
from core.extensions import db
from core.security import Role
from members.models import Skill, Training, WatchSource
from members.services import expertise


@pytest.fixture()
def member(make_member):
    return make_member("Pixel Durance")


@pytest.fixture()
def admin(make_member_user, member):
    return make_member_user(member, Role.MEMBER_ADMIN)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id))) or 0


def test_an_admin_adds_a_skill_a_training_and_a_watch_source(
    client, auth, admin
) -> None:
    auth.login(admin)
    added = client.post(
        "/space/expertise/skills", data={"skills-name": "WordPress", "skills-people": 3}
    )
    assert added.status_code == 302
    assert added.headers["Location"].endswith("/space/expertise#expertise-skills")
    last_month = local_today() - timedelta(days=30)
    assert (
        client.post(
            "/space/expertise/trainings",
            data={
                "trainings-course": "Accessibilité RGAA 4.1",
                "trainings-provider": "Access42",
                "trainings-completed_on": last_month.isoformat(),
                "trainings-attendees": 2,
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/space/expertise/sources",
            data={
                "sources-name": "CERT-FR",
                "sources-url": "https://www.cert.ssi.gouv.fr/",
                "sources-topic": "Sécurité",
            },
        ).status_code
        == 302
    )
    page = client.get("/space/expertise").get_data(as_text=True)
    assert "WordPress" in page and "Accessibilité RGAA 4.1" in page
    assert 'href="https://www.cert.ssi.gouv.fr/"' in page
    assert "Modifier" in page and "Ajouter une compétence" in page


def test_a_member_user_reads_the_page_but_cannot_change_it(
    client, auth, admin, member, make_member_user
) -> None:
    skill = expertise.add_skill(admin, member, name="WordPress", people=3)
    auth.login(make_member_user(member, Role.MEMBER_USER))
    page = client.get("/space/expertise")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "WordPress" in text
    assert "Ajouter une compétence" not in text and "Modifier" not in text
    assert "Seuls les administrateurs" in text
    refused = [
        client.post(
            "/space/expertise/skills", data={"skills-name": "SEO", "skills-people": 1}
        ),
        client.post("/space/expertise/visibility", data={"shown": "y"}),
        client.get(f"/space/expertise/skills/{skill.id}/edit"),
        client.post(f"/space/expertise/skills/{skill.id}/delete"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert _count(Skill) == 1


def test_another_members_entry_is_not_found(
    client, auth, admin, member, make_member, make_member_user
) -> None:
    skill = expertise.add_skill(admin, member, name="WordPress", people=3)
    auth.login(make_member_user(make_member("Ubaye Hébergement")))
    edit = client.post(
        f"/space/expertise/skills/{skill.id}/edit",
        data={"skills-name": "Piraté", "skills-people": 1},
    )
    assert edit.status_code == 404 and "WordPress" not in edit.get_data(as_text=True)
    assert client.post(f"/space/expertise/skills/{skill.id}/delete").status_code == 404
    assert client.get(f"/space/expertise/trainings/{skill.id}/edit").status_code == 404
    assert client.post("/space/expertise/unknown").status_code == 404
    db.session.refresh(skill)
    assert skill.name == "WordPress"


def test_an_admin_corrects_then_removes_an_entry(client, auth, admin, member) -> None:
    source = expertise.add_watch_source(admin, member, name="LWN", url=None, topic=None)
    auth.login(admin)
    form = client.get(f"/space/expertise/sources/{source.id}/edit")
    assert form.status_code == 200 and 'value="LWN"' in form.get_data(as_text=True)
    saved = client.post(
        f"/space/expertise/sources/{source.id}/edit",
        data={"sources-name": "LWN.net", "sources-url": "https://lwn.net"},
    )
    assert saved.status_code == 302
    db.session.refresh(source)
    assert (source.name, source.url) == ("LWN.net", "https://lwn.net")
    assert (
        client.post(f"/space/expertise/sources/{source.id}/delete").status_code == 302
    )
    assert _count(WatchSource) == 0


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "Adresse web invalide : elle doit commencer par https:// ou http://."),
        ("en", "Invalid web address: it must start with https:// or http://."),
    ],
)
def test_a_bad_address_is_refused_in_the_users_language(
    client, auth, member, make_member_user, locale, expected
) -> None:
    auth.login(make_member_user(member, locale=locale))
    response = client.post(
        "/space/expertise/sources",
        data={"sources-name": "Piège", "sources-url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert expected.replace("'", "&#39;") in text
    # The form stays open with what was typed.
    assert 'value="Piège"' in text
    assert _count(WatchSource) == 0


@pytest.mark.parametrize(
    ("locale", "people", "expected"),
    [
        ("fr", "0", "Un nombre de personnes de 1 à 9999."),
        ("en", "0", "A number of people from 1 to 9999."),
        ("fr", "", "Saisissez un nombre de personnes."),
        ("en", "", "Enter a number of people."),
    ],
)
def test_a_skill_without_people_is_refused_in_the_users_language(
    client, auth, member, make_member_user, locale, people, expected
) -> None:
    auth.login(make_member_user(member, locale=locale))
    response = client.post(
        "/space/expertise/skills",
        data={"skills-name": "WordPress", "skills-people": people},
    )
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert _count(Skill) == 0


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "La date ne peut pas être dans le futur."),
        ("en", "The date cannot be in the future."),
    ],
)
def test_a_training_in_the_future_is_refused_in_the_users_language(
    client, auth, member, make_member_user, locale, expected
) -> None:
    auth.login(make_member_user(member, locale=locale))
    response = client.post(
        "/space/expertise/trainings",
        data={
            "trainings-course": "RGAA",
            "trainings-completed_on": (local_today() + timedelta(days=3)).isoformat(),
            "trainings-attendees": "1",
        },
    )
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert _count(Training) == 0


def test_a_duplicate_skill_is_refused_on_the_edit_page_too(
    client, auth, admin, member
) -> None:
    expertise.add_skill(admin, member, name="WordPress", people=3)
    seo = expertise.add_skill(admin, member, name="SEO", people=1)
    auth.login(admin)
    response = client.post(
        f"/space/expertise/skills/{seo.id}/edit",
        data={"skills-name": "wordpress", "skills-people": "2"},
    )
    assert response.status_code == 400
    assert "Cette compétence figure déjà dans la liste." in response.get_data(
        as_text=True
    )
    db.session.refresh(seo)
    assert (seo.name, seo.people) == ("SEO", 1)


def _with_expertise(admin, member) -> None:
    expertise.add_skill(admin, member, name="Administration Linux", people=3)
    expertise.add_training(
        admin,
        member,
        course="SecNumacadémie",
        provider="ANSSI",
        completed_on=local_today() - timedelta(days=60),
        attendees=2,
    )
    expertise.add_training(
        admin,
        member,
        course="Formation de 2019",
        provider=None,
        completed_on=date(2019, 5, 1),
        attendees=1,
    )
    expertise.add_watch_source(
        admin, member, name="CERT-FR", url="https://www.cert.ssi.gouv.fr/", topic=None
    )


def test_the_public_page_shows_the_expertise_only_when_the_member_chooses(
    client, auth, admin, member
) -> None:
    _with_expertise(admin, member)
    hidden = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert "Administration Linux" not in hidden
    assert 'data-testid="public-expertise"' not in hidden

    auth.login(admin)
    chosen = client.post("/space/expertise/visibility", data={"shown": "y"})
    assert chosen.status_code == 302
    auth.logout()

    shown = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert 'data-testid="public-expertise"' in shown
    assert "Administration Linux — 3 personnes" in shown
    assert "SecNumacadémie (ANSSI)" in shown and "2 personnes formées" in shown
    assert "Formation de 2019" not in shown  # older than 24 months
    assert '<a href="https://www.cert.ssi.gouv.fr/" rel="noopener nofollow">' in shown

    auth.login(admin)
    client.post("/space/expertise/visibility", data={})
    auth.logout()
    again = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert "Administration Linux" not in again


def test_the_public_page_speaks_english_too(client, admin, member) -> None:
    _with_expertise(admin, member)
    expertise.set_expertise_visibility(admin, member, shown=True)
    client.post("/language", data={"locale": "en", "next": f"/registry/{member.id}"})
    page = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert "Resources and expertise" in page
    assert "Administration Linux — 3 people" in page
    assert "2 people trained" in page and "Trainings of the last 24 months" in page


def test_a_member_that_chose_to_show_nothing_recorded_shows_no_section(
    client, admin, member
) -> None:
    expertise.set_expertise_visibility(admin, member, shown=True)
    page = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert 'data-testid="public-expertise"' not in page
