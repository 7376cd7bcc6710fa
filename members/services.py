"""Use cases of the members feature. Each write service commits once, at the end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from core import audit
from core.database import utcnow
from core.errors import AppError
from core.extensions import db
from core.mail import queue_email
from core.security import Role, hash_token, new_token
from core.urls import external_url
from members.models import (
    CHARTER_MAX_HEADCOUNT,
    AccountToken,
    Client,
    ClientContact,
    ClientKind,
    MarkStatus,
    Member,
    Project,
    ProjectStatus,
    ServiceType,
    TokenPurpose,
    User,
)
from members.siret import normalise_siret


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt by default; tests use a cheap one)."""
    return generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def _dummy_hash() -> str:
    # Compared against when the account does not exist, so that a sign-in attempt
    # takes as long whether or not the e-mail is known.
    cache: dict[str, str] = current_app.extensions.setdefault("members.dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash(
            "not-a-password-of-anyone", method=method
        )
    return cache[method]


class MembersError(AppError):
    """An expected refusal of a members use case; its message is for the user."""


# ---------------------------------------------------------------- accounts


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def authenticate(
    email: str, password: str, *, now: datetime | None = None
) -> User | None:
    """The active user with these credentials, or None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = now or utcnow()
    db.session.commit()
    return user


def create_user(
    *,
    email: str,
    role: Role,
    password: str | None,
    full_name: str = "",
    member: Member | None = None,
    locale: str = "fr",
) -> User:
    """Create an account directly (command line, demo data). :raises MembersError:"""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise MembersError(
            _l("Un compte existe déjà pour cette adresse."), field="email"
        )
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        member_id=member.id if member else None,
        password_hash=hash_password(password) if password else None,
        locale=locale,
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        None,
        "user.create",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
        detail={"role": role.value},
    )
    db.session.commit()
    return user


def _issue_token(
    user: User,
    purpose: TokenPurpose,
    *,
    valid: timedelta,
    created_by: User | None,
    now: datetime,
) -> str:
    token, token_hash = new_token()
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + valid,
            created_by_id=created_by.id if created_by else None,
        )
    )
    return token


def invite_user(
    actor: User,
    member: Member,
    *,
    email: str,
    role: Role,
    full_name: str = "",
    locale: str = "fr",
    now: datetime | None = None,
) -> User:
    """Create a member's account without password and e-mail an invitation link.

    :raises MembersError: the address already has an account.
    """
    now = now or utcnow()
    if role not in (Role.MEMBER_ADMIN, Role.MEMBER_USER):
        raise MembersError(_l("Rôle invalide."), field="role")
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise MembersError(
            _l("Un compte existe déjà pour cette adresse."), field="email"
        )
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        member_id=member.id,
        locale=locale,
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    days = current_app.config["INVITATION_VALID_DAYS"]
    token = _issue_token(
        user,
        TokenPurpose.INVITATION,
        valid=timedelta(days=days),
        created_by=actor,
        now=now,
    )
    queue_email(
        to=email,
        template="members/email/invitation",
        context={
            "member": member,
            "inviter": actor,
            "user": user,
            "link": external_url("members.accept_invitation", token=token),
            "days": days,
        },
        locale=locale,
        key=f"members.invitation:{hash_token(token)}",
        now=now,
    )
    audit.record(
        actor,
        "user.invite",
        object_type="user",
        object_id=user.id,
        member_id=member.id,
        detail={"email": email, "role": role.value},
    )
    db.session.commit()
    return user


def find_token(
    token: str, purpose: TokenPurpose, *, now: datetime | None = None
) -> AccountToken | None:
    """The unused, unexpired token of this purpose, or None."""
    now = now or utcnow()
    found = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == hash_token(token),
            AccountToken.purpose == purpose,
        )
    )
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    if not found.user.is_active:
        return None
    return found


def set_password_with_token(
    token: str,
    purpose: TokenPurpose,
    *,
    password: str,
    full_name: str | None = None,
    now: datetime | None = None,
) -> User:
    """Consume an invitation or reset link and set the password.

    :raises MembersError: the link is unknown, used or expired.
    """
    now = now or utcnow()
    found = find_token(token, purpose, now=now)
    if found is None:
        raise MembersError(_l("Ce lien n'est plus valable. Demandez-en un nouveau."))
    # The conditional UPDATE consumes the token once, even under concurrent clicks.
    consumed = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == found.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise MembersError(_l("Ce lien n'est plus valable. Demandez-en un nouveau."))
    user = found.user
    user.password_hash = hash_password(password)
    if full_name:
        user.full_name = full_name
    audit.record(
        user,
        f"user.{purpose.value}_used",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()
    return user


def request_password_reset(
    email: str, *, locale: str, now: datetime | None = None
) -> None:
    """E-mail a reset link if the account exists; say nothing either way."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    hours = current_app.config["PASSWORD_RESET_VALID_HOURS"]
    token = _issue_token(
        user,
        TokenPurpose.PASSWORD_RESET,
        valid=timedelta(hours=hours),
        created_by=None,
        now=now,
    )
    queue_email(
        to=user.email,
        template="members/email/password_reset",
        context={
            "user": user,
            "link": external_url("members.reset_password", token=token),
            "hours": hours,
        },
        locale=user.locale or locale,
        key=f"members.password_reset:{hash_token(token)}",
        now=now,
    )
    db.session.commit()


