"""Service tests of the complaint procedure: filing, verification, each step and
its effects, refusals that write nothing, the commission and the mark."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from core.extensions import db
from core.mail import deliver_due
from core.models import AuditLog, OutboxMessage
from core.security import Role as UserRole
from mediation import services
from mediation.errors import (
    AttachmentRefused,
    FieldError,
    LinkInvalid,
    MediationError,
    TransitionRefused,
)
from mediation.files import Upload
from mediation.models import (
    Attachment,
    CommissionSeat,
    Complaint,
    ComplaintEvent,
    ConflictOfInterest,
    EventKind,
    Visibility,
)
from mediation.services import Actor
from mediation.workflow import Action, Decision, Role, Status
from members import services as members_services
from members.models import MarkStatus
from tests.mediation.conftest import NOW, PDF

pytestmark = pytest.mark.usefixtures("app")


def _counts() -> tuple[int, int, int, int]:
    return (
        db.session.scalar(select(func.count(ComplaintEvent.id))) or 0,
        db.session.scalar(select(func.count(OutboxMessage.id))) or 0,
        db.session.scalar(select(func.count(Attachment.id))) or 0,
        db.session.scalar(select(func.count(AuditLog.id))) or 0,
    )


def _secretariat(case) -> Actor:
    return Actor.of_user(case.secretary, Role.SECRETARIAT)


# ---------------------------------------------------------------- filing


def test_filing_stores_a_draft_and_emails_a_verification_link(
    make_member, mailbox
) -> None:
    member = make_member(name="Pixel Test")

    complaint = services.file_complaint(
        name="Anne Roux",
        company="Boulangerie Roux",
        email="  Anne@Roux.example ",
        locale="en",
        member_id=member.id,
        project_id=None,
        project_label="Site",
        facts="Rien n'a été livré depuis six mois malgré nos relances.",
        expectations="Le remboursement de l'acompte.",
        uploads=[Upload("devis.pdf", "application/pdf", PDF)],
        now=NOW,
    )

    assert complaint.reference is None
    assert complaint.verified_at is None
    assert complaint.complainant_email == "anne@roux.example"
    assert complaint.verification_expires_at == NOW + timedelta(hours=48)
    deliver_due(NOW)
    [message] = mailbox.to("anne@roux.example")
    assert message["Subject"] == "Confirm your complaint against Pixel Test"
    link = re.search(r"http://\S+/complaints/verify/\S+", mailbox.text_of(message))
    assert link is not None
    # A draft is nobody's case yet.
    secretary = members_services.create_user(
        email="s@asso.example", role=UserRole.SECRETARIAT, password="x" * 12
    )
    assert services.case_for_user(secretary, complaint.id) is None
    assert services.list_cases(secretary, view="all", now=NOW) == []


def test_verifying_registers_the_complaint_with_a_reference_and_acknowledges(
    make_case, make_staff, mailbox
) -> None:
    secretary = make_staff(UserRole.SECRETARIAT, email="sec2@asso.example")
    first = make_case("submitted")
    second = make_case("submitted")

    assert first.complaint.reference == "R-2026-0001"
    assert second.complaint.reference == "R-2026-0002"
    assert first.complaint.status is Status.SUBMITTED
    assert services.complaint_by_access_token(first.token).id == first.id
    deliver_due(NOW + timedelta(hours=1))
    [ack] = [
        m
        for m in mailbox.to(first.complaint.complainant_email)
        if "Accusé" in m["Subject"]
    ]
    assert ack["Subject"] == "Accusé de réception de votre plainte R-2026-0001"
    assert f"/complaints/follow/{first.token}" in mailbox.text_of(ack)
    notices = [m["Subject"] for m in mailbox.to(secretary.email)]
    assert "[R-2026-0001] Plainte déposée" in notices


def test_an_expired_or_unknown_verification_link_is_refused(make_case) -> None:
    case = make_case("draft")
    token = _known_token(case.complaint)

    with pytest.raises(LinkInvalid, match="a expiré"):
        services.verify_complaint(token, now=NOW + timedelta(hours=49))
    with pytest.raises(LinkInvalid, match="n'est pas valable"):
        services.verify_complaint("nope", now=NOW)
    assert db.session.get(Complaint, case.id).verified_at is None


def test_opening_the_verification_link_twice_registers_once(make_case) -> None:
    case = make_case("draft")
    token = _known_token(case.complaint)

    first = services.verify_complaint(token, now=NOW)
    again = services.verify_complaint(token, now=NOW + timedelta(minutes=1))

    assert first.access_token and not first.already
    assert again.already and again.access_token is None
    assert again.complaint.reference == first.complaint.reference


def test_too_many_unconfirmed_complaints_from_one_address_are_refused(
    make_case, make_member
) -> None:
    member = make_member()
    for _ in range(3):
        make_case("draft", member=member, email="same@plaignant.example")

    with pytest.raises(FieldError, match="attendent déjà la confirmation"):
        make_case("draft", member=member, email="same@plaignant.example")


def test_a_complaint_against_an_excluded_member_is_refused(make_member) -> None:
    member = make_member()
    members_services.set_mark_status(
        None, member, status=MarkStatus.WITHDRAWN, reason="test"
    )
    with pytest.raises(FieldError) as caught:
        services.file_complaint(
            name="A",
            company="B",
            email="a@b.example",
            locale="fr",
            member_id=member.id,
            project_id=None,
            project_label="",
            facts="x" * 30,
            expectations="y",
            now=NOW,
        )
    assert caught.value.field == "member_id"


def test_a_project_named_by_a_link_is_kept_only_if_it_is_the_members(
    make_member, make_project
) -> None:
    member, other = make_member(), make_member()
    project = make_project(member, title="Boutique en ligne")
    foreign = make_project(other, title="Secret")

    def file(project_id: int) -> Complaint:
        return services.file_complaint(
            name="A",
            company="B",
            email=f"p{project_id}@b.example",
            locale="fr",
            member_id=member.id,
            project_id=project_id,
            project_label="",
            facts="x" * 30,
            expectations="y",
            now=NOW,
        )

    assert file(project.id).project_id == project.id
    kept = file(foreign.id)
    assert kept.project_id is None
    assert kept.project_label == ""


# ---------------------------------------------------------------- the steps


def test_admissible_sets_the_deadline_and_invites_the_member(
    make_case, make_member, make_member_user, mailbox
) -> None:
    member = make_member(name="Durance Web")
    admin = make_member_user(member, locale="en")
    case = make_case("submitted", member=member)

    services.perform(
        case.complaint,
        Action.DECLARE_ADMISSIBLE,
        actor=_secretariat(case),
        reply_days=10,
        now=NOW + timedelta(days=1),
    )

    complaint = db.session.get(Complaint, case.id)
    assert complaint.status is Status.AWAITING_MEMBER
    assert complaint.member_reply_due_on == date(2026, 3, 13)
    assert complaint.admitted_at == NOW + timedelta(days=1)
    deliver_due(NOW + timedelta(days=1))
    [invite] = mailbox.to(admin.email)
    assert invite["Subject"] == "[R-2026-0001] Complaint declared admissible"
    assert "March 13, 2026" in mailbox.text_of(invite)
    assert f"/mediation/{case.id}" in mailbox.text_of(invite)
    assert services.role_of(admin, complaint) is Role.MEMBER


def test_inadmissible_needs_a_reason_closes_and_tells_the_complainant(
    make_case, mailbox
) -> None:
    case = make_case("submitted")
    before = _counts()

    with pytest.raises(TransitionRefused, match="pourquoi"):
        services.perform(
            case.complaint,
            Action.DECLARE_INADMISSIBLE,
            actor=_secretariat(case),
            reason=" ",
            now=NOW,
        )
    assert _counts() == before

    services.perform(
        case.complaint,
        Action.DECLARE_INADMISSIBLE,
        actor=_secretariat(case),
        reason="Le client compte 400 salariés.",
        now=NOW + timedelta(days=1),
    )
    complaint = db.session.get(Complaint, case.id)
    assert complaint.status is Status.INADMISSIBLE
    assert complaint.reasons == "Le client compte 400 salariés."
    assert complaint.closed_at == NOW + timedelta(days=1)
    deliver_due(NOW + timedelta(days=1))
    [notice] = [
        m
        for m in mailbox.to(complaint.complainant_email)
        if "irrecevable" in m["Subject"]
    ]
    assert "Le client compte 400 salariés." in mailbox.text_of(notice)


def test_a_refused_step_writes_nothing(make_case, make_staff) -> None:
    case = make_case("submitted")
    board = make_staff(UserRole.BOARD)
    before = _counts()

    with pytest.raises(TransitionRefused, match="n'est pas possible"):
        services.perform(
            case.complaint,
            Action.DECIDE,
            actor=Actor.of_user(board, Role.BOARD),
            decision=Decision.EXCLUSION,
            reason="…",
            now=NOW,
        )
    with pytest.raises(AttachmentRefused):
        services.perform(
            case.complaint,
            Action.DECLARE_ADMISSIBLE,
            actor=_secretariat(case),
            uploads=[Upload("faux.pdf", "application/pdf", b"MZ\x90\x00")],
            now=NOW,
        )

    db.session.expire_all()
    assert db.session.get(Complaint, case.id).status is Status.SUBMITTED
    assert _counts() == before
    assert case.member.mark_status is MarkStatus.ACTIVE


def test_a_step_on_a_case_changed_meanwhile_is_refused(make_case) -> None:
    case = make_case("submitted")
    stale = case.complaint
    db.session.execute(
        update(Complaint)
        .where(Complaint.id == case.id)
        .values(status=Status.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()

    with pytest.raises(TransitionRefused, match="vient d'être modifié"):
        services.perform(
            stale,
            Action.DECLARE_ADMISSIBLE,
            actor=_secretariat(case),
            now=NOW,
        )


def test_a_closed_case_takes_no_more_entries(make_case) -> None:
    case = make_case("resolved")

    with pytest.raises(TransitionRefused, match="est clos"):
        services.add_entry(
            case.complaint,
            actor=_secretariat(case),
            kind=EventKind.NOTE,
            text="Encore un mot.",
            now=NOW + timedelta(days=30),
        )
    with pytest.raises(TransitionRefused, match="est clos"):
        services.perform(
            case.complaint,
            Action.WITHDRAW,
            actor=Actor.complainant(case.complaint),
            now=NOW + timedelta(days=30),
        )


def test_member_arguments_open_the_mediation_and_reach_the_complainant(
    make_case, make_member, make_member_user, mailbox
) -> None:
    member = make_member()
    user = make_member_user(member, role=UserRole.MEMBER_USER)
    case = make_case("awaiting_member", member=member)
    actor = Actor.of_user(user, Role.MEMBER)

    with pytest.raises(FieldError, match="Présentez vos arguments"):
        services.perform(
            case.complaint, Action.SUBMIT_ARGUMENTS, actor=actor, text=" ", now=NOW
        )
    services.perform(
        case.complaint,
        Action.SUBMIT_ARGUMENTS,
        actor=actor,
        text="Le retard vient du client, qui n'a pas fourni les contenus.",
        uploads=[Upload("echanges.pdf", "application/pdf", PDF)],
        now=NOW + timedelta(days=4),
    )

    assert db.session.get(Complaint, case.id).status is Status.IN_MEDIATION
    [event] = [
        e
        for e in services.timeline(case.complaint, Role.COMPLAINANT)
        if e.kind is EventKind.ARGUMENTS
    ]
    assert [a.original_name for a in event.attachments] == ["echanges.pdf"]
    deliver_due(NOW + timedelta(days=4))
    [notice] = [
        m
        for m in mailbox.to(case.complaint.complainant_email)
        if "Arguments" in m["Subject"]
    ]
    assert "n'a pas fourni les contenus" in mailbox.text_of(notice)


def test_internal_notes_are_kept_from_the_parties(make_case, make_staff) -> None:
    case = make_case("in_mediation")
    secretariat = _secretariat(case)
    services.add_entry(
        case.complaint,
        actor=secretariat,
        kind=EventKind.NOTE,
        text="L'adhérent semble de mauvaise foi.",
        visibility=Visibility.PARTIES,  # a note is internal whatever is asked
        now=NOW + timedelta(days=3),
    )
    services.add_entry(
        case.complaint,
        actor=secretariat,
        kind=EventKind.MEETING,
        text="Réunion des deux parties.",
        occurred_on=date(2026, 3, 4),
        now=NOW + timedelta(days=3),
    )

    def texts(role: Role) -> list[str]:
        return [e.text for e in services.timeline(case.complaint, role) if e.text]

    assert "L'adhérent semble de mauvaise foi." not in texts(Role.COMPLAINANT)
    assert "L'adhérent semble de mauvaise foi." not in texts(Role.MEMBER)
    assert "Réunion des deux parties." in texts(Role.MEMBER)
    assert "L'adhérent semble de mauvaise foi." in texts(Role.SECRETARIAT)
    assert "L'adhérent semble de mauvaise foi." in texts(Role.BOARD)


def test_entries_follow_each_roles_rights(make_case) -> None:
    case = make_case("in_mediation")
    complainant = Actor.complainant(case.complaint)

    with pytest.raises(TransitionRefused, match="ce type d'entrée"):
        services.add_entry(
            case.complaint, actor=complainant, kind=EventKind.NOTE, text="x", now=NOW
        )
    with pytest.raises(FieldError, match="Indiquez la date"):
        services.add_entry(
            case.complaint,
            actor=_secretariat(case),
            kind=EventKind.MEETING,
            text="Réunion",
            now=NOW,
        )
    with pytest.raises(FieldError, match="texte ou joignez"):
        services.add_entry(
            case.complaint, actor=complainant, kind=EventKind.MESSAGE, text=" ", now=NOW
        )


# ---------------------------------------------------------------- commission


def test_a_board_user_linked_to_the_member_cannot_sit(
    make_case, make_member, make_staff
) -> None:
    member = make_member(name="Lure SEO", website="https://www.lure-seo.example")
    insider = make_staff(
        UserRole.BOARD, email="patron@lure-seo.example", full_name="Paul Patron"
    )
    declared = make_staff(UserRole.BOARD, full_name="Dora Déclarée")
    fair = make_staff(UserRole.BOARD, full_name="Jeanne Juste")
    db.session.add(ConflictOfInterest(user_id=declared.id, member_id=member.id))
    db.session.commit()
    case = make_case("in_mediation", member=member)
    before = _counts()

    for conflicted, reason in (
        (insider, "domaine de l'adhérent"),
        (declared, "conflit d'intérêts déclaré"),
    ):
        with pytest.raises(FieldError) as caught:
            services.perform(
                case.complaint,
                Action.REFER_TO_COMMISSION,
                actor=_secretariat(case),
                seat_user_ids=[fair.id, conflicted.id],
                now=NOW,
            )
        assert caught.value.field == "seats"
        assert reason in str(caught.value)
        assert "ne peut pas siéger pour cette plainte" in str(caught.value)
    with pytest.raises(FieldError, match="au moins un membre"):
        services.perform(
            case.complaint,
            Action.REFER_TO_COMMISSION,
            actor=_secretariat(case),
            seat_user_ids=[],
            now=NOW,
        )
    db.session.expire_all()
    assert db.session.get(Complaint, case.id).status is Status.IN_MEDIATION
    assert _counts() == before

    services.perform(
        case.complaint,
        Action.REFER_TO_COMMISSION,
        actor=_secretariat(case),
        seat_user_ids=[fair.id],
        now=NOW + timedelta(days=3),
    )
    assert [s.user_id for s in services.seats_of(case.complaint)] == [fair.id]
    assert services.role_of(fair, case.complaint) is Role.BOARD
    assert services.role_of(insider, case.complaint) is None
    flags = {c.user.id: c.conflict for c in services.commissioners_for(case.complaint)}
    assert flags[fair.id] is None
    assert "domaine" in flags[insider.id]


def test_a_seated_board_user_may_recuse_and_is_then_conflicted(
    make_case, make_staff
) -> None:
    judge = make_staff(UserRole.BOARD)
    case = make_case("at_commission", board=[judge])
    actor = Actor.of_user(judge, Role.BOARD)

    services.recuse(case.complaint, actor=actor, note="Ancien associé.", now=NOW)

    assert services.role_of(judge, case.complaint) is None
    assert "déclaré" in services.conflict_of(judge, case.member)
    with pytest.raises(FieldError, match="ne peut pas siéger"):
        services.add_commissioners(
            case.complaint, actor=_secretariat(case), user_ids=[judge.id], now=NOW
        )


@pytest.mark.parametrize(
    ("decision", "until", "mark", "listed"),
    [
        (Decision.NONE, None, MarkStatus.ACTIVE, True),
        (Decision.WARNING, None, MarkStatus.ACTIVE, True),
        (Decision.SUSPENSION, date(2026, 6, 30), MarkStatus.SUSPENDED, False),
        (Decision.EXCLUSION, None, MarkStatus.WITHDRAWN, False),
    ],
)
def test_the_decision_takes_effect_on_the_mark_at_once(
    make_case, make_member_user, mailbox, decision, until, mark, listed
) -> None:
    case = make_case("at_commission")
    user = make_member_user(case.member)
    judge = case.board[0]

    services.perform(
        case.complaint,
        Action.DECIDE,
        actor=Actor.of_user(judge, Role.BOARD),
        decision=decision,
        suspension_until=until,
        reason="Manquements au suivi de projet.",
        now=NOW + timedelta(days=20),
    )

    db.session.expire_all()
    complaint = db.session.get(Complaint, case.id)
    assert complaint.status is Status.DECIDED
    assert complaint.decision is decision
    assert complaint.suspension_until == until
    assert complaint.member.mark_status is mark
    assert (complaint.member in members_services.registry_members()) is listed
    deliver_due(NOW + timedelta(days=20))
    decided = [m for m in mailbox.messages if "Décision" in m["Subject"]]
    recipients = {m["To"] for m in decided}
    assert complaint.complainant_email in recipients
    assert user.email in recipients
    assert case.secretary.email in recipients
    assert judge.email not in recipients  # the author is not told what they did


def test_no_sanction_never_lifts_a_suspension_decided_elsewhere(make_case) -> None:
    first = make_case("at_commission")
    second = make_case("at_commission", member=first.member)
    judge = Actor.of_user(first.board[0], Role.BOARD)
    services.perform(
        first.complaint,
        Action.DECIDE,
        actor=judge,
        decision=Decision.SUSPENSION,
        suspension_until=date(2026, 9, 1),
        reason="Manquements.",
        now=NOW + timedelta(days=20),
    )

    services.perform(
        second.complaint,
        Action.DECIDE,
        actor=Actor.of_user(second.board[0], Role.BOARD),
        decision=Decision.NONE,
        now=NOW + timedelta(days=21),
    )

    assert first.member.mark_status is MarkStatus.SUSPENDED


def test_errors_are_mediation_errors() -> None:
    assert issubclass(FieldError, MediationError)
    assert issubclass(AttachmentRefused, MediationError)
    assert issubclass(LinkInvalid, MediationError)


def test_seats_are_unique_per_case(make_case, make_staff) -> None:
    judge = make_staff(UserRole.BOARD)
    other = make_staff(UserRole.BOARD)
    case = make_case("at_commission", board=[judge])

    added = services.add_commissioners(
        case.complaint, actor=_secretariat(case), user_ids=[judge.id, other.id], now=NOW
    )

    assert [u.id for u in added] == [other.id]
    assert db.session.scalar(select(func.count(CommissionSeat.id))) == 2


def _known_token(complaint: Complaint) -> str:
    from tests.mediation.conftest import _token_of

    return _token_of(complaint)


def test_the_commission_records_its_hearing_before_deciding(make_case) -> None:
    case = make_case("at_commission")
    judge = Actor.of_user(case.board[0], Role.BOARD)

    with pytest.raises(FieldError, match="Indiquez la date"):
        services.add_entry(
            case.complaint, actor=judge, kind=EventKind.HEARING, text="…", now=NOW
        )
    hearing = services.add_entry(
        case.complaint,
        actor=judge,
        kind=EventKind.HEARING,
        text="Les deux parties ont été entendues.",
        occurred_on=date(2026, 3, 20),
        now=NOW + timedelta(days=20),
    )

    assert hearing.visibility is Visibility.PARTIES
    assert hearing.occurred_on == date(2026, 3, 20)
    assert hearing in services.timeline(case.complaint, Role.COMPLAINANT)
