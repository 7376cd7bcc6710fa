"""Fixtures of the satisfaction tests: a member with a project, contacts, the
charter questionnaire copied, and a campaign due at a fixed time."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.security import Role

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    member: Any
    admin: Any
    user: Any
    project: Any
    contacts: list[Any]
    questionnaire: Any
    campaign: Any | None = None


@pytest.fixture()
def world(
    make_member, make_member_user, make_client, make_contact, make_project
) -> Callable[..., World]:
    """``world(contacts=2, locales=("fr", "en"), campaign=True)``"""
    from satisfaction import services

    def make(
        *,
        contacts: int = 2,
        locales: tuple[str, ...] = ("fr", "en"),
        campaign: bool = True,
        name: str | None = None,
        **campaign_kwargs: Any,
    ) -> World:
        member = make_member(name=name)
        admin = make_member_user(member, Role.MEMBER_ADMIN, locale="fr")
        user = make_member_user(member, Role.MEMBER_USER)
        client = make_client(member)
        people = [
            make_contact(client, locale=locales[i % len(locales)], name=f"Contact {i}")
            for i in range(contacts)
        ]
        project = make_project(member, client=client)
        questionnaire = services.create_questionnaire(
            admin, member.id, title="Satisfaction", from_charter=True, now=NOW
        )
        result = World(member, admin, user, project, people, questionnaire)
        if campaign:
            result.campaign = make_campaign(result, **campaign_kwargs)
        return result

    return make


def make_campaign(world: World, **kwargs: Any) -> Any:
    from satisfaction import services
    from satisfaction.recurrence import Recurrence

    return services.create_campaign(
        world.admin,
        world.project,
        name=kwargs.pop("name", "Satisfaction"),
        questionnaire_id=kwargs.pop("questionnaire_id", world.questionnaire.id),
        contact_ids=kwargs.pop("contact_ids", [c.id for c in world.contacts]),
        recurrence=kwargs.pop("recurrence", Recurrence.once(NOW + timedelta(hours=1))),
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def link_in(text: str) -> str:
    found = re.search(r"https?://\S+/s/[A-Za-z0-9_-]{20,}", text)
    assert found, text
    return found.group(0)


def answer_form(questions: list[Any], **overrides: Any) -> dict[str, list[str]]:
    """A complete, happy set of answers to ``questions`` (charter questionnaire)."""
    form: dict[str, list[str]] = {}
    for question in questions:
        kind = question.type.value
        value = {
            "nps": "9",
            "csat": "5",
            "ces": "6",
            "rating_1_5": "4",
            "yes_no": "1",
            "single_choice": "0",
            "multiple_choice": "0",
            "text": "Très bien.",
        }[kind]
        form[f"q{question.id}"] = [value]
    for key, value in overrides.items():
        form[key] = value if isinstance(value, list) else [value]
    return form
