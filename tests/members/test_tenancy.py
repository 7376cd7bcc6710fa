"""Every route of the frame, the members, the records features, the
improvement register and the evidence pack, walked with every role.

Another member's object answers 404 (never its content); association pages
answer 403 to member staff; anonymous visitors are sent to the sign-in page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.security import Role

ROLES = ["anonymous", "a_admin", "a_user", "b_admin", "secretariat", "board"]


@dataclass
class World:
    ids: dict[str, int]
    users: dict[str, object]


@pytest.fixture()
def world(
    make_member, make_member_user, make_staff, make_project, make_contact
) -> World:
    member_a, member_b = make_member("Agence A"), make_member("Agence B")
    project = make_project(member_a)
    contact = make_contact(project.client)
    users = {
        "a_admin": make_member_user(member_a, Role.MEMBER_ADMIN),
        "a_user": make_member_user(member_a, Role.MEMBER_USER),
        "b_admin": make_member_user(member_b, Role.MEMBER_ADMIN),
        "secretariat": make_staff(Role.SECRETARIAT),
        "board": make_staff(Role.BOARD),
    }
    colleague = make_member_user(member_a, Role.MEMBER_USER)
    draft = _charter_draft(users["secretariat"])
    records = _records_of(project, users["a_admin"])
    action = _improvement_action(member_a.id, project.id)
    expertise = _expertise_of(member_a, users["a_admin"])
    return World(
        ids={
            "member": member_a.id,
            "client": project.client_id,
            "project": project.id,
            "contact": contact.id,
            "colleague": colleague.id,
            **records,
            "action": action,
            **expertise,
            "version": draft,
        },
        users=users,
    )


def _charter_draft(secretariat: object) -> int:
    """Charter 2.1 in force and a 2.2 draft (the charter's routes)."""
    from members import services

    services.seed_first_version()
    return services.create_draft(secretariat, number="2.2").id


def _records_of(project: object, actor: object) -> dict[str, int]:
    """A client item and a technology on member A's project (records routes)."""
    from datetime import date

    from records import services

    item = services.add_client_item(
        actor, project, label="Textes", due_on=date(2026, 1, 5), is_critical=True
    )
    technology = services.add_technology(
        actor, project, name="PHP", version="7.4", end_of_support_on=date(2022, 11, 28)
    )
    return {"item": item.id, "technology": technology.id}


def _expertise_of(member: object, actor: object) -> dict[str, int]:
    """A skill, a training and a watch source of member A (expertise routes)."""
    from datetime import date

    from members.services import expertise

    skill = expertise.add_skill(actor, member, name="WordPress", people=2)
    training = expertise.add_training(
        actor,
        member,
        course="RGAA",
        provider=None,
        completed_on=date(2026, 3, 2),
        attendees=1,
        today=date(2026, 12, 6),
    )
    source = expertise.add_watch_source(
        actor, member, name="CERT-FR", url="https://www.cert.ssi.gouv.fr/", topic=None
    )
    return {"skill": skill.id, "training": training.id, "source": source.id}


def _improvement_action(member_id: int, project_id: int) -> int:
    """An improvement action of member A (as the scheduler's scan opens one)."""
    from core.extensions import db
    from improvement.models import ImprovementAction, SourceType

    action = ImprovementAction(
        member_id=member_id,
        project_id=project_id,
        source_type=SourceType.COMPLAINT,
        source_id=1,
        source_detail={"reference": "R-2026-0001", "project": "Refonte du site"},
    )
    db.session.add(action)
    db.session.commit()
    return action.id


LOGIN = 302  # anonymous: redirected to the sign-in page
MEMBER_A = {
    "anonymous": LOGIN,
    "a_admin": 200,
    "a_user": 200,
    "b_admin": 404,
    "secretariat": 403,
    "board": 403,
}
ASSOCIATION = {
    "anonymous": LOGIN,
    "a_admin": 403,
    "a_user": 403,
    "b_admin": 403,
    "secretariat": 200,
    "board": 200,
}
SECRETARIAT_ONLY = {**ASSOCIATION, "board": 403}
# Member A's staff and the association; member B's staff do not find it.
EVIDENCE = {**MEMBER_A, "secretariat": 200, "board": 200}
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN}


def _posted(expect: dict[str, int], ok: int) -> dict[str, int]:
    """A POST with an empty form: the allowed roles get ``ok`` (400 or a redirect)."""
    return {role: (ok if status == 200 else status) for role, status in expect.items()}