def update_account(user: User, *, full_name: str, locale: str) -> None:
    user.full_name = full_name
    user.locale = locale
    db.session.commit()


def team_of(member: Member) -> Sequence[User]:
    return db.session.scalars(
        select(User).where(User.member_id == member.id).order_by(User.email)
    ).all()


def get_colleague(actor: User, user_id: int) -> User | None:
    """A user of the actor's own member, or None."""
    user = db.session.get(User, user_id)
    if user is None or actor.member_id is None or user.member_id != actor.member_id:
        return None
    return user


def set_user_active(actor: User, user: User, *, active: bool) -> None:
    """Deactivate or reactivate a colleague. :raises MembersError:"""
    if user.id == actor.id:
        raise MembersError(_l("Vous ne pouvez pas désactiver votre propre compte."))
    user.is_active = active
    audit.record(
        actor,
        "user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()


# ---------------------------------------------------------------- members


def list_members() -> Sequence[Member]:
    return db.session.scalars(select(Member).order_by(Member.name)).all()


def get_member(member_id: int) -> Member | None:
    return db.session.get(Member, member_id)


def _check_siret_free(siret: str, *, except_id: int | None = None) -> None:
    query = select(Member.id).where(Member.siret == siret)
    if except_id is not None:
        query = query.where(Member.id != except_id)
    if db.session.scalar(query) is not None:
        raise MembersError(_l("Un adhérent avec ce SIRET existe déjà."), field="siret")


def onboard_member(
    actor: User,
    *,
    name: str,
    siret: str,
    department: str,
    town: str,
    website: str | None,
    services: Sequence[str],
    is_public: bool = True,
) -> Member:
    """Register a member company. :raises MembersError: the SIRET is taken."""
    siret = normalise_siret(siret)
    _check_siret_free(siret)
    member = Member(
        name=name,
        siret=siret,
        department=department,
        town=town,
        website=website or None,
        services=[ServiceType(s).value for s in services],
        is_public=is_public,
        mark_status=MarkStatus.ACTIVE,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(
        actor,
        "member.onboard",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"name": name, "siret": siret},
    )
    db.session.commit()
    return member


def update_member(
    actor: User,
    member: Member,
    *,
    name: str,
    siret: str,
    department: str,
    town: str,
    website: str | None,
    services: Sequence[str],
    is_public: bool,
) -> None:
    """Change a member's identity. :raises MembersError: the SIRET is taken."""
    siret = normalise_siret(siret)
    _check_siret_free(siret, except_id=member.id)
    member.name, member.siret, member.department, member.town = (
        name,
        siret,
        department,
        town,
    )
    member.website = website or None
    member.services = [ServiceType(s).value for s in services]
    member.is_public = is_public
    audit.record(
        actor,
        "member.update",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
    )
    db.session.commit()


def record_signature(
    actor: User,
    member: Member,
    *,
    charter_version: str,
    signed_on: date,
    today: date | None = None,
) -> None:
    """Record the member's signature of a charter version. :raises MembersError:"""
    if signed_on > (today or utcnow().date()):
        raise MembersError(
            _l("La date de signature ne peut pas être dans le futur."),
            field="signed_on",
        )
    member.charter_version = charter_version
    member.signed_on = signed_on
    audit.record(
        actor,
        "member.sign",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"version": charter_version, "signed_on": signed_on.isoformat()},
    )
    db.session.commit()


