"""The charter as data: 2.1 stored, a draft copied from it, reworded, published;
the old version kept; members asked to re-sign, never stripped of their mark."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditLog
from core.security import Role
from members import services
from members.commitments import CommitmentCode
from members.models import MarkStatus

TODAY = date(2026, 12, 6)


@pytest.fixture()
def secretariat(make_staff):
    return make_staff(Role.SECRETARIAT)


@pytest.fixture()
def charter(app):
    return services.seed_first_version()


def _wordings(version, **changes):
    wordings = {
        c.code: services.Wording(title=c.title, text=c.text, evidence=c.evidence)
        for c in version.commitments
    }
    wordings.update(changes)
    return wordings


def _actions(name: str) -> list[dict]:
    return [
        entry.detail
        for entry in db.session.scalars(
            select(AuditLog).where(AuditLog.action == name).order_by(AuditLog.id)
        )
    ]


def test_version_2_1_is_in_force_with_the_thirteen_commitments_in_order(
    charter,
) -> None:
    current = services.current_version()
    assert current is not None and current.number == "2.1"
    assert current.published_on == date(2023, 5, 10)
    assert [c.code for c in services.commitments()] == [c.value for c in CommitmentCode]
    scope = services.commitments()[2]
    assert scope.title == "Ampleur du projet"
    assert "critiques pour le délai" in scope.text
    assert "criticité" in scope.evidence
    assert "## Préambule" in current.body
    assert services.seed_first_version().id == current.id  # idempotent


def test_titles_fall_back_to_2_1_before_any_version_is_stored(app) -> None:
    assert services.current_version() is None
    titles = services.commitment_titles()
    assert titles["costs_deadlines"] == "Maîtrise des coûts et des délais"
    assert len(titles) == 13


def test_a_draft_copies_the_version_in_force_and_is_audited(
    charter, secretariat
) -> None:
    draft = services.create_draft(secretariat, number="2.2")
    assert draft.published_on is None and draft.body == charter.body
    assert [(c.code, c.text) for c in draft.commitments] == [
        (c.code, c.text) for c in charter.commitments
    ]
    assert services.current_version().number == "2.1"  # the draft is not in force
    assert services.draft_version().id == draft.id
    assert _actions("charter.draft") == [{"number": "2.2", "copied_from": "2.1"}]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("deux", "chiffres séparés par des points"),
        ("2.1", "existe déjà"),
        ("2.0", "doit suivre la version 2.1"),
        ("", "chiffres séparés par des points"),
    ],
)
def test_a_draft_number_must_be_new_and_follow_the_latest(
    charter, secretariat, number, message
) -> None:
    with pytest.raises(services.MembersError, match=message) as caught:
        services.create_draft(secretariat, number=number)
    assert caught.value.field == "number"
    assert services.draft_version() is None


def test_only_one_draft_at_a_time(charter, secretariat) -> None:
    services.create_draft(secretariat, number="2.2")
    with pytest.raises(services.MembersError, match="déjà en cours"):
        services.create_draft(secretariat, number="2.3")


def test_editing_a_draft_rewords_it_and_records_what_changed(
    charter, secretariat
) -> None:
    draft = services.create_draft(secretariat, number="2.2")
    costs = draft.commitments[3]
    services.update_draft(
        secretariat,
        draft,
        title="Charte de Qualité 2.2",
        body="# Charte 2.2\n\nNouveau texte.",
        wordings=_wordings(
            draft,
            costs_deadlines=services.Wording(
                title=costs.title,
                text=costs.text + " Préavis de 30 jours.",
                evidence="Changements de prix datés, préavis de 30 jours.",
            ),
        ),
    )
    db.session.expire_all()
    draft = services.get_version(draft.id)
    assert draft.title == "Charte de Qualité 2.2"
    assert draft.commitments[3].text.endswith("Préavis de 30 jours.")
    assert [c.code for c in services.changed_commitments(charter, draft)] == [
        "costs_deadlines"
    ]
    assert services.get_version(charter.id).commitments[3].text == costs.text.replace(
        " Préavis de 30 jours.", ""
    )
    assert _actions("charter.edit")[-1]["commitments_changed"] == ["costs_deadlines"]


def test_a_draft_keeps_every_code_and_refuses_empty_wording(
    charter, secretariat
) -> None:
    draft = services.create_draft(secretariat, number="2.2")
    wordings = _wordings(draft)
    del wordings["mediation"]
    with pytest.raises(services.MembersError, match="Chaque engagement"):
        services.update_draft(
            secretariat, draft, title="T", body="B", wordings=wordings
        )
    with pytest.raises(services.MembersError, match=r"« Veille .* preuves attendues"):
        services.update_draft(
            secretariat,
            draft,
            title="T",
            body="B",
            wordings=_wordings(
                draft,
                watch=services.Wording(
                    title="Veille technologique", text="Clause", evidence="  "
                ),
            ),
        )
    with pytest.raises(services.MembersError, match="texte de la charte") as caught:
        services.update_draft(
            secretariat, draft, title="T", body=" ", wordings=_wordings(draft)
        )
    assert caught.value.field == "body"
    assert services.get_version(draft.id).title == charter.title  # nothing written


def test_publishing_puts_the_draft_in_force_keeps_the_old_one_and_freezes_it(
    charter, secretariat
) -> None:
    draft = services.create_draft(secretariat, number="2.2")
    services.publish_version(secretariat, draft, today=TODAY)
    assert services.current_version().number == "2.2"
    assert services.get_version(charter.id).published_on == date(2023, 5, 10)
    assert services.previous_version(draft).number == "2.1"
    assert [v.number for v in services.list_versions()] == ["2.2", "2.1"]
    assert _actions("charter.publish") == [
        {"number": "2.2", "published_on": "2026-12-06", "replaces": "2.1"}
    ]
    with pytest.raises(services.MembersError, match="ne se modifie plus"):
        services.update_draft(
            secretariat, draft, title="T", body="B", wordings=_wordings(draft)
        )
    with pytest.raises(services.MembersError, match="déjà publiée"):
        services.publish_version(secretariat, draft, today=TODAY)


def test_members_on_an_older_version_are_asked_to_re_sign_and_keep_their_mark(
    charter, secretariat, make_member, make_member_user
) -> None:
    member = make_member("Agence Durance", signed=False)
    services.record_signature(
        secretariat, member, charter_version="2.1", signed_on=date(2024, 2, 1)
    )
    assert member.charter_version_id == charter.id
    assert services.signature_due(member) is None
    draft = services.create_draft(secretariat, number="2.2")
    assert services.signature_due(member) is None  # a draft asks nothing
    services.publish_version(secretariat, draft, today=TODAY)
    assert services.signature_due(member).number == "2.2"
    assert member.mark_status == MarkStatus.ACTIVE

    admin = make_member_user(member, Role.MEMBER_ADMIN)
    services.sign_current(admin, member, today=TODAY)
    assert (member.charter_version, member.signed_on) == ("2.2", TODAY)
    assert member.charter_version_id == draft.id
    assert services.signature_due(member) is None
    assert _actions("member.sign")[-1] == {"version": "2.2", "signed_on": "2026-12-06"}
    with pytest.raises(services.MembersError, match=r"déjà signé la version 2\.2"):
        services.sign_current(admin, member, today=TODAY)


def test_a_draft_cannot_be_signed_nor_a_version_before_its_publication(
    charter, secretariat, make_member
) -> None:
    member = make_member(signed=False)
    services.create_draft(secretariat, number="2.2")
    with pytest.raises(services.MembersError, match="brouillon") as caught:
        services.record_signature(
            secretariat, member, charter_version="2.2", signed_on=date(2026, 1, 1)
        )
    assert caught.value.field == "charter_version"
    with pytest.raises(services.MembersError, match="pas encore publiée"):
        services.record_signature(
            secretariat, member, charter_version="2.1", signed_on=date(2022, 1, 1)
        )
    # An older paper version we do not store is recorded, without a link.
    services.record_signature(
        secretariat, member, charter_version="2.0", signed_on=date(2022, 1, 1)
    )
    assert (member.charter_version, member.charter_version_id) == ("2.0", None)
    assert services.signature_due(member).number == "2.1"


def test_questionnaire_tags_are_named_by_the_charter_in_force(
    charter, secretariat
) -> None:
    from flask import g

    from satisfaction.commitments import commitment_labels

    labels = commitment_labels()
    assert labels["scope"] == "Ampleur du projet"
    assert labels["durability_security"] == (
        "Pérennité des solutions proposées / Sécurité (sauvegardes, licences…)"
    )
    assert labels["expertise_proximity"] == "Ressources disponibles et expertises"

    draft = services.create_draft(secretariat, number="2.2")
    wordings = _wordings(draft)
    wordings["scope"] = services.Wording(
        title="Périmètre du projet",
        text=wordings["scope"].text,
        evidence=wordings["scope"].evidence,
    )
    services.update_draft(
        secretariat, draft, title=draft.title, body=draft.body, wordings=wordings
    )
    services.publish_version(secretariat, draft, today=TODAY)
    g.pop("members_charter_titles", None)  # a new request
    assert commitment_labels()["scope"] == "Périmètre du projet"


def test_the_demo_shows_2_2_in_force_and_members_still_to_re_sign(app) -> None:
    from members.demo import MEMBERS, RESIGNED
    from members.models import Member

    loaders = app.extensions["qualicharte.demo"]
    loaders["members"]("small")
    loaders["members"]("small")  # idempotent
    assert [v.number for v in services.list_versions()] == ["2.2", "2.1"]
    current = services.current_version()
    changed = services.changed_commitments(services.previous_version(current), current)
    assert [c.code for c in changed] == ["costs_deadlines", "security"]
    members = db.session.scalars(select(Member).order_by(Member.id)).all()
    assert len(members) == len(MEMBERS)
    due = [m.name for m in members if services.signature_due(m) is not None]
    assert due == [
        name for i, (name, *_rest) in enumerate(MEMBERS) if i not in RESIGNED
    ]
    assert all(m.mark_status == MarkStatus.ACTIVE for m in members)
    assert all(m.charter_version_id is not None for m in members)