ROUTES: list[tuple[str, str, str, dict[str, int]]] = [
    ("core.healthz", "GET", "/healthz", PUBLIC),
    ("core.set_language", "POST", "/language", dict.fromkeys(ROLES, 400)),
    ("core.dev_outbox", "GET", "/dev/outbox", dict.fromkeys(ROLES, 404)),
    ("members.home", "GET", "/", {**dict.fromkeys(ROLES, 302), "anonymous": 200}),
    ("members.login", "GET", "/login", {**dict.fromkeys(ROLES, 302), "anonymous": 200}),
    ("members.logout", "POST", "/logout", dict.fromkeys(ROLES, 302)),
    ("members.forgot_password", "GET", "/password/forgot", PUBLIC),
    (
        "members.accept_invitation",
        "GET",
        "/invitation/not-a-token",
        dict.fromkeys(ROLES, 404),
    ),
    (
        "members.reset_password",
        "GET",
        "/password/reset/not-a-token",
        dict.fromkeys(ROLES, 404),
    ),
    ("members.account", "GET", "/account", SIGNED_IN),
    ("members.change_password", "GET", "/account/password", SIGNED_IN),
    (
        "members.sign_out_everywhere",
        "POST",
        "/account/sign-out-everywhere",
        {**dict.fromkeys(ROLES, 302), "anonymous": LOGIN},
    ),
    ("members.admin_members", "GET", "/admin/members", ASSOCIATION),
    ("members.admin_audit", "GET", "/admin/audit", ASSOCIATION),
    ("members.admin_audit_csv", "GET", "/admin/audit.csv", ASSOCIATION),
    ("members.admin_member_new", "GET", "/admin/members/new", SECRETARIAT_ONLY),
    ("members.admin_member", "GET", "/admin/members/{member}", ASSOCIATION),
    (
        "members.admin_member_edit",
        "GET",
        "/admin/members/{member}/edit",
        SECRETARIAT_ONLY,
    ),
    (
        "members.admin_member_signature",
        "POST",
        "/admin/members/{member}/signature",
        _posted(SECRETARIAT_ONLY, 400),
    ),
    (
        "members.admin_member_mark",
        "POST",
        "/admin/members/{member}/mark",
        _posted(ASSOCIATION, 400),
    ),
    (
        "members.admin_member_invite",
        "POST",
        "/admin/members/{member}/invite",
        _posted(SECRETARIAT_ONLY, 400),
    ),
    ("members.admin_charter", "GET", "/admin/charter", ASSOCIATION),
    (
        "members.admin_charter_draft",
        "POST",
        "/admin/charter/drafts",
        _posted(SECRETARIAT_ONLY, 400),
    ),
    ("members.admin_charter_version", "GET", "/admin/charter/{version}", ASSOCIATION),
    (
        "members.admin_charter_edit",
        "GET",
        "/admin/charter/{version}/edit",
        SECRETARIAT_ONLY,
    ),
    # Not confirmed yet: the secretariat gets the confirmation page.
    (
        "members.admin_charter_publish",
        "POST",
        "/admin/charter/{version}/publish",
        SECRETARIAT_ONLY,
    ),
    ("members.public_charter", "GET", "/charter", PUBLIC),
    ("members.public_charter_version", "GET", "/charter/2.1", PUBLIC),
    ("members.space_charter", "GET", "/space/charter", {**MEMBER_A, "b_admin": 200}),
    (
        "members.space_charter_sign",
        "POST",
        "/space/charter/sign",
        {**_posted(MEMBER_A, 400), "a_user": 403, "b_admin": 400},
    ),
    ("members.clients", "GET", "/space/clients", {**MEMBER_A, "b_admin": 200}),
    ("members.client_new", "GET", "/space/clients/new", {**MEMBER_A, "b_admin": 200}),
    ("members.client", "GET", "/space/clients/{client}", MEMBER_A),
    ("members.client_edit", "GET", "/space/clients/{client}/edit", MEMBER_A),
    ("members.contact_new", "GET", "/space/clients/{client}/contacts/new", MEMBER_A),
    ("members.contact_edit", "GET", "/space/contacts/{contact}/edit", MEMBER_A),
    ("members.contact_data", "GET", "/space/contacts/{contact}/data.json", MEMBER_A),
    (
        "members.contact_erase",
        "POST",
        "/space/contacts/{contact}/erase",
        # Without its confirmation box the admin is sent back; nothing is erased.
        {**MEMBER_A, "a_admin": 303, "a_user": 403},
    ),
    ("members.projects", "GET", "/space/projects", {**MEMBER_A, "b_admin": 200}),
    # member B has no client yet: sent to create one first
    ("members.project_new", "GET", "/space/projects/new", {**MEMBER_A, "b_admin": 302}),
    ("members.project", "GET", "/space/projects/{project}", MEMBER_A),
    ("members.project_edit", "GET", "/space/projects/{project}/edit", MEMBER_A),
    ("members.team", "GET", "/space/team", {**MEMBER_A, "b_admin": 200}),
    (
        "members.team_user_active",
        "POST",
        "/space/team/{colleague}/active",
        {**_posted(MEMBER_A, 302), "a_user": 403},
    ),
    ("members.registry", "GET", "/registry", PUBLIC),
    # Ressources et expertise / Veille: staff read, the member's admins edit.
    (
        "members.expertise_page",
        "GET",
        "/space/expertise",
        {**MEMBER_A, "b_admin": 200},
    ),
    (
        "members.expertise_visibility",
        "POST",
        "/space/expertise/visibility",
        # An empty form is "not shown": a valid choice, sent back to the page.
        {**_posted(MEMBER_A, 302), "a_user": 403, "b_admin": 302},
    ),
    (
        "members.expertise_add",
        "POST",
        "/space/expertise/skills",
        {**_posted(MEMBER_A, 400), "a_user": 403, "b_admin": 400},
    ),
    (
        "members.expertise_edit",
        "GET",
        "/space/expertise/trainings/{training}/edit",
        {**MEMBER_A, "a_user": 403},
    ),
    (
        "members.expertise_remove",
        "POST",
        "/space/expertise/sources/{source}/delete",
        {**_posted(MEMBER_A, 302), "a_user": 403},
    ),
    # records: every page and form of a project's records is member A's only
    ("records.page", "GET", "/space/projects/{project}/records", MEMBER_A),
    *[
        (
            f"records.{name}",
            "POST",
            f"/space/projects/{{project}}/records/{tail}",
            _posted(MEMBER_A, 400),
        )
        for name, tail in (
            ("add_item", "items"),
            ("item_received", "items/{item}/received"),
            ("set_budget", "budget"),
            ("add_change", "changes"),
            ("add_follow_up", "follow-ups"),
            ("add_delivery", "deliveries"),
            ("set_handover", "handover"),
            ("add_technology", "technologies"),
            ("technology_informed", "technologies/{technology}/informed"),
            ("add_backup", "backups"),
            ("add_licence", "licences"),
        )
    ],
    (
        "records.remove",
        "POST",
        "/space/projects/{project}/records/items/{item}/delete",
        _posted(MEMBER_A, 302),
    ),
    ("members.registry_member", "GET", "/registry/{member}", PUBLIC),
    ("members.badge", "GET", "/registry/{member}/badge.svg", PUBLIC),
    (
        "improvement.register",
        "GET",
        "/space/improvement",
        {**MEMBER_A, "b_admin": 200},
    ),
    (
        "improvement.export",
        "GET",
        "/space/improvement/export.csv",
        {**MEMBER_A, "b_admin": 200},
    ),
    ("improvement.action", "GET", "/space/improvement/{action}", MEMBER_A),
    (
        "improvement.decide",
        "POST",
        "/space/improvement/{action}/decide",
        _posted(MEMBER_A, 400),
    ),
    (
        "improvement.close",
        "POST",
        "/space/improvement/{action}/close",
        _posted(MEMBER_A, 400),
    ),
    ("improvement.board", "GET", "/association/improvement", ASSOCIATION),
    # evidence: member A's own pack, and any member's for the association
    ("evidence.page", "GET", "/evidence/members/{member}", EVIDENCE),
    (
        "evidence.pack",
        "GET",
        "/evidence/members/{member}/pack.zip?year=2026",
        EVIDENCE,
    ),
]


