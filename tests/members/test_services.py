"""Members use cases, through the real services and the real database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.mail import deliver_due
from core.models import AuditLog, OutboxMessage
from core.security import Role
from members import services
from members.models import (
    Client,
    MarkStatus,
    Member,
    ProjectStatus,
    ServiceType,
    TokenPurpose,
    User,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _token_from(outbox_text: str) -> str:
    match = re.search(r"/(?:invitation|password/reset)/([A-Za-z0-9_\-]+)", outbox_text)
    assert match, outbox_text
    return match.group(1)


def test_onboarding_a_member_records_it_and_audits_who_did_it(make_staff) -> None:
    secretary = make_staff(Role.SECRETARIAT)
    member = services.onboard_member(
        secretary,
        name="Alpes Web",
        siret="732 829 320 00074",
        department="05",
        town="Gap",
        website="https://alpes-web.example",
        services=["website", "hosting"],
    )
    assert member.siret == "73282932000074"
    assert member.mark_status == MarkStatus.ACTIVE
    assert member.services == ["website", "hosting"]
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "member.onboard")
    )
    assert entry.actor_id == secretary.id and entry.object_id == member.id


def test_a_siret_cannot_be_onboarded_twice(make_member, make_staff) -> None:
    make_member(siret="73282932000074")
    with pytest.raises(services.MembersError) as refused:
        services.onboard_member(
            make_staff(),
            name="Copie",
            siret="73282932000074",
            department="04",
            town="Digne",
            website=None,
            services=["seo"],
        )
    assert refused.value.field == "siret"
    assert db.session.scalar(select(func.count()).select_from(Member)) == 1


def test_a_signature_in_the_future_is_refused(make_member, make_staff) -> None:
    member = make_member(signed=False)
    with pytest.raises(services.MembersError):
        services.record_signature(
            make_staff(),
            member,
            charter_version="2024.1",
            signed_on=date(2030, 1, 1),
            today=date(2026, 1, 1),
        )
    assert member.signed_on is None


def test_the_registry_lists_only_signed_public_members_with_an_active_mark(
    make_member, make_staff
) -> None:
    listed = make_member("Listée")
    make_member("Pas signée", signed=False)
    make_member("Discrète", is_public=False)
    suspended = make_member("Suspendue")
    services.set_mark_status(
        make_staff(), suspended, status=MarkStatus.SUSPENDED, reason="décision"
    )
    assert [m.name for m in services.registry_members()] == [listed.name]
    assert (
        services.public_member(suspended.id) is not None
    )  # still verifiable, as suspended


def test_an_invitation_is_emailed_and_accepting_it_sets_the_password_once(
    app, make_member, make_staff, mailbox
) -> None:
    member = make_member("Ubaye Web")
    secretary = make_staff()
    user = services.invite_user(
        secretary,
        member,
        email="Direction@Ubaye.example",
        role=Role.MEMBER_ADMIN,
        full_name="Inès",
        locale="fr",
        now=NOW,
    )
    assert user.email == "direction@ubaye.example"
    assert user.password_hash is None
    deliver_due(NOW + timedelta(minutes=1))
    [message] = mailbox.to("direction@ubaye.example")
    assert message["Subject"] == "Votre accès à Qualicharte pour Ubaye Web"
    token = _token_from(mailbox.text_of(message))

    services.set_password_with_token(
        token,
        TokenPurpose.INVITATION,
        password="un-bon-mot-de-passe",
        now=NOW + timedelta(days=1),
    )
    assert (
        services.authenticate("direction@ubaye.example", "un-bon-mot-de-passe")
        is not None
    )
    with pytest.raises(services.MembersError):
        services.set_password_with_token(
            token,
            TokenPurpose.INVITATION,
            password="autre-mot-de-passe",
            now=NOW + timedelta(days=1),
        )


def test_an_invitation_expires(app, make_member, make_staff, mailbox) -> None:
    services.invite_user(
        make_staff(),
        make_member(),
        email="late@member.example",
        role=Role.MEMBER_USER,
        now=NOW,
    )
    deliver_due(NOW + timedelta(minutes=1))
    token = _token_from(mailbox.text_of(mailbox.messages[0]))
    assert (
        services.find_token(token, TokenPurpose.INVITATION, now=NOW + timedelta(days=6))
        is not None
    )
    assert (
        services.find_token(token, TokenPurpose.INVITATION, now=NOW + timedelta(days=8))
        is None
    )


def test_inviting_an_existing_address_is_refused(
    make_member, make_staff, make_member_user
) -> None:
    member = make_member()
    existing = make_member_user(member)
    with pytest.raises(services.MembersError) as refused:
        services.invite_user(
            make_staff(), member, email=existing.email.upper(), role=Role.MEMBER_USER
        )
    assert refused.value.field == "email"


def test_password_reset_sends_a_link_only_to_existing_accounts(
    app, make_member, make_member_user, mailbox
) -> None:
    user = make_member_user(make_member(), locale="en")
    services.request_password_reset(user.email, locale="fr", now=NOW)
    services.request_password_reset("nobody@nowhere.example", locale="fr", now=NOW)
    deliver_due(NOW + timedelta(minutes=1))
    assert [m["To"] for m in mailbox.messages] == [user.email]
    assert mailbox.messages[0]["Subject"] == "Choose a new Qualicharte password"
    token = _token_from(mailbox.text_of(mailbox.messages[0]))
    services.set_password_with_token(
        token,
        TokenPurpose.PASSWORD_RESET,
        password="nouveau-secret-42",
        now=NOW + timedelta(hours=1),
    )
    assert services.authenticate(user.email, "nouveau-secret-42") is not None
    assert services.authenticate(user.email, "correct-horse-battery") is None


def test_authentication_is_case_insensitive_and_refuses_inactive_accounts(
    make_member, make_member_user
) -> None:
    member = make_member()
    admin = make_member_user(member)
    colleague = make_member_user(member, role=Role.MEMBER_USER)
    assert (
        services.authenticate(admin.email.upper(), "correct-horse-battery").id
        == admin.id
    )
    services.set_user_active(admin, colleague, active=False)
    assert services.authenticate(colleague.email, "correct-horse-battery") is None
    with pytest.raises(services.MembersError):
        services.set_user_active(admin, admin, active=False)


def test_a_client_over_250_staff_needs_confirmation(make_member) -> None:
    member = make_member()
    from members.models import ClientKind

    with pytest.raises(services.MembersError) as refused:
        services.create_client(
            None,
            member.id,
            name="Grand Groupe",
            kind=ClientKind.TPE_PME,
            headcount=400,
            town=None,
        )
    assert refused.value.field == "confirm_over_limit"
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0
    client = services.create_client(
        None,
        member.id,
        name="Grand Groupe",
        kind=ClientKind.TPE_PME,
        headcount=400,
        town=None,
        confirm_over_limit=True,
    )
    assert client.is_over_charter_size


def test_a_contact_address_is_unique_per_client(
    make_member, make_client, make_contact
) -> None:
    client = make_client(make_member())
    make_contact(client, email="jo@client.example")
    with pytest.raises(services.MembersError):
        make_contact(client, email="JO@client.example")


def test_a_project_cannot_use_another_members_client(make_member, make_client) -> None:
    mine, theirs = make_member(), make_member()
    their_client = make_client(theirs)
    with pytest.raises(services.MembersError) as refused:
        services.create_project(
            None,
            mine.id,
            client_id=their_client.id,
            title="x",
            service_type=ServiceType.SEO,
            scope="",
            deliverables="",
            exclusions="",
            starts_on=date(2025, 1, 1),
            ends_on=None,
            status=ProjectStatus.ACTIVE,
        )
    assert refused.value.field == "client_id"


def test_getters_never_return_another_members_objects(
    make_member, make_project, make_contact
) -> None:
    mine, theirs = make_member(), make_member()
    project = make_project(theirs)
    contact = make_contact(project.client)
    assert services.get_project(mine.id, project.id) is None
    assert services.get_client(mine.id, project.client_id) is None
    assert services.get_contact(mine.id, contact.id) is None
    assert services.get_project(theirs.id, project.id).id == project.id


def test_create_user_for_the_command_line_refuses_duplicates(app) -> None:
    services.create_user(email="ca@asso.example", role=Role.BOARD, password="x" * 12)
    with pytest.raises(services.MembersError):
        services.create_user(
            email="CA@asso.example", role=Role.BOARD, password="x" * 12
        )
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_each_change_is_in_the_audit_log(make_member, make_staff, make_project) -> None:
    member = make_member()
    make_project(member)
    services.set_mark_status(
        make_staff(), member, status=MarkStatus.WITHDRAWN, reason="exclusion"
    )
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {
        "member.onboard",
        "member.sign",
        "client.create",
        "project.create",
        "member.mark_status",
    } <= actions
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_language_switch_is_kept_on_the_account(
    make_member, make_member_user
) -> None:
    user = make_member_user(make_member(), locale="fr")
    services.set_language(user, "en")
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.id == user.id)) == "en"
