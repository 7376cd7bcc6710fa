"""The frame's pages pass axe-core (no serious or critical violations), in both
languages, navigation bar included."""

from __future__ import annotations

import pytest

from core.security import Role

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/", "/registry", "/login", "/password/forgot"])
def test_public_pages_have_no_serious_accessibility_violations(
    page, serious_violations, make_member, path
) -> None:
    make_member("Accessible Web")
    page.goto(path)
    assert serious_violations(page) == []
    page.get_by_test_id("lang-switch").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []


def test_signed_in_pages_have_no_serious_accessibility_violations(
    page, serious_violations, make_member, make_member_user, make_project, make_staff
) -> None:
    member = make_member("Accessible Web")
    project = make_project(member)
    user = make_member_user(member, email="a11y@member.example")
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    for path in [
        "/space/clients",
        f"/space/projects/{project.id}",
        "/space/projects/new",
        "/space/team",
    ]:
        page.goto(path)
        assert serious_violations(page) == [], path
    page.get_by_role("button", name="Se déconnecter").click()
    secretary = make_staff(Role.SECRETARIAT, email="a11y@asso.example")
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(secretary.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    for path in ["/admin/members", f"/admin/members/{member.id}", "/admin/members/new"]:
        page.goto(path)
        assert serious_violations(page) == [], path
