"""The facts of a member's year: each record under the commitment it proves,
flagged by the records' rules, the figures right, nothing of another member and
no contact's identity; a bounded number of statements."""

from __future__ import annotations

from datetime import date

import pytest

from core.extensions import db
from evidence import services
from evidence.services.facts import EvidenceFacts
from members.commitments import CommitmentCode as C
from satisfaction.margins import csat_interval, nps_interval
from tests.evidence.conftest import (
    CONTACT_EMAIL,
    CONTACT_NAME,
    FOLLOW_UP_SUMMARY,
    FREE_TEXT,
    TODAY,
    YEAR,
)
from tests.statements import statements


def _kinds(facts: EvidenceFacts, code: C) -> list[str]:
    found = next(c for c in facts.commitments if c.code == code)
    return [p.kind for p in found.proofs]


def _proof(facts: EvidenceFacts, kind: str, text: str = ""):  # type: ignore[no-untyped-def]
    return next(p for p in facts.proofs if p.kind == kind and text in p.detail)


def test_each_record_of_the_year_is_listed_under_the_commitment_it_proves(
    seeded,
) -> None:
    facts = services.gather(seeded.member.id, YEAR, today=TODAY)

    assert facts is not None
    assert facts.member.name == "Agence Preuves"
    assert facts.member.charter_version == "2024.1"
    assert facts.member.signed_on == date(2024, 3, 1)
    assert facts.member.mark_label == "Marque active"
    assert [c.code for c in facts.commitments] == list(C)
    assert _kinds(facts, C.COMMUNICATION) == ["signature"]
    assert _kinds(facts, C.SCOPE) == ["client_item"]
    assert sorted(_kinds(facts, C.COSTS_DEADLINES)) == ["budget", "change", "change"]
    assert _kinds(facts, C.FOLLOW_UP) == ["follow_up"]
    assert _kinds(facts, C.OWNERSHIP) == ["delivery"]
    assert _kinds(facts, C.DURABILITY) == ["technology"]
    assert sorted(_kinds(facts, C.SECURITY)) == ["backup", "licence"]
    assert sorted(_kinds(facts, C.EFFICIENCY)) == ["agreement", "indicator"]
    assert _kinds(facts, C.QUESTIONNAIRES) == ["questionnaire"]
    assert sorted(_kinds(facts, C.MEDIATION)) == ["action", "complaint"]
    assert _kinds(facts, C.ADEQUACY) == []
    every = next(c for c in facts.commitments if c.code == C.COSTS_DEADLINES)
    assert every.count == 3 and every.flagged == 1
    assert not facts.is_empty


def test_the_records_rules_flag_what_a_person_must_see(seeded) -> None:
    facts = services.gather(seeded.member.id, YEAR, today=TODAY)
    assert facts is not None

    price = _proof(facts, "change", "Hausse de l'hébergement")
    assert price.kind_label == "Changement de prix"
    assert price.flag == "Préavis court : 9 jours pour 30 demandés"
    assert price.project == "Site de la mairie" and price.client == "Mairie de Gap"
    assert _proof(facts, "change", "Mise en ligne décalée").flag == ""
    assert _proof(facts, "client_item").flag == "Élément critique en retard"
    assert _proof(facts, "technology").flag == (
        "Composant obsolète, client non informé"
    )
    licence = _proof(facts, "licence")
    assert licence.on == date(2026, 7, 10)
    assert "Licence WordPress Pro" in licence.detail and "le client" in licence.detail
    assert _proof(facts, "indicator").flag == "Hors trajectoire"
    assert _proof(facts, "action").flag == "Action en retard"


def test_scores_come_with_their_margin_and_indicators_with_their_target(
    seeded,
) -> None:
    facts = services.gather(seeded.member.id, YEAR, today=TODAY)
    assert facts is not None

    scores = {s.metric: s for s in facts.scores}
    nps, csat = nps_interval(2, 1, 3), csat_interval(4, 6)
    assert nps is not None and csat is not None
    assert scores["nps"].n == 6 and round(scores["nps"].value or 0) == 17
    assert scores["nps"].margin == pytest.approx(nps.margin)
    assert scores["csat"].n == 6 and round(scores["csat"].value or 0) == 67
    assert scores["csat"].low == pytest.approx(csat.low)
    (indicator,) = facts.indicators
    assert (indicator.name, indicator.target, indicator.value) == ("Visites", 100, 80)
    assert indicator.status == "off_track" and indicator.agreed_on is not None
    (sent,) = facts.questionnaires
    assert (sent.project, sent.sent, sent.answered) == ("Site de la mairie", 8, 6)


