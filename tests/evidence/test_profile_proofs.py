"""The member's profile in its evidence pack: its team's skills and watch
sources, and the trainings completed in the year, under *Ressources et
expertise* and *Veille*; whether or not its public page shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.extensions import db
from evidence import services
from evidence.services.facts import EvidenceFacts
from members.commitments import CommitmentCode as C
from members.services import expertise

TODAY = date(2026, 6, 15)
RECORDED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _details(facts: EvidenceFacts, code: C) -> list[tuple[str, str]]:
    found = next(c for c in facts.commitments if c.code == code)
    return [(p.kind, p.detail) for p in found.proofs]


def test_skills_trainings_of_the_year_and_watch_sources_are_proofs(
    make_member, make_member_user
) -> None:
    member = make_member("Ubaye Hébergement")
    admin = make_member_user(member)
    skill = expertise.add_skill(admin, member, name="Administration Linux", people=3)
    for course, provider, day in [
        ("SecNumacadémie", "ANSSI", date(2026, 3, 2)),
        ("Ansible", None, date(2026, 1, 10)),
        ("Formation de l'an passé", None, date(2025, 11, 5)),
    ]:
        expertise.add_training(
            admin,
            member,
            course=course,
            provider=provider,
            completed_on=day,
            attendees=2,
            today=TODAY,
        )
    source = expertise.add_watch_source(
        admin,
        member,
        name="CERT-FR",
        url="https://www.cert.ssi.gouv.fr/",
        topic="Sécurité",
    )
    # Recorded in February 2026 (not on the test's clock).
    skill.created_at = skill.updated_at = source.created_at = RECORDED
    db.session.commit()
    assert member.show_expertise_publicly is False  # the pack shows them anyway

    facts = services.gather(member.id, 2026, today=TODAY)
    assert facts is not None
    assert _details(facts, C.EXPERTISE) == [
        ("skill", "Administration Linux — 3 personnes"),
        ("training", "SecNumacadémie (ANSSI) — 2 personnes formées"),
        ("training", "Ansible — 2 personnes formées"),
    ]
    assert _details(facts, C.WATCH) == [
        ("watch_source", "CERT-FR — https://www.cert.ssi.gouv.fr/ — Sécurité")
    ]
    last_year = services.gather(member.id, 2025, today=TODAY)
    assert last_year is not None
    assert ("training", "Formation de l'an passé — 2 personnes formées") in _details(
        last_year, C.EXPERTISE
    )
    # Recorded in 2026: no proof of 2025.
    assert (
        "watch_source",
        "CERT-FR — https://www.cert.ssi.gouv.fr/ — Sécurité",
    ) not in (_details(last_year, C.WATCH))
    assert ("skill", "Administration Linux — 3 personnes") not in _details(
        last_year, C.EXPERTISE
    )
