"""The answer pages' statements, built once per database dialect, and how they
run in the session's transaction without the ORM layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, union_all, update
from sqlalchemy.orm.attributes import set_committed_value

from core import audit
from core.database import CompiledStatement, dialect_module
from core.extensions import db
from core.models import AuditLog
from members.models import ClientContact, Member, Project
from satisfaction.models import (
    Answer,
    AnswerValue,
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


# The audit entry's values bound in ``_close_and_audit`` (the others, member_id
# and detail, come from the closed invitation).
_AUDIT_BOUND = [
    AuditLog.__table__.c[name]
    for name in audit.COLUMNS
    if name not in ("member_id", "detail")
]


class Statements:
    """The answer pages' statements, built once per database dialect.

    Building a SELECT with five joins or an upsert costs more Python than
    running it (about a millisecond each): the hot path reuses these, with bound
    parameters, through the session's connection (its one transaction). Those
    of the answer POSTs whose results are only ids, integers or NULL checks are
    also compiled once (``CompiledStatement``): SQLAlchemy's work around each
    execution cost more than the database's.
    """

    def __init__(self, dialect: Any, engine_dialect: Any) -> None:
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
        self._lock_statements = _locks(dialect)
        self.locks = {
            key: CompiledStatement(statement, engine_dialect)
            for key, statement in self._lock_statements.items()
        }
        # PostgreSQL: per lock variant and number of answers, both in one.
        self._locked_stores: dict[tuple[LockKey, int], CompiledStatement] = {}
        self.delete_answers = delete(answers).where(
            answers.c.response_id == bindparam("response_id"),
            answers.c.question_id.in_(bindparam("question_ids", expanding=True)),
        )
        self._dialect, self._engine_dialect = dialect, engine_dialect
        # Per number of answers (a page holds at most a few): their upsert.
        self._stores: dict[int, CompiledStatement] = {}
        self.answered = CompiledStatement(
            select(answers.c.question_id, answers.c.value).where(
                answers.c.response_id == bindparam("response_id")
            ),
            engine_dialect,
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
        self.close_invitation_statement = (
            update(Invitation.__table__)
            .where(Invitation.id == bindparam("key"))
            .values(answered_at=bindparam("now"))
            .returning(Invitation.member_id, Invitation.campaign_id, Invitation.cycle)
        )
        self.close_invitation = CompiledStatement(
            self.close_invitation_statement, engine_dialect
        )
        # PostgreSQL: the invitation closed and the submission's audit entry
        # written in ONE statement (one round trip); None on SQLite.
        self.close_and_audit = (
            CompiledStatement(
                _close_and_audit(self.close_invitation_statement), engine_dialect
            )
            if engine_dialect.name == "postgresql"
            else None
        )

    def store_answers(
        self, response_id: int, answers: Sequence[tuple[int, AnswerValue]]
    ) -> tuple[CompiledStatement, dict[str, Any]]:
        """The upsert of a response's ``answers`` ((question id, value), …) in
        ONE statement, a multi-row VALUES (one row per answer; built once per
        number of answers), and its parameters: the database runs one
        statement, not one per answer as an executemany does."""
        statement = self._stores.get(len(answers))
        if statement is None:
            statement = self._stores[len(answers)] = self._store(len(answers))
        return statement, {"response_id": response_id, **answer_params(answers)}

    def lock_and_store(self, key: LockKey, count: int) -> CompiledStatement | None:
        """On PostgreSQL, the lock ``key`` and the upsert of ``count`` answers
        (``answer_params``) in ONE statement, a data-modifying WITH: one round
        trip to the server instead of two. It returns the lock's row, and
        stores the answers only when the lock says the page may be saved (the
        response claimed by a submission, or not submitted). None on SQLite,
        which runs statements in the process: two cost no more than one.
        """
        if self._engine_dialect.name != "postgresql":
            return None
        statement = self._locked_stores.get((key, count))
        if statement is None:
            statement = self._locked_stores[key, count] = self._lock_and_store(
                key, count
            )
        return statement

    def _lock_and_store(self, key: LockKey, count: int) -> CompiledStatement:
        answers = Answer.__table__
        locked = self._lock_statements[key].cte("locked")
        rows = [
            select(
                locked.c.id,
                bindparam(f"question_id_{number}", type_=answers.c.question_id.type),
                bindparam(f"value_{number}", type_=answers.c.value.type),
                bindparam(f"text_{number}", type_=answers.c.text.type),
                bindparam(f"choices_{number}", type_=answers.c.choices.type),
            )
            for number in range(count)
        ]
        _held, _share, submit = key
        if not submit:
            # A response already submitted is locked but takes no answers.
            rows = [row.where(locked.c.submitted_at.is_(None)) for row in rows]
        store = self._dialect.insert(answers).from_select(
            ["response_id", "question_id", "value", "text", "choices"],
            union_all(*rows) if count > 1 else rows[0],
        )
        stored = store.on_conflict_do_update(
            index_elements=[answers.c.response_id, answers.c.question_id],
            set_={
                "value": store.excluded.value,
                "text": store.excluded.text,
                "choices": store.excluded.choices,
            },
        ).cte("stored")
        return CompiledStatement(
            select(locked.c.id, locked.c.submitted_at).add_cte(stored),
            self._engine_dialect,
        )

    def _store(self, count: int) -> CompiledStatement:
        answers = Answer.__table__
        store = self._dialect.insert(answers).values(
            [
                {
                    "response_id": bindparam("response_id"),
                    "question_id": bindparam(f"question_id_{number}"),
                    "value": bindparam(f"value_{number}"),
                    "text": bindparam(f"text_{number}"),
                    "choices": bindparam(f"choices_{number}"),
                }
                for number in range(count)
            ]
        )
        return CompiledStatement(
            store.on_conflict_do_update(
                index_elements=[answers.c.response_id, answers.c.question_id],
                set_={
                    "value": store.excluded.value,
                    "text": store.excluded.text,
                    "choices": store.excluded.choices,
                },
            ),
            self._engine_dialect,
        )


def _close_and_audit(close_invitation: Any) -> Any:
    """The invitation closed (``close_invitation``, RETURNING member_id,
    campaign_id, cycle) and the submission's audit entry made from what it
    returns, in a data-modifying WITH; it returns what the closing returned.
    The entry's other values are bound (``core.audit.entry``)."""
    closed = close_invitation.cte("closed")
    log = AuditLog.__table__
    logged = (
        insert(log)
        .from_select(
            [c.name for c in _AUDIT_BOUND] + ["member_id", "detail"],
            select(
                *(bindparam(c.name, type_=c.type) for c in _AUDIT_BOUND),
                closed.c.member_id,
                func.json_build_object(
                    "campaign_id", closed.c.campaign_id, "cycle", closed.c.cycle
                ),
            ),
        )
        .cte("logged")
    )
    return select(closed.c.member_id, closed.c.campaign_id, closed.c.cycle).add_cte(
        logged
    )


def answer_params(answers: Sequence[tuple[int, AnswerValue]]) -> dict[str, Any]:
    """The parameters of ``answers`` ((question id, value), …) for the
    statements that store them (``Statements.store_answers``, ``lock_and_store``)."""
    params: dict[str, Any] = {}
    for number, (question_id, value) in enumerate(answers):
        params[f"question_id_{number}"] = question_id
        params[f"value_{number}"] = value.get("value")
        params[f"text_{number}"] = value.get("text")
        params[f"choices_{number}"] = value.get("choices")
    return params


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
        found = _by_dialect[name] = Statements(
            dialect_module(db.engine), db.engine.dialect
        )
    return found


def run(statement: Any, params: Any = None, connection: Any = None) -> Any:
    """Run a Core (or compiled) statement in the session's transaction, without
    the ORM layer (``connection``: the session's, when the caller holds it)."""
    connection = connection or db.session.connection()
    if isinstance(statement, CompiledStatement):
        return statement.run(connection, params)
    return connection.execute(statement, params)


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
