from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from core.database import utcnow
from core.extensions import db
from satisfaction import services
from satisfaction.links import invitation_token
from satisfaction.models import Invitation
from satisfaction.recurrence import Recurrence
from tests.satisfaction.conftest import answer_form


def test_explore(world, client) -> None:
    now = utcnow()
    w = world(contacts=3, now=now - timedelta(hours=2),
              recurrence=Recurrence.once(now - timedelta(hours=1)))
    stmts: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        stmts.append(statement.split("\n")[0][:150] + (" [many]" if executemany else ""))

    event.listen(db.engine, "before_cursor_execute", listener)
    services.send_due_invitations(now)
    print("\n=== send_due_invitations (3 contacts):", len(stmts))
    for s in stmts: print("   ", s)
    stmts.clear()
    inv = db.session.scalars(select(Invitation)).first()
    token = invitation_token(inv.campaign_id, inv.contact_id, inv.cycle)
    qs = sorted(inv.version.questions, key=lambda q: q.position)
    db.session.remove()
    for label, call in [
        ("GET link", lambda: client.get(f"/s/{token}")),
        ("GET page", lambda: client.get("/s/answer")),
        ("POST p1", lambda: client.post("/s/answer", data={**{k: v for k, v in answer_form(qs[:5]).items()}, "page": "1", "action": "next"})),
        ("GET page2", lambda: client.get("/s/answer?page=2")),
        ("POST p2", lambda: client.post("/s/answer", data={**answer_form(qs[5:], **{f"q{qs[7].id}": "3"}), "page": "2", "action": "submit"})),
    ]:
        stmts.clear()
        r = call()
        print(f"\n=== {label}: status {r.status_code}, {len(stmts)} statements")
        for s in stmts: print("   ", s)
    event.remove(db.engine, "before_cursor_execute", listener)
