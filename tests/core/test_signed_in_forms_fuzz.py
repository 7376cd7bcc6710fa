"""Every form a signed-in person can reach, one field at a time given a number
no column holds or thousands of digits: never a server error.

The pages are found by following the links of the app from the home page, as
each role sees it; each form is posted with its own defaults but one field.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.extensions import limiter
from core.security import Role
from tests.conftest import Auth
from tests.satisfaction.conftest import world  # noqa: F401 (a fixture)

HOSTILE = ("9" * 5000, str(2**63), str(-(2**31) - 1))
MAX_PAGES = 120
# Forms that would end the crawl (sign out, disable the crawler's account) or
# only delete what the crawl needs; their inputs are ids checked like any other.
SKIPPED_ACTIONS = ("logout", "/active", "/delete", "/revoke", "/withdraw", "/undo")
SKIPPED_LINKS = (".csv", ".xlsx", ".pdf", ".svg", "/assets/", "/static/", "/dev/")


class PageParser(HTMLParser):
    """The same-site links and the forms of a page (fields with defaults)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form":
            self._form = {}
            method = a.get("method", "get").lower()
            self.forms.append((method, a.get("action", ""), self._form))
        elif self._form is not None and tag in ("input", "textarea", "select"):
            name = a.get("name")
            if name and a.get("type") not in ("file", "submit"):
                self._form.setdefault(name, a.get("value", ""))
            self._select = name if tag == "select" else None
        elif (
            tag == "option"
            and self._form is not None
            and self._select
            and not self._form.get(self._select)
        ):
            self._form[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


Forms = list[tuple[str, str, dict[str, str]]]


def _crawl(client: FlaskClient) -> dict[str, Forms]:
    """Pages reachable from the home page, with their forms."""
    seen: dict[str, Forms] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or any(skip in path for skip in SKIPPED_LINKS):
            continue
        response = client.get(path)
        assert response.status_code < 500, path
        parser = PageParser()
        if response.mimetype == "text/html":
            parser.feed(response.get_data(as_text=True))
        seen[path] = parser.forms
        queue.extend(link for link in parser.links if link not in seen)
    return seen


def _fuzz_forms(client: FlaskClient, pages: dict[str, Forms]) -> int:
    sent = 0
    done: set[tuple[str, str, tuple[str, ...]]] = set()
    for page, forms in pages.items():
        for method, action, fields in forms:
            target = action or page
            if method != "post":  # the form's fields replace the query string
                target = urlsplit(target).path
            key = (method, target, tuple(sorted(fields)))
            if key in done or any(skip in target for skip in SKIPPED_ACTIONS):
                continue
            done.add(key)
            for name in fields:
                if name == "csrf_token":
                    continue
                for value in HOSTILE:
                    data = fields | {name: value}
                    response = (
                        client.post(target, data=data)
                        if method == "post"
                        else client.get(target, query_string=data)
                    )
                    assert response.status_code < 500, (target, name, value[:20])
                    sent += 1
    return sent


@pytest.fixture()
def unlimited() -> Any:
    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.mark.parametrize(
    "role", [Role.MEMBER_ADMIN, Role.MEMBER_USER, Role.SECRETARIAT, Role.BOARD]
)
def test_every_reachable_form_takes_impossible_numbers_without_a_server_error(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    world: Callable[..., Any],  # noqa: F811
    make_staff: Callable[..., Any],
    unlimited: None,
    role: Role,
) -> None:
    w = world(contacts=2)
    user = {Role.MEMBER_ADMIN: w.admin, Role.MEMBER_USER: w.user}.get(role)
    auth.login(user or make_staff(role))
    pages = _crawl(client)
    assert len(pages) >= 5
    assert _fuzz_forms(client, pages) >= 3


@pytest.mark.parametrize(
    "days", ["9" * 5000, str(2**63), "99999999999", "7, 2147483648"]
)
def test_a_campaign_with_impossible_reminder_days_is_refused(
    client: FlaskClient,
    auth: Auth,
    world: Callable[..., Any],  # noqa: F811
    days: str,
) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select

    from core.database import utcnow
    from core.extensions import db
    from satisfaction.models import Campaign

    w = world(campaign=False)
    auth.login(w.user)
    data = {
        "name": "Trimestriel",
        "questionnaire_id": str(w.questionnaire.id),
        "contact_ids": [str(c.id) for c in w.contacts],
        "kind": "every_n_months",
        "months": "3",
        "day_of_month": "1",
        "start_on": (utcnow().date() + timedelta(days=2)).isoformat(),
        "at": "09:30",
        "reminder_days": days,
        "max_reminders": "2",
        "link_valid_days": "30",
    }
    url = f"/space/projects/{w.project.id}/campaigns/new"
    assert client.post(url, data={**data, "action": "preview"}).status_code < 500
    assert client.post(url, data={**data, "action": "save"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
