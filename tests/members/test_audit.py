"""The audit log, read by the secretariat and the board: sign-ins (and failures),
sign-outs and use cases are in it; filters, pages and the CSV export work, and the
export is itself recorded. Member staff cannot see it."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from core import audit
from core.extensions import db
from core.models import AuditLog
from core.security import Role
from tests.conftest import TEST_PASSWORD


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_sign_ins_their_failures_and_sign_outs_are_recorded(
    client, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    client.post("/login", data={"email": user.email, "password": "mauvais"})
    client.post("/login", data={"email": "inconnu@x.example", "password": "mauvais"})
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    client.post("/logout")

    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.action.like("user.%")).order_by(AuditLog.id)
    ).all()
    tail = [(e.action, e.actor_label) for e in entries][-4:]
    assert tail == [
        ("user.sign_in_failed", user.email),
        ("user.sign_in_failed", "inconnu@x.example"),
        ("user.signed_in", user.email),
        ("user.signed_out", user.email),
    ]


def test_a_reset_request_and_an_account_change_are_recorded(
    client, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    client.post("/password/forgot", data={"email": user.email})
    client.post("/password/forgot", data={"email": "inconnu@x.example"})
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    client.post("/account", data={"full_name": "Léa Renommée", "locale": "fr"})

    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.object_id == user.id).order_by(AuditLog.id)
    ).all()
    actions = [e.action for e in entries]
    assert actions.count("user.password_reset_requested") == 1  # not the unknown one
    assert actions[-1] == "user.account_updated"
    assert entries[-1].actor_label == user.email


def test_the_secretariat_filters_the_log_and_exports_it(
    client, auth, make_staff, make_member
) -> None:
    secretary = make_staff(Role.SECRETARIAT)
    alpes = make_member("Alpes Web")
    make_member("Durance SEO")
    auth.login(secretary)

    page = client.get(f"/admin/audit?member={alpes.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "member.onboard" in html or "member." in html
    assert "Alpes Web" in html
    assert "Durance SEO" not in html.split("<tbody>")[1]

    by_action = client.get("/admin/audit?action=user.signed_in")
    assert secretary.email in by_action.get_data(as_text=True)
    assert "1 entrée" in by_action.get_data(as_text=True)

    export = client.get(f"/admin/audit.csv?member={alpes.id}")
    assert export.status_code == 200
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(
        csv.reader(
            io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"
        )
    )
    assert rows[0] == ["Date", "Qui", "Action", "Objet", "N°", "Adhérent", "Détail"]
    assert rows[1:] and all(row[5] == "Alpes Web" for row in rows[1:])
    assert _actions()[-1] == "audit.exported"


def test_a_formula_in_a_logged_value_is_exported_as_text(
    client, auth, make_staff
) -> None:
    board = make_staff(Role.BOARD)
    audit.record(
        None, "test.formula", object_type="x", object_id=1, label="=HYPERLINK(1)"
    )
    db.session.commit()
    auth.login(board)
    export = client.get("/admin/audit.csv?action=test.formula")
    assert "'=HYPERLINK(1)" in export.get_data(as_text=True)


def test_the_log_is_paged_and_odd_filters_get_a_400_not_a_500(
    client, auth, make_staff
) -> None:
    board = make_staff(Role.BOARD)
    for i in range(120):
        audit.record(None, "test.bulk", object_type="x", object_id=i)
    db.session.commit()
    auth.login(board)
    last = client.get("/admin/audit?action=test.bulk&page=3")
    assert last.status_code == 200
    assert "Page 3 / 3" in last.get_data(as_text=True)
    beyond = client.get("/admin/audit?action=test.bulk&page=99")
    assert "Page 3 / 3" in beyond.get_data(as_text=True)
    for query in (
        "page=0",
        "page=99999999999999999999",
        "since=2026-13-45",
        "member=abc",
        "member=99999999999999999999",
    ):
        assert client.get(f"/admin/audit?{query}").status_code == 400, query


def test_member_staff_cannot_read_the_log(
    client, auth, make_member, make_member_user
) -> None:
    auth.login(make_member_user(make_member()))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
