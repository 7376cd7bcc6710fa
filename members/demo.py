"""Demo data: a believable association of the southern Alps (idempotent)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from core.dates import local_today
from core.extensions import db
from core.security import Role
from members import services
from members.models import (
    Client,
    ClientContact,
    ClientKind,
    Member,
    Project,
    ProjectStatus,
    ServiceType,
    Skill,
    User,
)
from members.services import expertise
from members.siret import luhn_ok

DEMO_PASSWORD = "demo-qualicharte"
BOARD_EMAIL = "ca@demo.qualicharte.fr"
SECRETARIAT_EMAIL = "secretariat@demo.qualicharte.fr"


def make_siret(siren: str, nic_prefix: str = "0001") -> str:
    """A SIRET whose last digit makes the Luhn checksum hold (demo data only)."""
    base = siren + nic_prefix
    for digit in "0123456789":
        if luhn_ok(base + digit):
            return base + digit
    raise AssertionError("unreachable")


# name, SIREN, department, town, website, services
MEMBERS = [
    (
        "Pixel Durance",
        "812345671",
        "04",
        "Manosque",
        "https://pixel-durance.example",
        [ServiceType.WEBSITE, ServiceType.SEO, ServiceType.SEA],
    ),
    (
        "Ubaye Hébergement",
        "823456782",
        "04",
        "Barcelonnette",
        "https://ubaye-hebergement.example",
        [ServiceType.HOSTING, ServiceType.IT_MAINTENANCE],
    ),
    (
        "Buëch Informatique",
        "834567893",
        "05",
        "Veynes",
        "https://buech-informatique.example",
        [ServiceType.IT_MAINTENANCE, ServiceType.HOSTING],
    ),
    (
        "Écrins Contenus",
        "845678904",
        "05",
        "Briançon",
        "https://ecrins-contenus.example",
        [ServiceType.TEXT_CONTENT, ServiceType.VISUAL_CONTENT],
    ),
    (
        "Lure Référencement",
        "856789015",
        "04",
        "Forcalquier",
        "https://lure-seo.example",
        [ServiceType.SEO, ServiceType.SEA],
    ),
    (
        "Gap Studio Web",
        "867890126",
        "05",
        "Gap",
        "https://gap-studio.example",
        [ServiceType.WEBSITE, ServiceType.VISUAL_CONTENT, ServiceType.HOSTING],
    ),
]

CLIENTS = [
    ("Boulangerie du Vieux Gap", ClientKind.TPE_PME, 8, "Gap"),
    ("Gîtes de la Blanche", ClientKind.INDEPENDENT, 1, "Seyne"),
    ("Office de tourisme du Val d'Allos", ClientKind.PUBLIC_BODY, 22, "Allos"),
    ("Les Amis du Mont Ventoux", ClientKind.ASSOCIATION, 3, "Sisteron"),
    ("Transports Alpins Roux", ClientKind.TPE_PME, 140, "Embrun"),
]

PROJECT_TITLES = {
    ServiceType.WEBSITE: "Refonte du site vitrine",
    ServiceType.HOSTING: "Hébergement et sauvegardes",
    ServiceType.SEO: "Référencement naturel local",
    ServiceType.SEA: "Campagne Google Ads saisonnière",
    ServiceType.IT_MAINTENANCE: "Maintenance du parc informatique",
    ServiceType.TEXT_CONTENT: "Rédaction des fiches produits",
    ServiceType.VISUAL_CONTENT: "Reportage photo et vidéos",
}


def _slug(name: str) -> str:
    table = str.maketrans("éèëêàâîïôöûüç", "eeeeaaiioouuc")
    return "".join(
        ch if ch.isalnum() else "-" for ch in name.lower().translate(table)
    ).strip("-")


def load(scale: str) -> str:
    """Add the demo association; what already exists is left as it is."""
    created = _add_association_accounts()
    charter = services.seed_first_version()
    for index, (name, siren, department, town, website, offered) in enumerate(MEMBERS):
        siret = make_siret(siren)
        if (
            db.session.scalar(select(Member.id).where(Member.siret == siret))
            is not None
        ):
            continue
        member = Member(
            name=name,
            siret=siret,
            department=department,
            town=town,
            website=website,
            services=[s.value for s in offered],
            charter_version=charter.number,
            charter_version_id=charter.id,
            signed_on=date(2024, 1 + index, 15),
            is_public=True,
        )
        db.session.add(member)
        db.session.flush()
        _add_member_staff(member)
        _add_clients(member, index, offered)
        created += 1
    db.session.commit()
    _publish_next_charter()
    _add_expertise()
    logins = ", ".join(f"{email} ({role})" for role, email in demo_logins())
    return (
        f"{created} new members or accounts. Sign in as {logins}; "
        f"password for every demo account: {DEMO_PASSWORD}"
    )


#: Members (by index in MEMBERS) that have re-signed charter 2.2; the others
#: (Ubaye Hébergement among the demo logins, and Gap Studio Web) see the banner
#: asking them to, and an amber light on communication in the compliance table.
RESIGNED = (0, 2, 3, 4)


def _publish_next_charter() -> None:
    """Charter 2.2, published a month ago with two commitments reworded, and
    signed again by some members (the others still on 2.1)."""
    if services.version_by_number("2.2") is not None:
        return
    secretariat = db.session.scalar(select(User).where(User.email == SECRETARIAT_EMAIL))
    assert secretariat is not None
    draft = services.create_draft(secretariat, number="2.2")
    wordings = {
        c.code: services.Wording(title=c.title, text=c.text, evidence=c.evidence)
        for c in draft.commitments
    }
    wordings["costs_deadlines"] = services.Wording(
        title=wordings["costs_deadlines"].title,
        text=wordings["costs_deadlines"].text
        + " Une évolution du prix ou du délai est annoncée au client au moins "
        "30 jours avant sa prise d'effet.",
        evidence=wordings["costs_deadlines"].evidence
        + " Préavis d'au moins 30 jours pour chaque changement.",
    )
    wordings["security"] = services.Wording(
        title=wordings["security"].title,
        text=wordings["security"].text
        + " Il rappelle au client chaque licence avant la date de son renouvellement.",
        evidence=wordings["security"].evidence,
    )
    services.update_draft(
        secretariat,
        draft,
        title=draft.title,
        body=draft.body.replace("Version\t2.1", "Version\t2.2").replace(
            "Version 2.1 du 10/05/2023 (corrections diverses).",
            "Version 2.2 : préavis des changements de prix et rappel des licences. "
            "Version 2.1 du 10/05/2023 (corrections diverses).",
        ),
        wordings=wordings,
    )
    published = local_today() - timedelta(days=30)
    services.publish_version(secretariat, draft, today=published)
    for index in RESIGNED:
        member = db.session.scalar(
            select(Member).where(Member.siret == make_siret(MEMBERS[index][1]))
        )
        if member is not None:
            services.record_signature(
                secretariat,
                member,
                charter_version=draft.number,
                signed_on=published + timedelta(days=3 + index),
            )


def _add_association_accounts() -> int:
    """The board's and the secretariat's accounts, when missing; how many were added."""
    created = 0
    if db.session.scalar(select(User.id).where(User.email == BOARD_EMAIL)) is None:
        services.create_user(
            email=BOARD_EMAIL,
            role=Role.BOARD,
            password=DEMO_PASSWORD,
            full_name="Claire Martel (CA)",
        )
        created += 1
    if (
        db.session.scalar(select(User.id).where(User.email == SECRETARIAT_EMAIL))
        is None
    ):
        services.create_user(
            email=SECRETARIAT_EMAIL,
            role=Role.SECRETARIAT,
            password=DEMO_PASSWORD,
            full_name="Julien Arnaud (secrétariat)",
        )
        created += 1
    return created


def _add_member_staff(member: Member) -> None:
    """An administrator and a user for the member, with the demo password."""
    slug = _slug(member.name)
    for role, first in ((Role.MEMBER_ADMIN, "admin"), (Role.MEMBER_USER, "equipe")):
        db.session.add(
            User(
                email=f"{first}@{slug}.example",
                role=role,
                member_id=member.id,
                full_name=f"{first.title()} {member.name}",
                password_hash=_password_hash(),
                locale="fr",
            )
        )


def _add_clients(member: Member, index: int, offered: list[ServiceType]) -> None:
    """Four of the five demo clients, each with a contact and a project."""
    slug = _slug(member.name)
    for c_index, (c_name, kind, headcount, c_town) in enumerate(CLIENTS):
        if (c_index + index) % 5 == 4:
            continue  # each member has four of the five clients
        client = Client(
            member_id=member.id,
            name=c_name,
            kind=kind,
            headcount=headcount,
            town=c_town,
        )
        db.session.add(client)
        db.session.flush()
        locale = "en" if c_index == 1 else "fr"
        db.session.add(
            ClientContact(
                client_id=client.id,
                name=f"Contact {c_index + 1} {c_name.split()[0]}",
                email=f"contact{c_index + 1}@{slug}-client{c_index + 1}.example",
                locale=locale,
            )
        )
        db.session.add(_demo_project(member, client, c_index, offered))


def _demo_project(
    member: Member, client: Client, c_index: int, offered: list[ServiceType]
) -> Project:
    service = offered[c_index % len(offered)]
    status = [
        ProjectStatus.ACTIVE,
        ProjectStatus.ACTIVE,
        ProjectStatus.CLOSED,
        ProjectStatus.PROPOSAL,
    ][c_index % 4]
    return Project(
        member_id=member.id,
        client_id=client.id,
        title=f"{PROJECT_TITLES[service]} — {client.name}",
        service_type=service,
        scope="Périmètre convenu avec le client.",
        deliverables="Livrables listés au devis.",
        exclusions="Ce qui n'est pas au devis.",
        starts_on=date(2025, 1 + (c_index * 2) % 12, 1),
        ends_on=date(2026, 12, 31)
        if status != ProjectStatus.CLOSED
        else date(2025, 12, 31),
        status=status,
    )


_HASH: str | None = None


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = services.hash_password(DEMO_PASSWORD)
    return _HASH


def demo_logins() -> list[tuple[str, str]]:
    """(role, e-mail) of the demo accounts, for the README and ``make run``."""
    logins = [("board", BOARD_EMAIL), ("secretariat", SECRETARIAT_EMAIL)]
    for name, *_rest in MEMBERS[:2]:
        slug = _slug(name)
        logins.append(("member admin", f"admin@{slug}.example"))
        logins.append(("member user", f"equipe@{slug}.example"))
    return logins


# ------------------------------------------------ Ressources et expertise / Veille

# Per demo member: shown publicly, skills (name, people), trainings (course,
# provider, days ago, attendees), watch sources (name, url, topic). Pixel Durance
# and Ubaye Hébergement are exemplary (one training older than 24 months stays off
# the public page); Buëch Informatique keeps two skills to itself; Lure
# Référencement (exemplary on every commitment) keeps its profile private; Gap
# Studio Web has recorded nothing yet.
EXPERTISE: dict[str, dict[str, Any]] = {
    "Pixel Durance": {
        "shown": True,
        "skills": [
            ("SEO technique", 2),
            ("WordPress", 3),
            ("Google Ads", 1),
            ("Accessibilité RGAA", 1),
        ],
        "trainings": [
            ("Certification Google Ads Search", "Google Skillshop", 120, 1),
            ("Accessibilité numérique RGAA 4.1", "Access42", 300, 2),
            ("WordPress : développement de thèmes", None, 900, 2),
        ],
        "sources": [
            ("Search Engine Land", "https://searchengineland.com", "SEO"),
            (
                "Google Search Central",
                "https://developers.google.com/search/blog",
                "SEO",
            ),
            ("W3C WAI", "https://www.w3.org/WAI/", "Accessibilité"),
        ],
    },
    "Ubaye Hébergement": {
        "shown": True,
        "skills": [
            ("Administration Linux", 3),
            ("Sauvegardes et reprise d'activité", 2),
            ("Sécurité des serveurs", 2),
        ],
        "trainings": [
            ("SecNumacadémie", "ANSSI", 180, 3),
            ("Automatiser avec Ansible", "Linux Foundation", 400, 1),
        ],
        "sources": [
            ("CERT-FR", "https://www.cert.ssi.gouv.fr/", "Sécurité"),
            ("LWN.net", "https://lwn.net", "Linux"),
        ],
    },
    "Buëch Informatique": {
        "shown": False,
        "skills": [("Maintenance Windows", 2), ("Réseaux TPE", 1)],
        "trainings": [],
        "sources": [],
    },
    "Lure Référencement": {
        "shown": False,
        "skills": [("Référencement naturel", 2), ("Google Ads", 2)],
        "trainings": [("Google Analytics 4 : les rapports", "Google Skillshop", 90, 2)],
        "sources": [("Abondance", "https://www.abondance.com", "SEO")],
    },
    "Écrins Contenus": {
        "shown": True,
        "skills": [("Rédaction web", 2), ("Photographie", 1)],
        "trainings": [("Écrire pour le web", "CFPJ", 240, 2)],
        "sources": [
            ("Le Blog du Modérateur", "https://www.blogdumoderateur.com", None)
        ],
    },
}


def _add_expertise() -> None:
    """Skills, trainings and watch sources of the demo members that have none."""
    today = local_today()
    for name, kept in EXPERTISE.items():
        member = db.session.scalar(select(Member).where(Member.name == name))
        admin = db.session.scalar(
            select(User).where(User.email == f"admin@{_slug(name)}.example")
        )
        if member is None or admin is None:
            continue
        if db.session.scalar(select(Skill.id).where(Skill.member_id == member.id)):
            continue
        for skill, people in kept["skills"]:
            expertise.add_skill(admin, member, name=skill, people=people)
        for course, provider, days_ago, attendees in kept["trainings"]:
            expertise.add_training(
                admin,
                member,
                course=course,
                provider=provider,
                completed_on=today - timedelta(days=days_ago),
                attendees=attendees,
                today=today,
            )
        for source, url, topic in kept["sources"]:
            expertise.add_watch_source(admin, member, name=source, url=url, topic=topic)
        expertise.set_expertise_visibility(admin, member, shown=kept["shown"])
