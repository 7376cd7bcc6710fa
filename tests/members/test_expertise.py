"""Ressources et expertise / Veille, the use cases: a member's skills, trainings
and watch sources, their checks, their audit entries and what the public page
may show."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import AuditLog
from members.errors import MembersError
from members.models import Skill, Training, WatchSource
from members.services import expertise

TODAY = date(2026, 12, 6)


@pytest.fixture()
def member(make_member):
    return make_member("Pixel Durance")


@pytest.fixture()
def admin(make_member_user, member):
    return make_member_user(member)


def _actions() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.action.like("member.%"))
            .where(AuditLog.action.not_like("member.onboard"))
            .where(AuditLog.action.not_like("member.sign"))
            .order_by(AuditLog.id)
        )
    )


def _training(admin, member, **changes):
    values = {
        "course": "Accessibilité RGAA 4.1",
        "provider": "Access42",
        "completed_on": date(2026, 3, 12),
        "attendees": 2,
        "today": TODAY,
        **changes,
    }
    return expertise.add_training(admin, member, **values)


def test_a_member_keeps_its_skills_trainings_and_watch_sources(admin, member) -> None:
    expertise.add_skill(admin, member, name="  WordPress ", people=3)
    expertise.add_skill(admin, member, name="SEO technique", people=1)
    _training(admin, member)
    _training(
        admin,
        member,
        course="Google Ads",
        provider="",
        attendees=1,
        completed_on=date(2026, 9, 1),
    )
    expertise.add_watch_source(
        admin, member, name="CERT-FR", url="https://www.cert.ssi.gouv.fr/", topic=""
    )

    kept = expertise.expertise_of(member.id)
    assert [(s.name, s.people) for s in kept.skills] == [
        ("SEO technique", 1),
        ("WordPress", 3),
    ]
    # Latest first; an empty provider is no provider.
    assert [(t.course, t.provider) for t in kept.trainings] == [
        ("Google Ads", None),
        ("Accessibilité RGAA 4.1", "Access42"),
    ]
    [source] = kept.sources
    assert (source.url, source.topic) == ("https://www.cert.ssi.gouv.fr/", None)
    assert _actions() == [
        "member.skill.add",
        "member.skill.add",
        "member.training.add",
        "member.training.add",
        "member.watch_source.add",
    ]


def test_correcting_and_removing_are_audited(admin, member) -> None:
    skill = expertise.add_skill(admin, member, name="WordPress", people=3)
    training = _training(admin, member)
    source = expertise.add_watch_source(admin, member, name="LWN", url=None, topic=None)

    expertise.update_skill(admin, skill, name="WordPress avancé", people=2)
    expertise.update_training(
        admin,
        training,
        course="RGAA",
        provider=None,
        completed_on=date(2026, 4, 1),
        attendees=3,
        today=TODAY,
    )
    expertise.update_watch_source(
        admin, source, name="LWN.net", url="https://lwn.net", topic="Linux"
    )
    expertise.remove_entry(admin, skill)

    assert db.session.scalar(select(func.count(Skill.id))) == 0
    assert (training.course, training.attendees) == ("RGAA", 3)
    assert (source.name, source.url, source.topic) == (
        "LWN.net",
        "https://lwn.net",
        "Linux",
    )
    assert _actions()[3:] == [
        "member.skill.update",
        "member.training.update",
        "member.watch_source.update",
        "member.skill.remove",
    ]
    removed = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "member.skill.remove")
    ).one()
    assert (removed.object_type, removed.object_id, removed.member_id) == (
        "members_skill",
        skill.id,
        member.id,
    )


@pytest.mark.parametrize(
    ("people", "field"), [(0, "people"), (-2, "people"), (10_000, "people")]
)
def test_a_skill_is_held_by_one_person_at_least(admin, member, people, field) -> None:
    with pytest.raises(MembersError) as refused:
        expertise.add_skill(admin, member, name="WordPress", people=people)
    assert refused.value.field == field
    assert "1 à 9999" in str(refused.value)
    assert db.session.scalar(select(func.count(Skill.id))) == 0


def test_a_skill_is_named_once_whatever_its_case(admin, member, make_member) -> None:
    skill = expertise.add_skill(admin, member, name="SEO technique", people=1)
    with pytest.raises(MembersError, match="déjà dans la liste") as refused:
        expertise.add_skill(admin, member, name="seo TECHNIQUE", people=2)
    assert refused.value.field == "name"
    # Renaming a skill to its own name is no duplicate; another member's is free.
    expertise.update_skill(admin, skill, name="SEO Technique", people=2)
    other = make_member("Ubaye Hébergement")
    expertise.add_skill(admin, other, name="SEO technique", people=1)
    with pytest.raises(MembersError):
        expertise.add_skill(admin, member, name="   ", people=1)


@pytest.mark.parametrize(
    ("completed_on", "message"),
    [
        (date(2026, 12, 7), "ne peut pas être dans le futur"),
        (date(1999, 12, 31), "Date peu plausible"),
        (None, "Saisissez une date"),
    ],
)
def test_a_training_was_completed_on_a_plausible_past_date(
    admin, member, completed_on, message
) -> None:
    with pytest.raises(MembersError, match=message) as refused:
        _training(admin, member, completed_on=completed_on)
    assert refused.value.field == "completed_on"
    assert db.session.scalar(select(func.count(Training.id))) == 0


def test_a_refused_correction_changes_nothing(admin, member) -> None:
    training = _training(admin, member)
    with pytest.raises(MembersError):
        expertise.update_training(
            admin,
            training,
            course="Autre",
            provider=None,
            completed_on=date(2026, 3, 1),
            attendees=0,
            today=TODAY,
        )
    db.session.rollback()
    db.session.refresh(training)
    assert (training.course, training.attendees) == ("Accessibilité RGAA 4.1", 2)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.org",
        "www.example.org",
        "https://",
        "https://localhost",
        "https://exa mple.org",
        "https://example.org:99999/",
        "data:text/html,<script>alert(1)</script>",
        "https://" + "a" * 500 + ".org",
    ],
)
def test_a_watch_source_address_is_http_or_https_only(admin, member, url) -> None:
    with pytest.raises(MembersError) as refused:
        expertise.add_watch_source(admin, member, name="Veille", url=url, topic=None)
    assert refused.value.field == "url"
    assert db.session.scalar(select(func.count(WatchSource.id))) == 0


def test_each_list_is_kept_to_two_hundred_rows(
    admin, member, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(expertise, "MAX_ENTRIES", 2)
    expertise.add_watch_source(admin, member, name="A", url=None, topic=None)
    expertise.add_watch_source(admin, member, name="B", url=None, topic=None)
    with pytest.raises(MembersError, match="2 lignes au plus"):
        expertise.add_watch_source(admin, member, name="C", url=None, topic=None)
    # The other lists have their own room.
    expertise.add_skill(admin, member, name="WordPress", people=1)
    assert expertise.MAX_ENTRIES == 2


def test_the_default_limit_is_two_hundred_rows_each() -> None:
    assert expertise.MAX_ENTRIES == 200


def test_the_public_page_shows_nothing_until_the_member_chooses(admin, member) -> None:
    expertise.add_skill(admin, member, name="WordPress", people=3)
    assert member.show_expertise_publicly is False
    assert expertise.public_expertise(member, today=TODAY) is None

    expertise.set_expertise_visibility(admin, member, shown=True)
    expertise.set_expertise_visibility(admin, member, shown=True)  # no change
    shown = expertise.public_expertise(member, today=TODAY)
    assert shown is not None and [s.name for s in shown.skills] == ["WordPress"]
    assert _actions().count("member.expertise.visibility") == 1


def test_the_public_page_shows_the_trainings_of_the_last_24_months(
    admin, member
) -> None:
    expertise.set_expertise_visibility(admin, member, shown=True)
    _training(admin, member, course="Récente", completed_on=date(2026, 11, 30))
    _training(admin, member, course="Limite", completed_on=date(2024, 12, 6))
    _training(admin, member, course="Ancienne", completed_on=date(2024, 12, 5))

    shown = expertise.public_expertise(member, today=TODAY)
    assert shown is not None
    assert [t.course for t in shown.trainings] == ["Récente", "Limite"]
    # The member's own page keeps them all.
    assert len(expertise.expertise_of(member.id).trainings) == 3


def test_an_entry_is_found_only_for_its_own_member(admin, member, make_member) -> None:
    skill = expertise.add_skill(admin, member, name="WordPress", people=3)
    other = make_member("Ubaye Hébergement")
    assert expertise.get_entry(member.id, "skills", skill.id) is skill
    assert expertise.get_entry(other.id, "skills", skill.id) is None
    assert expertise.get_entry(member.id, "trainings", skill.id) is None
    assert expertise.get_entry(member.id, "unknown", skill.id) is None


def test_the_demo_shows_exemplary_members_and_some_with_nothing(app) -> None:
    from members.models import Member

    app.extensions["qualicharte.demo"]["members"]("small")
    skills = db.session.scalar(select(func.count(Skill.id)))
    app.extensions["qualicharte.demo"]["members"]("small")  # idempotent
    assert db.session.scalar(select(func.count(Skill.id))) == skills

    by_name = {m.name: m for m in db.session.scalars(select(Member))}
    pixel = expertise.public_expertise(by_name["Pixel Durance"])
    assert pixel is not None
    assert len(pixel.skills) == 4 and len(pixel.sources) == 3
    # Its training of 30 months ago stays off the public page.
    assert len(pixel.trainings) == 2
    assert len(expertise.expertise_of(by_name["Pixel Durance"].id).trainings) == 3
    # Kept to itself, and nothing recorded yet.
    assert expertise.public_expertise(by_name["Buëch Informatique"]) is None
    assert expertise.expertise_of(by_name["Buëch Informatique"].id).skills
    assert expertise.expertise_of(by_name["Gap Studio Web"].id).is_empty


def test_a_skill_added_meanwhile_by_a_colleague_is_a_refusal(
    admin, member, monkeypatch: pytest.MonkeyPatch
) -> None:
    expertise.add_skill(admin, member, name="WordPress", people=1)
    # The check passed before the colleague's row was written: the constraint
    # refuses it, with the same message.
    monkeypatch.setattr(expertise, "_skill_name_free", lambda *a, **k: None)
    with pytest.raises(MembersError, match="déjà dans la liste") as refused:
        expertise.add_skill(admin, member, name="WordPress", people=2)
    assert refused.value.field == "name"
    assert db.session.scalar(select(func.count(Skill.id))) == 1
