"""Every public form, fuzzed: hypothesis replaces a few fields of a valid
submission with hostile text (NUL and control characters, very long strings,
right-to-left marks, emoji, huge integers). The answer is never a server error,
and a refused submission writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db, limiter
from core.mail import deliver_due
from core.models import OutboxMessage
from mediation.models import Complaint
from satisfaction.models import Answer, Invitation, Response
from satisfaction.recurrence import Recurrence
from tests.conftest import TEST_PASSWORD, Mailbox
from tests.satisfaction.conftest import (  # noqa: F401 (world: a fixture)
    answer_form,
    link_in,
    world,
)

EXAMPLES_PER_FORM = 25
FUZZ = settings(
    max_examples=EXAMPLES_PER_FORM,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
SPECIAL = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\x7f\x85",
    "\u202eevil\u202c",
    "שלום עולם",
    "مرحبا",
    "🎉👍🏽‍🔥",
    "\ufeff",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 5000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    " ",
    "",
]
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.builds(
        lambda char, n: char * n, st.characters(), st.sampled_from([300, 20_000])
    ),
)


def _count(model: Any) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture()
def unlimited() -> Iterator[None]:
    """The forms themselves are fuzzed, not the rate limits in front of them."""
    limiter.enabled = False
    try:
        yield
    finally:
        limiter.enabled = True


def fuzz(base: dict[str, str], check: Callable[[dict[str, str]], None]) -> int:
    """Run ``check`` on ``base`` with up to three of its fields made hostile;
    returns the number of examples run."""
    runs = 0
    changes = st.dictionaries(st.sampled_from(sorted(base)), HOSTILE, max_size=3)

    @FUZZ
    @given(changed=changes)
    def one(changed: dict[str, str]) -> None:
        nonlocal runs
        runs += 1
        check(base | changed)

    one()
    assert runs >= EXAMPLES_PER_FORM // 2
    return runs


def _no_server_error(response: Any, data: Any) -> None:
    assert response.status_code < 500, (response.status_code, data)


def test_sign_in(client: FlaskClient, make_staff: Any, unlimited: None) -> None:
    make_staff(email="staff@asso.example")

    def check(data: dict[str, str]) -> None:
        response = client.post("/login", data=data)
        _no_server_error(response, data)
        if data["password"] != TEST_PASSWORD or data["email"] != "staff@asso.example":
            assert response.status_code in (200, 400), data
        client.post("/logout")

    fuzz({"email": "staff@asso.example", "password": "wrong", "next": "/"}, check)


def test_password_reset_request_and_reset_page(
    client: FlaskClient, unlimited: None
) -> None:
    def forgot(data: dict[str, str]) -> None:
        _no_server_error(client.post("/password/forgot", data=data), data)
        assert _count(OutboxMessage) == 0  # nobody known: nothing queued

    fuzz({"email": "nobody@asso.example"}, forgot)

    def reset(data: dict[str, str]) -> None:
        path = f"/password/reset/{quote(data.pop('token'), safe='')}"
        _no_server_error(client.post(path, data=data), data)
        _no_server_error(client.get(path), data)

    fuzz(
        {"token": "abc", "full_name": "A", "password": "x" * 12, "confirm": "x"}, reset
    )


def test_complaint_form(
    client: FlaskClient, make_member: Any, make_project: Any, unlimited: None
) -> None:
    member = make_member()
    project = make_project(member)
    base = {
        "name": "Jeanne Martin",
        "company": "Boulangerie",
        "email": "jeanne@client.example",
        "locale": "fr",
        "member_id": str(member.id),
        "project_id": str(project.id),
        "project_label": "Site",
        "facts": "Le site n'a jamais été livré malgré trois relances.",
        "expectations": "La livraison du site.",
    }

    def check(data: dict[str, str]) -> None:
        before = _count(Complaint)
        response = client.post("/complaints/new", data=data)
        _no_server_error(response, data)
        # Filed whole (one complaint) or refused with nothing written.
        assert _count(Complaint) == before + (response.status_code == 302), data

    fuzz(base, check)

    def prefill(data: dict[str, str]) -> None:
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in data.items())
        _no_server_error(client.get(f"/complaints/new?{query}"), data)

    fuzz({"member": str(member.id), "project": str(project.id)}, prefill)


def test_lost_link_and_case_links(client: FlaskClient, unlimited: None) -> None:
    def lost(data: dict[str, str]) -> None:
        _no_server_error(client.post("/complaints/lost-link", data=data), data)
        assert _count(OutboxMessage) == 0

    fuzz({"reference": "MED-2026-0001", "email": "jeanne@client.example"}, lost)

    def links(data: dict[str, str]) -> None:
        token = quote(data["token"], safe="")
        for path in ("/complaints/verify/", "/complaints/follow/", "/portal/link/"):
            _no_server_error(client.get(path + token), data)

    fuzz({"token": "abc"}, links)


def test_client_portal_request(client: FlaskClient, unlimited: None) -> None:
    def check(data: dict[str, str]) -> None:
        _no_server_error(client.post("/portal", data=data), data)
        assert _count(OutboxMessage) == 0

    fuzz({"email": "someone@client.example"}, check)


def test_registry_and_language(
    client: FlaskClient, make_member: Any, unlimited: None
) -> None:
    member = make_member()

    def check(data: dict[str, str]) -> None:
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in data.items())
        for path in (
            "/registry",
            f"/registry/{member.id}",
            f"/registry/{member.id}/badge.svg",
        ):
            _no_server_error(client.get(f"{path}?{query}"), data)
        _no_server_error(client.post("/language", data=data), data)

    fuzz({"q": "agence", "lang": "fr", "page": "1", "locale": "en", "next": "/"}, check)


def test_survey_answer_page(
    app: Flask,
    world: Callable[..., Any],  # noqa: F811
    mailbox: Mailbox,
    unlimited: None,
) -> None:
    now = utcnow()
    w = world(
        contacts=1,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )
    from satisfaction import services

    services.send_due_invitations(now)
    deliver_due(now)
    path = urlsplit(link_in(Mailbox.text_of(mailbox.to(w.contacts[0].email)[0]))).path
    invitation = db.session.scalar(select(Invitation))
    assert invitation is not None
    questions = sorted(invitation.version.questions, key=lambda q: q.position)
    client = app.test_client()
    assert client.get(path).status_code == 302
    # Every question (text ones included) answered; each page in turn.
    happy = {key: values[0] for key, values in answer_form(questions).items()}

    def check(data: dict[str, str]) -> None:
        answers, responses = _count(Answer), _count(Response)
        response = client.post("/s/answer", data=data)
        _no_server_error(response, data)
        if response.status_code >= 400:
            assert (_count(Answer), _count(Response)) == (answers, responses), data
        _no_server_error(client.get(f"/s/answer?page={quote(data['page'])}"), data)

    text_keys = [f"q{q.id}" for q in questions if q.type.value == "text"]
    assert text_keys
    for key in text_keys:  # the measured failure, whatever hypothesis draws
        check(happy | {key: "Très\x00 bien", "page": "2", "action": "submit"})
    for page in ("1", "2"):
        fuzz(happy | {"page": page, "action": "save", "share_with_board": "1"}, check)

    def links(data: dict[str, str]) -> None:
        token = quote(data["token"], safe="")
        _no_server_error(client.get(f"/s/{token}"), data)
        _no_server_error(client.post(f"/s/unsubscribe/{token}"), data)

    fuzz({"token": "abc"}, links)