def test_complaints_and_actions_carry_their_outcome(seeded) -> None:
    facts = services.gather(seeded.member.id, YEAR, today=TODAY)
    assert facts is not None

    (complaint,) = facts.complaints
    assert complaint.reference == seeded.complaint.reference
    assert complaint.status_label == "Résolue par un accord"
    assert complaint.company == seeded.complaint.complainant_company
    assert complaint.closed_on is not None
    (action,) = facts.actions
    assert action.cause == "Planning non partagé"
    assert action.is_late and not action.is_closed
    assert (facts.actions_opened, facts.actions_closed, facts.actions_late) == (
        1,
        0,
        1,
    )


def test_the_facts_hold_no_other_member_and_no_persons_identity(seeded) -> None:
    facts = services.gather(seeded.member.id, YEAR, today=TODAY)
    assert facts is not None

    everything = repr(facts)
    assert "Licence de la voisine" not in everything
    assert "Boutique voisine" not in everything
    for secret in (
        CONTACT_NAME,
        CONTACT_EMAIL,
        FOLLOW_UP_SUMMARY,
        FREE_TEXT,
        seeded.complaint.complainant_name,
        seeded.complaint.complainant_email,
        seeded.complaint.facts,
    ):
        assert secret not in everything


def test_a_year_without_data_is_said_so(seeded) -> None:
    facts = services.gather(seeded.member.id, 2019, today=TODAY)

    assert facts is not None and facts.is_empty
    assert facts.projects == [] and facts.actions == []
    assert all(s.n == 0 for s in facts.scores)
    # Signed in 2024: the signature proves nothing of 2019.
    assert facts.proofs == []
    assert facts.member.signed_on == date(2024, 3, 1)


def test_an_unknown_member_has_no_facts(app) -> None:
    assert services.gather(999_999, YEAR, today=TODAY) is None


@pytest.mark.parametrize("raw", ["abc", "1999", "2027", "-5", "20266", "2026.0"])
def test_a_year_out_of_range_is_refused_with_a_clear_message(app, raw: str) -> None:
    with pytest.raises(services.EvidenceError) as error:
        services.parse_year(raw, today=TODAY)
    assert str(error.value) == (
        "Année invalide : indiquez une année entre 2000 et 2026."
    )


def test_a_blank_year_is_this_year(app) -> None:
    assert services.parse_year("", today=TODAY) == 2026
    assert services.parse_year(" 2024 ", today=TODAY) == 2024


def test_the_facts_take_the_same_statements_whatever_the_number_of_projects(
    seeded, make_project
) -> None:
    from datetime import date as day

    from records import services as records
    from records.models import Payer

    with statements() as one_project:
        services.gather(seeded.member.id, YEAR, today=TODAY)
    for n in range(3):
        project = make_project(seeded.member, title=f"Projet {n}")
        records.add_licence(
            seeded.admin,
            project,
            name=f"Licence {n}",
            renews_on=day(2026, 9, 1),
            paid_by=Payer.CLIENT,
            today=TODAY,
        )
    with statements() as four_projects:
        facts = services.gather(seeded.member.id, YEAR, today=TODAY)

    assert facts is not None and len(facts.projects) == 4
    # 22, and 3 for the member's profile (skills, trainings, watch sources).
    assert len(four_projects) == len(one_project) <= 25


def test_the_commitments_are_titled_as_in_the_version_the_member_signed(
    seeded,
) -> None:
    from members.services import charter_versions

    version = charter_versions.seed_first_version(published_on=date(2024, 1, 1))
    scope = next(c for c in version.commitments if c.code == "scope")
    scope.title = "Périmètre du projet, tel que signé"
    seeded.member.charter_version = version.number
    db.session.commit()

    facts = services.gather(seeded.member.id, YEAR, today=TODAY)

    assert facts is not None
    titles = {c.code: c.title for c in facts.commitments}
    assert titles[C.SCOPE] == "Périmètre du projet, tel que signé"
    assert titles[C.MEDIATION] == "Médiation des litiges"
    assert [c.code for c in facts.commitments] == list(C)


def test_a_rating_proves_every_commitment_its_tag_rates(app) -> None:
    from evidence.services.facts import ScoreLine
    from evidence.services.figures import rating_proofs

    lines = [
        ScoreLine(
            "rating:durability_security",
            "x",
            6,
            3.5,
            True,
            commitments=(C.DURABILITY, C.SECURITY),
        ),
        ScoreLine("rating:scope", "y", 2, 4.0, False, commitments=(C.SCOPE,)),
        ScoreLine("rating:adequacy", "z", 0, None, False, commitments=(C.ADEQUACY,)),
    ]

    proofs = rating_proofs(lines)

    assert [(p.commitment, p.detail) for p in proofs] == [
        (C.DURABILITY, "Note moyenne 3,5 sur 5 (6 réponses)"),
        (C.SECURITY, "Note moyenne 3,5 sur 5 (6 réponses)"),
        (C.SCOPE, "2 réponses (moins de 5 : pas de note)"),
    ]