def set_mark_status(
    actor: User | None,
    member: Member,
    *,
    status: MarkStatus,
    reason: str,
    now: datetime | None = None,
    commit: bool = True,
) -> None:
    """Change the member's right to use the charter's mark (registry and badge follow)."""
    if member.mark_status == status:
        return
    previous = member.mark_status
    member.mark_status = status
    member.mark_changed_at = now or utcnow()
    audit.record(
        actor,
        "member.mark_status",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"from": previous.value, "to": status.value, "reason": reason},
    )
    if commit:
        db.session.commit()


def registry_members() -> Sequence[Member]:
    """Public registry: signatories whose mark is active and who chose to be listed."""
    return db.session.scalars(
        select(Member)
        .where(
            Member.is_public.is_(True),
            Member.mark_status == MarkStatus.ACTIVE,
            Member.signed_on.is_not(None),
        )
        .order_by(Member.name)
    ).all()


def public_member(member_id: int) -> Member | None:
    """A member as the verification page and the badge may show it."""
    member = db.session.get(Member, member_id)
    if member is None or not member.is_public or member.signed_on is None:
        return None
    return member


# ---------------------------------------------------------------- clients


def list_clients(member_id: int) -> Sequence[Client]:
    return db.session.scalars(
        select(Client).where(Client.member_id == member_id).order_by(Client.name)
    ).all()


def get_client(member_id: int, client_id: int) -> Client | None:
    """The member's client, or None (another member's client is not found)."""
    return db.session.scalar(
        select(Client).where(Client.id == client_id, Client.member_id == member_id)
    )


def _check_headcount(headcount: int | None, confirmed: bool) -> None:
    if headcount is not None and headcount > CHARTER_MAX_HEADCOUNT and not confirmed:
        raise MembersError(
            _l(
                "Ce client compte plus de %(max)d salariés : la charte ne s'applique "
                "pas à lui. Cochez la confirmation pour l'enregistrer quand même.",
                max=CHARTER_MAX_HEADCOUNT,
            ),
            field="confirm_over_limit",
        )


def create_client(
    actor: User,
    member_id: int,
    *,
    name: str,
    kind: ClientKind,
    headcount: int | None,
    town: str | None,
    confirm_over_limit: bool = False,
) -> Client:
    """Add a client. :raises MembersError: over 250 staff without confirmation."""
    _check_headcount(headcount, confirm_over_limit)
    client = Client(
        member_id=member_id,
        name=name,
        kind=kind,
        headcount=headcount,
        town=town or None,
    )
    db.session.add(client)
    db.session.flush()
    audit.record(
        actor,
        "client.create",
        object_type="client",
        object_id=client.id,
        member_id=member_id,
        detail={"name": name},
    )
    db.session.commit()
    return client


def update_client(
    actor: User,
    client: Client,
    *,
    name: str,
    kind: ClientKind,
    headcount: int | None,
    town: str | None,
    confirm_over_limit: bool = False,
) -> None:
    """Change a client. :raises MembersError: over 250 staff without confirmation."""
    _check_headcount(headcount, confirm_over_limit)
    client.name, client.kind, client.headcount, client.town = (
        name,
        kind,
        headcount,
        town or None,
    )
    audit.record(
        actor,
        "client.update",
        object_type="client",
        object_id=client.id,
        member_id=client.member_id,
    )
    db.session.commit()


def contacts_of(client: Client) -> Sequence[ClientContact]:
    return db.session.scalars(
        select(ClientContact)
        .where(ClientContact.client_id == client.id)
        .order_by(ClientContact.name)
    ).all()


def get_contact(member_id: int, contact_id: int) -> ClientContact | None:
    return db.session.scalar(
        select(ClientContact)
        .join(Client)
        .where(ClientContact.id == contact_id, Client.member_id == member_id)
    )


def _check_contact_email_free(
    client_id: int, email: str, except_id: int | None = None
) -> None:
    query = select(ClientContact.id).where(
        ClientContact.client_id == client_id, ClientContact.email == email
    )
    if except_id is not None:
        query = query.where(ClientContact.id != except_id)
    if db.session.scalar(query) is not None:
        raise MembersError(
            _l("Ce client a déjà un contact avec cette adresse."), field="email"
        )


