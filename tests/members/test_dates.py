"""Plausible dates for projects and charter signatures (core.dates), on the
forms and in the services, with one message."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.security import Role
from members import services
from members.models import Project, ProjectStatus, ServiceType

YEAR_ONE = (
    "Date peu plausible (0001-01-01) : les dates antérieures au 2000-01-01 sont "
    "refusées, vérifiez l'année."
)
IN_1899 = (
    "Date peu plausible (1899-05-02) : les dates antérieures au 2000-01-01 sont "
    "refusées, vérifiez l'année."
)


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    assert match, f"no error shown for {field}"
    return unescape(match.group(1))


def _project(member, client, **dates):
    return services.create_project(
        None,
        member.id,
        client_id=client.id,
        title="Site",
        service_type=ServiceType.WEBSITE,
        scope="",
        deliverables="",
        exclusions="",
        status=ProjectStatus.ACTIVE,
        today=date(2026, 12, 6),
        **dates,
    )


def test_the_project_service_refuses_year_one_and_a_far_end(
    make_member, make_client
) -> None:
    member = make_member()
    client = make_client(member)
    with pytest.raises(services.MembersError) as refused:
        _project(member, client, starts_on=date(1, 1, 1), ends_on=None)
    assert (refused.value.field, str(refused.value)) == ("starts_on", YEAR_ONE)
    with pytest.raises(services.MembersError) as far:
        _project(member, client, starts_on=date(2025, 1, 1), ends_on=date(2090, 1, 1))
    assert far.value.field == "ends_on"
    assert str(far.value) == (
        "Date trop lointaine (2090-01-01) : au plus le 2036-12-06, vérifiez l'année."
    )
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    ok = _project(member, client, starts_on=date(2025, 1, 1), ends_on=date(2027, 6, 30))
    assert ok.starts_on == date(2025, 1, 1)


def test_the_project_form_shows_the_same_message_next_to_the_field(
    client, auth, make_member, make_member_user, make_client
) -> None:
    member = make_member()
    mine = make_client(member)
    auth.login(make_member_user(member))
    response = client.post(
        "/space/projects/new",
        data={
            "client_id": str(mine.id),
            "title": "Site",
            "service_type": "website",
            "starts_on": "0001-01-01",
            "ends_on": "",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert _field_error(response.get_data(as_text=True), "starts_on") == YEAR_ONE
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_a_signature_in_1899_is_refused_by_the_service_and_the_form(
    client, auth, make_member, make_staff
) -> None:
    member = make_member(signed=False)
    secretary = make_staff(Role.SECRETARIAT)
    with pytest.raises(services.MembersError) as refused:
        services.record_signature(
            secretary,
            member,
            charter_version="2024.1",
            signed_on=date(1899, 5, 2),
            today=date(2026, 1, 1),
        )
    assert (refused.value.field, str(refused.value)) == ("signed_on", IN_1899)
    auth.login(secretary)
    response = client.post(
        f"/admin/members/{member.id}/signature",
        data={"charter_version": "2024.1", "signed_on": "1899-05-02"},
    )
    assert response.status_code == 400
    assert _field_error(response.get_data(as_text=True), "signed_on") == IN_1899
    db.session.refresh(member)
    assert member.signed_on is None
