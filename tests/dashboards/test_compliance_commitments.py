"""The compliance table covers every commitment of the charter: a light per
member and commitment, from the records the member keeps, computed in a fixed
number of statements, stored with the review, filterable, exported."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.extensions import db
from core.security import Role
from dashboards import commitments as rules
from dashboards import services
from dashboards.services.compliance import Listing, compliance, listed
from members.commitments import TITLES, CommitmentCode
from members.models import MarkStatus, Project, ProjectStatus, ServiceType
from members.services.charter import set_mark_status
from records import services as records
from records.models import (
    BackupFrequency,
    ChangeKind,
    FollowUpKind,
    HandoverMode,
    Payer,
    RecurringPeriod,
    Technology,
)
from satisfaction.models import Answer, Commitment, QuestionType
from tests.dashboards.conftest import NOW
from tests.dashboards.test_dashboards import FILTERS, PERIOD
from tests.statements import statements

TODAY = NOW.date()  # 2026-06-15


def _budget(admin: Any, project: Any, *, deadline: date | None = None) -> None:
    records.set_budget(
        admin,
        project,
        setup_cost=Decimal("1000"),
        recurring_cost=Decimal("0"),
        recurring_period=RecurringPeriod.MONTH,
        third_party_cost=Decimal("0"),
        deadline_on=deadline or date(2026, 12, 31),
        today=TODAY,
    )


def _kept(admin: Any, project: Any) -> None:
    """What the charter asks of an active project, kept."""
    _budget(admin, project)
    records.log_follow_up(
        admin,
        project,
        kind=FollowUpKind.REPORT,
        held_on=TODAY - timedelta(days=10),
        summary="Point mensuel",
        send=False,
        today=TODAY,
    )
    records.add_delivery(
        admin, project, label="Maquettes", delivered_on=date(2026, 3, 1), today=TODAY
    )
    records.add_technology(
        admin,
        project,
        name="PHP",
        version="8.3",
        end_of_support_on=date(2028, 12, 31),
        today=TODAY,
    )


@pytest.fixture()
def charter_world(make_member, make_member_user, make_project) -> dict[str, Any]:
    """An exemplary member, one in breach of every record-backed commitment,
    one with two ambers, and one without projects."""
    good = make_member("Exemplaire")
    good_admin = make_member_user(good)
    site = make_project(good, title="Site")
    hosting = make_project(good, title="Hébergement", service_type=ServiceType.HOSTING)
    for project in (site, hosting):
        _kept(good_admin, project)
    records.add_backup_plan(
        good_admin,
        hosting,
        scope="Tout",
        frequency=BackupFrequency.DAILY,
        location="Second site",
        restore_hours=4,
    )
    closed = make_project(
        good,
        title="Ancien site",
        status=ProjectStatus.CLOSED,
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 2, 1),
    )
    records.set_handover(
        good_admin,
        closed,
        mode=HandoverMode.CLIENT,
        handed_on=date(2026, 2, 1),
        recipient="",
        clause="",
        today=TODAY,
    )

    bad = make_member("En défaut")
    bad_admin = make_member_user(bad)
    maintained = make_project(
        bad,
        title="Parc informatique",
        service_type=ServiceType.IT_MAINTENANCE,
        deliverables="",
        exclusions="",
    )
    records.add_client_item(
        bad_admin,
        maintained,
        label="Comptes utilisateurs",
        due_on=TODAY - timedelta(days=12),
        is_critical=True,
        today=TODAY,
    )
    for days in (5, 20):
        records.record_change(
            bad_admin,
            maintained,
            kind=ChangeKind.PRICE,
            summary="Hausse",
            announced_on=TODAY - timedelta(days=days),
            effective_on=TODAY + timedelta(days=5),
            today=TODAY,
        )
    records.add_technology(
        bad_admin,
        maintained,
        name="Windows Server",
        version="2012 R2",
        end_of_support_on=date(2023, 10, 10),
        today=TODAY,
    )
    records.add_licence(
        bad_admin,
        maintained,
        name="Antivirus",
        renews_on=TODAY - timedelta(days=3),
        paid_by=Payer.CLIENT,
        today=TODAY - timedelta(days=60),
    )
    set_mark_status(None, bad, status=MarkStatus.SUSPENDED, reason="Manquements")

    amber = make_member("À améliorer")
    amber_admin = make_member_user(amber)
    project = make_project(amber, title="Boutique")
    _kept(amber_admin, project)
    records.record_change(
        amber_admin,
        project,
        kind=ChangeKind.DEADLINE,
        summary="Report",
        announced_on=TODAY - timedelta(days=3),
        effective_on=TODAY + timedelta(days=7),
        today=TODAY,
    )
    records.add_technology(
        amber_admin,
        project,
        name="Drupal",
        version="7",
        end_of_support_on=TODAY + timedelta(days=60),
        today=TODAY,
    )
    bare = make_member("Sans projet")
    db.session.commit()
    return {
        "good": good,
        "bad": bad,
        "amber": amber,
        "bare": bare,
        "bad_admin": bad_admin,
    }


def _rows(**kwargs: Any) -> dict[int, Any]:
    return {r.member_id: r for r in compliance(FILTERS, today=TODAY, **kwargs)}


def test_every_commitment_has_a_light_keyed_by_its_code_with_its_rule() -> None:
    assert list(rules.RULES) == list(TITLES) == list(CommitmentCode)
    assert tuple(CommitmentCode) == rules.CODES
    assert all(str(rule) for rule in rules.RULES.values())


def test_the_lights_follow_the_records_each_member_keeps(charter_world) -> None:
    rows = _rows()
    good = rows[charter_world["good"].id].commitments
    assert list(good) == [code.value for code in CommitmentCode]
    assert {
        code: good[code]
        for code in (
            "communication",
            "scope",
            "costs_deadlines",
            "follow_up",
            "durability",
            "ownership",
            "security",
            "mediation",
        )
    } == dict.fromkeys(
        (
            "communication",
            "scope",
            "costs_deadlines",
            "follow_up",
            "durability",
            "ownership",
            "security",
            "mediation",
        ),
        "green",
    )
    # No answers tagged "adequacy": nothing to judge; no profile: nothing proves
    # the team's expertise nor its watch.
    assert good["adequacy"] == "none"
    assert good["expertise"] == good["watch"] == "red"
    # The older criteria, as commitments: no indicator agreed, nothing sent.
    assert good["efficiency"] == "red" and good["questionnaires"] == "red"

    bad = rows[charter_world["bad"].id].commitments
    assert {
        code: bad[code]
        for code in (
            "communication",  # mark suspended
            "scope",  # a critical item late
            "costs_deadlines",  # two changes at short notice
            "follow_up",  # nothing logged
            "durability",  # Windows Server 2012 out of support, client not told
            "ownership",  # no delivery
            "security",  # a licence renewed without a reminder
        )
    } == dict.fromkeys(
        (
            "communication",
            "scope",
            "costs_deadlines",
            "follow_up",
            "durability",
            "ownership",
            "security",
        ),
        "red",
    )

    amber = rows[charter_world["amber"].id].commitments
    # One change at short notice; a component ending in two months, client not told.
    assert amber["costs_deadlines"] == "amber" and amber["durability"] == "amber"
    assert amber["scope"] == amber["follow_up"] == amber["ownership"] == "green"
    # No hosting or maintenance project: no backup plan to ask for.
    assert amber["security"] == "none"

    bare = rows[charter_world["bare"].id].commitments
    assert bare["communication"] == "green"
    assert all(
        bare[code] == "none"
        for code in ("scope", "costs_deadlines", "follow_up", "durability")
    )


def test_a_client_told_of_the_ageing_component_turns_the_light_green(
    charter_world,
) -> None:
    amber = charter_world["amber"]
    drupal = db.session.scalars(
        select(Technology).where(Technology.name == "Drupal")
    ).one()
    project = db.session.get(Project, drupal.project_id)
    records.record_client_informed(
        None, project, drupal.id, informed_on=TODAY, today=TODAY
    )
    assert _rows()[amber.id].commitments["durability"] == "green"


def test_adequacy_is_the_clients_mean_rating_on_adequacy_questions(
    make_member, make_project, make_client, make_contact, add_answers, charter_version
) -> None:
    member = make_member("Notée")
    client = make_client(member)
    responses = add_answers(
        make_project(member, client=client), make_contact(client), nps=[9, 8]
    )
    adequacy = next(
        q
        for q in charter_version.questions
        if q.type == QuestionType.RATING_1_5 and q.commitment == Commitment.ADEQUACY
    )
    for response, value in zip(responses, (3, 4), strict=True):
        db.session.add(
            Answer(response_id=response.id, question_id=adequacy.id, value=value)
        )
    db.session.commit()
    assert _rows()[member.id].commitments["adequacy"] == "amber"  # 3.5 out of 5


def test_expertise_and_watch_follow_the_members_profile(
    charter_world, make_member_user
) -> None:
    from members.services import expertise as profile

    good = charter_world["good"]
    admin = make_member_user(good)
    profile.add_skill(admin, good, name="SEO technique", people=2)
    lights = _rows()[good.id].commitments
    assert (lights["expertise"], lights["watch"]) == ("amber", "red")
    # A training three years ago does not keep the knowledge up to date.
    profile.add_training(
        admin,
        good,
        course="Accessibilité RGAA",
        provider=None,
        completed_on=TODAY - timedelta(days=3 * 365),
        attendees=1,
        today=TODAY,
    )
    assert _rows()[good.id].commitments["expertise"] == "amber"
    profile.add_training(
        admin,
        good,
        course="Core Web Vitals",
        provider="OpenClassrooms",
        completed_on=TODAY - timedelta(days=60),
        attendees=2,
        today=TODAY,
    )
    profile.add_watch_source(
        admin, good, name="Search Central Blog", url=None, topic="SEO"
    )
    lights = _rows()[good.id].commitments
    assert (lights["expertise"], lights["watch"]) == ("green", "green")
    assert _rows()[charter_world["bad"].id].commitments["watch"] == "red"


def test_a_member_on_an_older_charter_is_amber_on_communication_until_it_re_signs(
    make_member, make_staff
) -> None:
    from members import services as members_services

    secretariat = make_staff(Role.SECRETARIAT)
    members_services.seed_first_version()
    member = make_member("Agence Durance", signed=False)
    members_services.record_signature(
        secretariat, member, charter_version="2.1", signed_on=date(2024, 2, 1)
    )
    assert _rows()[member.id].commitments["communication"] == "green"
    draft = members_services.create_draft(secretariat, number="2.2")
    members_services.publish_version(secretariat, draft, today=TODAY)
    assert _rows()[member.id].commitments["communication"] == "amber"
    members_services.record_signature(
        secretariat, member, charter_version="2.2", signed_on=TODAY
    )
    assert _rows()[member.id].commitments["communication"] == "green"


def test_the_lights_cost_a_fixed_number_of_statements(
    charter_world, make_member, make_member_user, make_project
) -> None:
    with statements() as small:
        compliance(FILTERS, today=TODAY)
    for n in range(4):
        member = make_member(f"Autre {n}")
        admin = make_member_user(member)
        for _ in range(3):
            _kept(admin, make_project(member, service_type=ServiceType.HOSTING))
    with statements() as large:
        rows = compliance(FILTERS, today=TODAY)
    assert len(rows) == 8
    queries = [s for s in large if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    # Members, agreements, sends, alerts, complaints, the rollups' time and the
    # answers; then the projects, the flagged records, the profiles and the
    # charter in force.
    assert len(large) == len(small) and len(queries) == 11


def test_the_stored_table_filters_on_one_commitments_light(
    charter_world, client, auth, make_staff
) -> None:
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    good, bad, amber = (charter_world[k] for k in ("good", "bad", "amber"))

    def names(**listing: Any) -> set[str]:
        page = services.board_review_page(
            FILTERS, today=TODAY, listing=Listing(**listing)
        )[1]
        return {r.name for r in page.rows}

    assert names(commitment="security", light="red") == {bad.name}
    assert names(commitment="durability", light="attention") == {
        bad.name,
        amber.name,
    }
    assert good.name in names(commitment="durability", light="compliant")
    assert bad.name not in names(commitment="durability", light="compliant")
    # The live table lists the same way.
    rows = compliance(FILTERS, today=TODAY)
    live = listed(rows, Listing(commitment="security", light="red"))
    assert {r.name for r in live.rows} == {bad.name}
    # The board's page: the filter, the lights in words, the rules beside them.
    auth.login(make_staff(Role.BOARD))
    html = client.get(
        "/board/review",
        query_string={**PERIOD, "commitment": "security", "light": "red"},
    ).get_data(as_text=True)
    assert "Adhérents 1 à 1 sur 1." in html and bad.name in html
    assert 'data-commitment="security" data-light="red"' in html
    assert "Sécurité (sauvegardes, licences…) : Non conforme" in html
    assert "une licence renouvelée sans rappel au client" in html
    bad_option = client.get(
        "/board/review", query_string={**PERIOD, "commitment": "bogus"}
    )
    assert bad_option.status_code == 400


def test_the_export_has_one_column_per_commitment_in_words(
    charter_world, client, auth, make_staff
) -> None:
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    auth.login(make_staff(Role.BOARD))
    response = client.get("/board/review/export/compliance.csv", query_string=PERIOD)
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    header, *rows = csv.reader(io.StringIO(text), delimiter=";")
    for title in TITLES.values():
        assert str(title) in header
    row = next(r for r in rows if r[0] == charter_world["bad"].name)
    bad = dict(zip(header, row, strict=True))
    assert bad["Sécurité (sauvegardes, licences…)"] == "Non conforme"
    assert (
        bad[str(TITLES[CommitmentCode.EXPERTISE])] == "Non conforme"
    )  # nothing on its profile
    assert bad["Obligation de communication de son engagement"] == "Non conforme"


def test_a_record_added_makes_the_stored_review_stale(
    make_member, make_member_user, make_project
) -> None:
    from core.database import utcnow
    from dashboards import rollups

    member = make_member("Suivie")
    project = make_project(member)
    admin = make_member_user(member)
    before = utcnow()
    assert not rollups.board_inputs_changed(before)
    records.log_follow_up(
        admin,
        project,
        kind=FollowUpKind.REPORT,
        held_on=TODAY,
        summary="Point",
        send=False,
        today=TODAY,
    )
    assert rollups.board_inputs_changed(before)


def test_a_licence_renewing_within_the_week_unreminded_is_amber_until_reminded(
    make_member, make_member_user, make_project, make_contact
) -> None:
    member = make_member("Hébergeur")
    admin = make_member_user(member)
    hosting = make_project(member, service_type=ServiceType.HOSTING)
    records.add_backup_plan(
        admin,
        hosting,
        scope="Tout",
        frequency=BackupFrequency.DAILY,
        location="Second site",
        restore_hours=4,
    )
    licence = records.add_licence(
        admin,
        hosting,
        name="Nom de domaine",
        renews_on=TODAY + timedelta(days=5),
        paid_by=Payer.CLIENT,
        today=TODAY,
    )
    assert _rows()[member.id].commitments["security"] == "amber"
    make_contact(hosting.client, email="compta@client.example")
    assert records.remind_licence(licence, now=NOW) == 1
    assert _rows()[member.id].commitments["security"] == "green"


def test_the_board_reads_a_members_lights_with_their_rules_on_its_page(
    charter_world, client, auth, make_staff
) -> None:
    bad = charter_world["bad"]
    auth.login(make_staff(Role.BOARD))
    url = f"/board/review/members/{bad.id}"
    live = client.get(url, query_string=PERIOD).get_data(as_text=True)
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    stored = client.get(url, query_string=PERIOD).get_data(as_text=True)
    for html in (live, stored):
        row = html.split('<tr data-commitment="security">')[1].split("</tr>")[0]
        assert "Sécurité (sauvegardes, licences…)" in row
        assert "Non conforme" in row
        assert "une licence renouvelée sans rappel au client" in row
    assert 'data-testid="member-commitments"' in stored


def test_a_member_reads_its_own_lights_as_the_board_stored_them(
    charter_world, client, auth
) -> None:
    from core.database import utcnow
    from dashboards.queries.common import Filters

    bad, good = charter_world["bad"], charter_world["good"]
    auth.login(charter_world["bad_admin"])
    waiting = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "seront calculés au prochain passage" in waiting
    # The board's default review (twelve months up to today), as the job stores it.
    today = utcnow().date()
    since, until = services.default_period(today)
    services.store_board_snapshot(
        Filters(since=since, until=until), today=today, now=utcnow()
    )
    db.session.commit()
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    own = services.own_commitments(bad.id, today=today)
    assert own == services.member_commitments(
        bad.id, Filters(since=since, until=until), today=today
    )
    assert own["durability"] == "red"  # Windows Server 2012, client not told
    row = html.split('<tr data-commitment="durability">')[1].split("</tr>")[0]
    assert "Pérennité des solutions proposées" in row and "Non conforme" in row
    assert html.count("<tr data-commitment=") == len(CommitmentCode)
    assert services.own_commitments(good.id, today=today) != own


def test_the_export_names_each_commitment_after_the_charter_in_force(
    charter_world, client, auth, make_staff
) -> None:
    from members import services as members_services

    secretariat = make_staff(Role.SECRETARIAT)
    members_services.seed_first_version()
    draft = members_services.create_draft(secretariat, number="2.2")
    wordings = {
        c.code: members_services.Wording(
            title=c.title, text=c.text, evidence=c.evidence
        )
        for c in draft.commitments
    }
    old = wordings["security"]
    wordings["security"] = members_services.Wording(
        title="Sécurité : sauvegardes, restauration, licences",
        text=old.text,
        evidence=old.evidence,
    )
    members_services.update_draft(
        secretariat, draft, title=draft.title, body=draft.body, wordings=wordings
    )
    members_services.publish_version(secretariat, draft, today=TODAY)
    auth.login(make_staff(Role.BOARD))
    response = client.get("/board/review/export/compliance.csv", query_string=PERIOD)
    header = next(
        csv.reader(
            io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"
        )
    )
    assert "Sécurité : sauvegardes, restauration, licences" in header
    assert "Sécurité (sauvegardes, licences…)" not in header
    assert "Suivi du projet" in header  # not reworded
