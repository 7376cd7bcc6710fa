"""Factories of the records tests: a member's project with its staff and a
client contact, signed in or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from core.security import Role

#: The day the tests pretend it is (services take ``today``; pages use the clock,
#: so view tests use dates relative to the real day).
TODAY = date(2026, 6, 15)


@dataclass
class Setting:
    member: Any
    project: Any
    admin: Any
    contact: Any


@pytest.fixture()
def setting(make_member, make_member_user, make_project, make_contact) -> Setting:
    member = make_member("Agence Records")
    project = make_project(member, title="Site de la mairie")
    contact = make_contact(project.client, email="elu@mairie.example", name="Élu")
    admin = make_member_user(member, Role.MEMBER_ADMIN)
    return Setting(member=member, project=project, admin=admin, contact=contact)