def add_contact(
    actor: User,
    client: Client,
    *,
    name: str,
    email: str,
    locale: str,
    job_title: str | None = None,
) -> ClientContact:
    """Add a contact to a client. :raises MembersError: the address is already there."""
    email = normalise_email(email)
    _check_contact_email_free(client.id, email)
    contact = ClientContact(
        client_id=client.id,
        name=name,
        email=email,
        locale=locale,
        job_title=job_title or None,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        actor,
        "contact.create",
        object_type="contact",
        object_id=contact.id,
        member_id=client.member_id,
    )
    db.session.commit()
    return contact


def update_contact(
    actor: User,
    contact: ClientContact,
    *,
    name: str,
    email: str,
    locale: str,
    job_title: str | None = None,
) -> None:
    """Change a contact. :raises MembersError: the address is already there."""
    email = normalise_email(email)
    _check_contact_email_free(contact.client_id, email, except_id=contact.id)
    contact.name, contact.email, contact.locale = name, email, locale
    contact.job_title = job_title or None
    audit.record(
        actor,
        "contact.update",
        object_type="contact",
        object_id=contact.id,
        member_id=contact.client.member_id,
    )
    db.session.commit()


# ---------------------------------------------------------------- projects


def list_projects(member_id: int, *, client_id: int | None = None) -> Sequence[Project]:
    query = select(Project).where(Project.member_id == member_id)
    if client_id is not None:
        query = query.where(Project.client_id == client_id)
    return db.session.scalars(
        query.order_by(Project.starts_on.desc(), Project.id)
    ).all()


def get_project(member_id: int, project_id: int) -> Project | None:
    """The member's project, or None (another member's project is not found)."""
    return db.session.scalar(
        select(Project).where(Project.id == project_id, Project.member_id == member_id)
    )


def _project_client(member_id: int, client_id: int) -> Client:
    client = get_client(member_id, client_id)
    if client is None:
        raise MembersError(_l("Client inconnu."), field="client_id")
    return client


def create_project(
    actor: User,
    member_id: int,
    *,
    client_id: int,
    title: str,
    service_type: ServiceType,
    scope: str,
    deliverables: str,
    exclusions: str,
    starts_on: date,
    ends_on: date | None,
    status: ProjectStatus,
) -> Project:
    """Add a project for one of the member's clients. :raises MembersError:"""
    _project_client(member_id, client_id)
    if ends_on is not None and ends_on < starts_on:
        raise MembersError(_l("La fin ne peut pas précéder le début."), field="ends_on")
    project = Project(
        member_id=member_id,
        client_id=client_id,
        title=title,
        service_type=service_type,
        scope=scope,
        deliverables=deliverables,
        exclusions=exclusions,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    db.session.add(project)
    db.session.flush()
    audit.record(
        actor,
        "project.create",
        object_type="project",
        object_id=project.id,
        member_id=member_id,
        detail={"title": title},
    )
    db.session.commit()
    return project


def update_project(
    actor: User,
    project: Project,
    *,
    client_id: int,
    title: str,
    service_type: ServiceType,
    scope: str,
    deliverables: str,
    exclusions: str,
    starts_on: date,
    ends_on: date | None,
    status: ProjectStatus,
) -> None:
    """Change a project. :raises MembersError:"""
    _project_client(project.member_id, client_id)
    if ends_on is not None and ends_on < starts_on:
        raise MembersError(_l("La fin ne peut pas précéder le début."), field="ends_on")
    previous_status = project.status
    project.client_id, project.title, project.service_type = (
        client_id,
        title,
        service_type,
    )
    project.scope, project.deliverables, project.exclusions = (
        scope,
        deliverables,
        exclusions,
    )
    project.starts_on, project.ends_on, project.status = starts_on, ends_on, status
    audit.record(
        actor,
        "project.update",
        object_type="project",
        object_id=project.id,
        member_id=project.member_id,
        detail={"status": [previous_status.value, status.value]},
    )
    db.session.commit()


def count_by_member() -> dict[int, dict[str, int]]:
    """Clients, projects and users per member, in three grouped queries."""
    counts: dict[int, dict[str, int]] = {}
    for model, key in ((Client, "clients"), (Project, "projects"), (User, "users")):
        for member_id, n in db.session.execute(
            select(model.member_id, func.count())
            .where(model.member_id.is_not(None))
            .group_by(model.member_id)
        ):
            if member_id is not None:
                counts.setdefault(member_id, {})[key] = n
    return counts
