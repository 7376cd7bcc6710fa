"""A member's clients and their contacts (each member sees only its own)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.extensions import db
from members.errors import MembersError
from members.models import (
    CHARTER_MAX_HEADCOUNT,
    Client,
    ClientContact,
    ClientKind,
    User,
)
from members.services.accounts import normalise_email


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