# Routes that end the walk's session: requested last.
SIGNING_OUT = {
    endpoint: expected
    for endpoint, _method, _template, expected in ROUTES
    if endpoint in ("members.logout", "members.sign_out_everywhere")
}


def test_the_table_covers_every_route_of_the_frame_members_and_records(app) -> None:
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0]
        in {"core", "members", "records", "improvement", "evidence"}
    }
    assert endpoints == {endpoint for endpoint, *_ in ROUTES}


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(client, auth, world, role) -> None:
    if role != "anonymous":
        auth.login(world.users[role])
    seen = {}
    for endpoint, method, template, _expected in ROUTES:
        if endpoint in SIGNING_OUT:
            continue  # would end the session of the walk; tested last
        response = client.open(template.format(**world.ids), method=method)
        seen[endpoint] = response.status_code
        if response.status_code == 404 and "{" in template:
            # A 404 never leaks the other member's data.
            assert "Agence A" not in response.get_data(as_text=True)
    wanted = {e: exp[role] for e, _m, _t, exp in ROUTES if e not in SIGNING_OUT}
    assert seen == wanted
    everywhere = client.post("/account/sign-out-everywhere")
    assert everywhere.status_code == SIGNING_OUT["members.sign_out_everywhere"][role]
    assert client.post("/logout").status_code == 302
