"""Fixtures of the complaints tests: attachments in a temporary folder, and a
factory that walks a complaint through the real services to a given stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.security import Role as UserRole

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _attachment_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Attachments of each test go to its own temporary folder."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    app.config["MEDIATION_ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    yield
    app.config.pop("MEDIATION_ATTACHMENT_DIR", None)


@dataclass
class Case:
    """A complaint built for a test, with the people around it."""

    complaint: Any
    token: str | None
    member: Any
    secretary: Any
    board: list[Any] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.complaint.id)


@pytest.fixture()
def make_case(
    app: Flask,
    make_member: Callable[..., Any],
    make_staff: Callable[..., Any],
) -> Callable[..., Case]:
    """``make_case(stage, member=…, uploads=[…])`` — a complaint at ``stage``.

    Stages: draft, submitted, awaiting_member, in_mediation, at_commission,
    decided (a warning), resolved.
    """
    from mediation import services
    from mediation.files import Upload
    from mediation.services import Actor
    from mediation.workflow import Action, Decision, Role

    counter = iter(range(1, 10_000))
    people: dict[str, Any] = {}

    def secretary() -> Any:
        if "secretary" not in people:
            people["secretary"] = make_staff(
                UserRole.SECRETARIAT, email="greffe@asso.example", full_name="Greffe"
            )
        return people["secretary"]

    def make(
        stage: str = "submitted",
        *,
        member: Any = None,
        uploads: list[Upload] | None = None,
        board: list[Any] | None = None,
        now: datetime = NOW,
        email: str | None = None,
    ) -> Case:
        n = next(counter)
        member = member or make_member(name=f"Agence Plaine {n}")
        staff = secretary()
        complaint = services.file_complaint(
            name=f"Client {n}",
            company=f"Société {n}",
            email=email or f"client{n}@plaignant.example",
            locale="fr",
            member_id=member.id,
            project_id=None,
            project_label="Site vitrine",
            facts="Le site devait être livré en janvier, il ne l'est toujours pas.",
            expectations="Une date de livraison ferme.",
            uploads=uploads or [Upload("devis.pdf", "application/pdf", PDF)],
            now=now,
        )
        case = Case(complaint, None, member, staff, board or [])
        if stage == "draft":
            return case
        token = _token_of(complaint)
        verified = services.verify_complaint(token, now=now + timedelta(minutes=5))
        case.token = verified.access_token
        if stage == "submitted":
            return case
        secretariat = Actor.of_user(staff, Role.SECRETARIAT)
        services.perform(
            complaint,
            Action.DECLARE_ADMISSIBLE,
            actor=secretariat,
            reply_days=15,
            now=now + timedelta(days=1),
        )
        if stage == "awaiting_member":
            return case
        services.perform(
            complaint,
            Action.START_MEDIATION,
            actor=secretariat,
            now=now + timedelta(days=2),
        )
        if stage == "in_mediation":
            return case
        if stage == "resolved":
            services.perform(
                complaint,
                Action.RECORD_AGREEMENT,
                actor=secretariat,
                text="Livraison au 1er avril.",
                now=now + timedelta(days=10),
            )
            return case
        if not case.board:
            case.board = [make_staff(UserRole.BOARD, full_name=f"Juge {n}")]
        services.perform(
            complaint,
            Action.REFER_TO_COMMISSION,
            actor=secretariat,
            seat_user_ids=[u.id for u in case.board],
            now=now + timedelta(days=3),
        )
        if stage == "at_commission":
            return case
        services.perform(
            complaint,
            Action.DECIDE,
            actor=Actor.of_user(case.board[0], Role.BOARD),
            decision=Decision.WARNING,
            reason="Délais non tenus.",
            now=now + timedelta(days=20),
        )
        return case

    return make


def _token_of(complaint: Any) -> str:
    """Replace the draft's verification token by a known one (the e-mailed one is
    only in the outbox; tests of the e-mail itself read it from there)."""
    from core.extensions import db
    from core.security import new_token

    token, token_hash = new_token()
    complaint.verification_token_hash = token_hash
    db.session.commit()
    return token
