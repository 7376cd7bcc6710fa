"""The answer pages' statements, built once per database dialect, and how they
run in the session's transaction without the ORM layer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from core.database import dialect_module
from core.extensions import db
from members.models import ClientContact, Member, Project
from satisfaction.models import (
    Answer,
    Campaign,
    Invitation,
    QuestionnaireVersion,
    Response,
)


def invitation_query() -> Any:
    """What the answer pages read of an invitation, its version, contact,
    member and project (see ``survey.OpenInvitation``)."""
    return (
        select(
            Invitation.id,
            Invitation.campaign_id,
            Invitation.contact_id,
            Invitation.member_id,
            Invitation.version_id,
            QuestionnaireVersion.uid,
            QuestionnaireVersion.frozen_at,
            Invitation.cycle,
            Invitation.expires_at,
            Invitation.opened_at,
            Invitation.answered_at,
            ClientContact.locale,
            ClientContact.name.label("contact_name"),
            Member.name.label("member_name"),
            Project.title,
        )
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Invitation.version_id)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .join(Member, Member.id == Invitation.member_id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
    )


class Statements:
    """The answer pages' statements, built once per database dialect.

    Building a SELECT with five joins or an upsert costs more Python than
    running it (about a millisecond each): the hot path reuses these, with bound
    parameters, through the session's connection (its one transaction).
    """

    def __init__(self, dialect: Any) -> None:
        responses, answers = Response.__table__, Answer.__table__
        query = invitation_query()
        self.invitation_by_id = query.where(Invitation.id == bindparam("key"))
        self.invitation_by_token = query.where(
            Invitation.token_hash == bindparam("key")
        )
        self.mark_opened = (
            update(Invitation.__table__)
            .where(Invitation.id == bindparam("key"), Invitation.opened_at.is_(None))
            .values(opened_at=bindparam("now"))
        )
        self.saved = (
            select(
                responses.c.share_with_board,
                answers.c.question_id,
                answers.c.value,
                answers.c.text,
                answers.c.choices,
            )
            .select_from(responses)
            .outerjoin(answers, answers.c.response_id == responses.c.id)
            .where(responses.c.invitation_id == bindparam("invitation_id"))
        )
        self.locks = _locks(dialect)
        self.delete_answers = delete(answers).where(
            answers.c.response_id == bindparam("response_id"),
            answers.c.question_id.in_(bindparam("question_ids", expanding=True)),
        )
        store = dialect.insert(answers)
        self.store_answers = store.on_conflict_do_update(
            index_elements=[answers.c.response_id, answers.c.question_id],
            set_={
                "value": store.excluded.value,
                "text": store.excluded.text,
                "choices": store.excluded.choices,
            },
        )
        self.answered = select(answers.c.question_id, answers.c.value).where(
            answers.c.response_id == bindparam("response_id")
        )
        # A submission claimed by its lock (``lock(submit=True)``) but refused
        # (required questions left empty) is given back.
        self.unsubmit = (
            update(responses)
            .where(responses.c.id == bindparam("response_id"))
            .values(submitted_at=None)
        )
        # What the submission's audit entry and alerts name, returned by the
        # statement that closes the invitation (no SELECT of it).
        self.close_invitation = (
            update(Invitation.__table__)
            .where(Invitation.id == bindparam("key"))
            .values(answered_at=bindparam("now"))
            .returning(Invitation.member_id, Invitation.campaign_id, Invitation.cycle)
        )


# (held, share, submit) → the statement that upserts and locks the response.
LockKey = tuple[bool, bool, bool]


def _locks(dialect: Any) -> dict[LockKey, Any]:
    """The response of an invitation upserted and locked, RETURNING (id,
    submitted_at), in every variant the answer pages use:

    - ``held``: for the invitation a session holds without having read it
      (``survey.HeldInvitation``), the row is made from the invitation itself,
      only while it is open (not answered, not expired, of that version: id and
      uid), so the check and the lock are one statement: no row when it is not
      open; otherwise from the values the caller read;
    - ``share``: also sets the consent to share with the board (last page);
    - ``submit``: also claims the submission (``submitted_at``), only if the
      response was not submitted: no row when it was.
    """
    responses = Response.__table__
    invitations, versions = Invitation.__table__, QuestionnaireVersion.__table__
    now = bindparam("now", type_=responses.c.started_at.type)
    share = bindparam("share", type_=responses.c.share_with_board.type)
    columns = [
        responses.c.invitation_id,
        responses.c.campaign_id,
        responses.c.started_at,
        responses.c.updated_at,
        responses.c.share_with_board,
    ]
    locks: dict[LockKey, Any] = {}
    for held in (False, True):
        for submit in (False, True):
            sources: list[Any] = (
                [invitations.c.id, invitations.c.campaign_id]
                if held
                else [bindparam("invitation_id"), bindparam("campaign_id")]
            )
            sources += [now, now, share] + ([now] if submit else [])
            targets = columns + ([responses.c.submitted_at] if submit else [])
            if held:
                rows = (
                    select(*sources)
                    .join(versions, versions.c.id == invitations.c.version_id)
                    .where(
                        invitations.c.id == bindparam("invitation_id"),
                        invitations.c.version_id == bindparam("version_id"),
                        versions.c.uid == bindparam("version_uid"),
                        invitations.c.answered_at.is_(None),
                        invitations.c.expires_at > now,
                    )
                )
                upsert = dialect.insert(responses).from_select(targets, rows)
            else:
                upsert = dialect.insert(responses).values(
                    dict(zip((c.name for c in targets), sources, strict=True))
                )
            for with_share in (False, True):
                set_: dict[str, Any] = {"updated_at": upsert.excluded.updated_at}
                if with_share:
                    set_["share_with_board"] = upsert.excluded.share_with_board
                if submit:
                    set_["submitted_at"] = upsert.excluded.submitted_at
                locks[held, with_share, submit] = upsert.on_conflict_do_update(
                    index_elements=[responses.c.invitation_id],
                    set_=set_,
                    where=responses.c.submitted_at.is_(None) if submit else None,
                ).returning(responses.c.id, responses.c.submitted_at)
    return locks


_by_dialect: dict[str, Statements] = {}


def prepared() -> Statements:
    name = db.engine.dialect.name
    found = _by_dialect.get(name)
    if found is None:
        found = _by_dialect[name] = Statements(dialect_module(db.engine))
    return found


def run(statement: Any, params: Any = None, connection: Any = None) -> Any:
    """Run a Core statement in the session's transaction, without the ORM layer
    (``connection``: the session's, when the caller already holds it)."""
    return (connection or db.session.connection()).execute(statement, params)


def sync_invitation(invitation_id: int, **values: Any) -> None:
    """Show a Core UPDATE to an Invitation object this session may hold."""
    if not db.session.identity_map:
        return  # the answer pages hold no ORM object: nothing to show it to
    held = db.session.identity_map.get(
        db.session.identity_key(Invitation, invitation_id)
    )
    if held is not None:
        for name, value in values.items():
            set_committed_value(held, name, value)
