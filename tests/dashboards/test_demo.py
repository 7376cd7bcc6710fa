"""The demo looks like a real association: most members compliant, a few not,
for reasons one can read on their page."""

from __future__ import annotations

from core.database import utcnow
from core.security import Role
from dashboards import services
from dashboards.queries.common import Filters


def test_after_loading_the_demo_most_members_are_compliant(
    app, client, auth, make_staff
) -> None:
    for loader in app.extensions["qualicharte.demo"].values():
        loader("small")
    today = utcnow().date()
    since, until = services.default_period(today)
    rows = services.compliance(Filters(since=since, until=until), today=today)
    assert len(rows) >= 5
    failing = [r for r in rows if "red" in r.lights.values()]
    compliant = [r for r in rows if r not in failing]
    # Most members compliant, a few not (one in six in the demo).
    assert len(compliant) > 2 * len(failing) and failing
    # Every compliant member has had its clients agree its indicators.
    assert all(
        r.agreed == r.projects for r in compliant if r.lights["agreed"] != "amber"
    )
    auth.login(make_staff(Role.BOARD))
    for row in failing:
        red = {k for k, v in row.lights.items() if v == "red"}
        assert red == {"agreed"}, (row.name, row.lights)
        page = client.get(
            f"/board/review/members/{row.member_id}",
            query_string={"since": since.isoformat(), "until": until.isoformat()},
        )
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        # The reason: each project not agreed says the request is unanswered.
        assert html.count('data-testid="agreement-reason"') == row.projects - row.agreed
        assert html.count("sans réponse") >= row.projects - row.agreed


def test_the_demo_shows_every_kind_of_commitment_light(app) -> None:
    for loader in app.extensions["qualicharte.demo"].values():
        loader("small")
    today = utcnow().date()
    since, until = services.default_period(today)
    rows = {
        r.name: r.commitments
        for r in services.compliance(Filters(since=since, until=until), today=today)
    }
    # An exemplary member: every commitment it can prove is green.
    assert {v for v in rows["Lure Référencement"].values()} == {"green", "none"}
    # The member whose project is in breach: red where its records say so.
    flagged = rows["Buëch Informatique"]
    assert flagged["scope"] == flagged["durability"] == "red"
    assert flagged["costs_deadlines"] == flagged["follow_up"] == "amber"
    # The profile's commitments: Lure keeps both; Buëch lists skills but no
    # training nor watch source; Gap Studio Web has recorded nothing.
    assert rows["Lure Référencement"]["expertise"] == "green"
    assert rows["Lure Référencement"]["watch"] == "green"
    assert (flagged["expertise"], flagged["watch"]) == ("amber", "red")
    assert (
        rows["Gap Studio Web"]["expertise"] == rows["Gap Studio Web"]["watch"] == "red"
    )
