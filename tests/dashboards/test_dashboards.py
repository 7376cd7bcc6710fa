"""Dashboards: figures against hand-computed values, statement counts that do not
grow with the data, tenancy and privacy route by route, exports, portal, digest."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import func, select

from core.extensions import db
from core.models import OutboxMessage
from core.security import Role
from dashboards import jobs, services
from dashboards.queries import indicators as indicators_queries
from dashboards.queries.common import Filters
from kpi.models import Measurement
from satisfaction.models import Response
from tests.dashboards.conftest import NOW
from tests.statements import statements

PERIOD = {"since": "2025-07-01", "until": "2026-06-30"}
FILTERS = Filters(since=date(2025, 7, 1), until=date(2026, 6, 30))


def test_figures_match_hand_computed_values(
    member_with_data,
) -> None:
    member, _user, _client, _contact = member_with_data(
        name="Alpha",
    )
    dash = services.member_dashboard(member.id, FILTERS, now=NOW)
    # NPS: 3 promoters, 2 detractors of 6 → 100 × (3 − 2) / 6.
    assert dash.latest["nps"].n == 6
    assert round(dash.latest["nps"].value, 2) == 16.67
    # CSAT: 4 of 6 answers at 4–5.
    assert round(dash.latest["csat"].value, 2) == 66.67
    # Response rate: 6 answered of 8 sent.
    assert dash.rate_total["sent"] == 8 and dash.rate_total["answered"] == 6
    assert dash.rate_total["rate"] == 75.0
    # Latest month CPC = 60 ÷ 40 = 1.5, target 1.40 (lower is better): missed by
    # 0.10 ≤ 10 % of 1.40 → at risk.
    [row] = dash.indicators
    assert row["value"] == Decimal("1.5000")
    assert row["status"] == "at_risk"
    # The quarter's CPC is Σcost ÷ Σclicks = 160 ÷ 240, not the mean of 0.5 and 1.5.
    indicator = indicators_queries.get_indicator(member.id, row["id"])
    [summary] = services.project_summaries([indicator], "quarter")
    assert summary.table["value"].tolist() == [Decimal("0.6667")]


def test_fewer_than_five_answers_show_the_answers_not_a_score(
    client,
    auth,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    add_answers,
) -> None:
    member = make_member(name="Bêta")
    user = make_member_user(member)
    contact = make_contact(make_client(member))
    add_answers(make_project(member), contact, nps=[9, 3])
    auth.login(user)
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "2 réponses" in html and "moins de 5 réponses" in html


def test_board_review_counts_and_compliance(
    client,
    auth,
    make_staff,
    make_member,
    member_with_data,
) -> None:
    alpha, *_ = member_with_data(
        name="Alpha",
    )
    bare = make_member(name="Sans projet")
    review = services.board_review(FILTERS, today=NOW.date())
    assert review.counts == {
        "members": 2,
        "active_projects": 1,
        "clients": 1,
        "members_with_projects": 1,
    }
    rows = {r.member_id: r for r in review.compliance}
    assert rows[alpha.id].lights == {
        "agreed": "green",
        "sent": "green",
        "rate": "green",
        "alerts": "green",
        "complaints": "green",
    }
    assert (
        rows[bare.id].lights["sent"] == "red"
        and rows[bare.id].lights["agreed"] == "none"
    )
    assert review.by_service["sea"]["at_risk"] == 1
    auth.login(make_staff(Role.BOARD))
    html = client.get("/board/review", query_string=PERIOD).get_data(as_text=True)
    assert "Non conforme" in html and "Conforme" in html
    assert f"/board/review/members/{alpha.id}" in html


def _page_statements(client, url: str) -> int:
    with statements() as seen:
        response = client.get(url, query_string=PERIOD)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return len(seen)


def test_statement_counts_do_not_grow_with_the_data(
    client,
    auth,
    make_staff,
    member_with_data,
) -> None:
    board = make_staff(Role.BOARD)
    member, user, *_ = member_with_data(
        name="Alpha",
        projects=1,
    )
    auth.login(user)
    small_member = _page_statements(client, "/dashboard")
    project_id = services.member_dashboard(member.id, FILTERS, now=NOW).projects[0][
        "id"
    ]
    small_project = _page_statements(client, f"/dashboard/projects/{project_id}")
    auth.logout()
    auth.login(board)
    small_board = _page_statements(client, "/board/review")
    auth.logout()
    # Three times the projects, indicators, measurements and answers; more members.
    for n in range(3):
        member_with_data(
            name=f"Autre {n}",
            projects=3,
        )
    auth.login(board)
    assert _page_statements(client, "/board/review") == small_board
    auth.logout()
    auth.login(user)
    assert (
        _page_statements(client, f"/dashboard/projects/{project_id}") == small_project
    )
    assert _page_statements(client, "/dashboard") == small_member


def test_a_member_never_sees_another_members_figures(
    client,
    auth,
    member_with_data,
) -> None:
    alpha, _alpha_user, *_ = member_with_data(
        name="Alpha",
    )
    _beta, beta_user, *_ = member_with_data(
        name="Beta",
    )
    alpha_dash = services.member_dashboard(alpha.id, FILTERS, now=NOW)
    alpha_project = alpha_dash.projects[0]["id"]
    alpha_indicator = alpha_dash.indicators[0]["id"]
    auth.login(beta_user)
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "Campagne Beta 0" in html and "Campagne Alpha" not in html
    assert client.get(f"/dashboard/projects/{alpha_project}").status_code == 404
    assert (
        client.get(f"/dashboard/indicators/{alpha_indicator}/rows").status_code == 404
    )
    assert (
        client.get(
            f"/dashboard/indicators/{alpha_indicator}/rows?format=csv"
        ).status_code
        == 404
    )
    answers = client.get(
        "/dashboard/answers", query_string={**PERIOD, "metric": "nps"}
    ).get_data(as_text=True)
    assert "Campagne Beta 0" in answers and "Campagne Alpha" not in answers
    csv = client.get("/dashboard/export/indicators.csv", query_string=PERIOD).get_data(
        as_text=True
    )
    assert "Campagne Beta 0" in csv and "Alpha" not in csv
    # Another member's client in the filter is refused, not shown.
    assert (
        client.get("/dashboard", query_string={"client": "999999"}).status_code == 400
    )
    # Member staff cannot open the board's pages.
    assert client.get("/board/review").status_code == 403
    assert client.get(f"/board/review/members/{alpha.id}").status_code == 403


def test_comparison_needs_five_contributing_members(
    member_with_data,
) -> None:
    members = [
        member_with_data(
            name=f"M{n}",
        )[0]
        for n in range(4)
    ]
    [nps] = [
        c for c in services.comparison(members[0].id, FILTERS) if c.metric == "nps"
    ]
    assert (
        nps.spread.contributors == 4
        and not nps.spread.is_shown
        and nps.spread.median is None
    )
    members.append(
        member_with_data(
            name="M4",
        )[0]
    )
    [nps] = [
        c for c in services.comparison(members[0].id, FILTERS) if c.metric == "nps"
    ]
    assert nps.spread.is_shown and nps.spread.median == 16.7


def test_board_never_sees_contacts_personal_data(
    client,
    auth,
    make_staff,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    add_answers,
) -> None:
    member = make_member(name="Gamma")
    contact = make_contact(
        make_client(member), name="Josiane Secrète", email="josiane@client.example"
    )
    project = make_project(member)
    add_answers(project, contact, nps=[9] * 5, text="Texte privé", share=False)
    add_answers(project, contact, nps=[9] * 5, text="Texte partagé", share=True)
    auth.login(make_staff(Role.BOARD))
    for url in (
        "/board/review",
        f"/board/review/members/{member.id}",
        "/board/report?year=2026",
    ):
        html = client.get(
            url, query_string=PERIOD if "report" not in url else None
        ).get_data(as_text=True)
        assert "Josiane" not in html and "josiane@client.example" not in html
        assert "Texte privé" not in html
    assert "Texte partagé" in client.get("/board/review", query_string=PERIOD).get_data(
        as_text=True
    )
    csv = client.get(
        "/board/review/export/compliance.csv", query_string=PERIOD
    ).get_data(as_text=True)
    assert "Josiane" not in csv


def test_exports_open_as_csv_and_xlsx(
    client,
    auth,
    make_staff,
    member_with_data,
) -> None:
    member_with_data(
        name="Alpha",
    )
    auth.login(make_staff(Role.BOARD))
    for table in ("compliance", "scores", "indicators_by_service", "response_rates"):
        csv = client.get(f"/board/review/export/{table}.csv", query_string=PERIOD)
        assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
        xlsx = client.get(f"/board/review/export/{table}.xlsx", query_string=PERIOD)
        frame = pd.read_excel(io.BytesIO(xlsx.data))
        assert len(frame) == len(pd.read_csv(io.BytesIO(csv.data), sep=";"))
    scores = pd.read_csv(
        io.BytesIO(
            client.get("/board/review/export/scores.csv", query_string=PERIOD).data
        ),
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
    )
    nps = scores[(scores["Score"] == "Recommandation (NPS)")]
    assert nps["Réponses"].tolist() == [6] and round(nps["Valeur"].iloc[0], 2) == 16.67
    assert client.get("/board/review/export/compliance.pdf").status_code == 404
    assert (
        client.get("/board/review", query_string={"since": "pas une date"}).status_code
        == 400
    )
    assert (
        client.get(
            "/board/review", query_string={"since": "2026-06-01", "until": "2026-01-01"}
        ).status_code
        == 400
    )


def test_client_portal_magic_link(
    client,
    app,
    mailbox,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    add_indicator,
) -> None:
    member = make_member(name="Delta")
    make_member_user(member, email="admin@delta.example")
    own = make_client(member, name="Mon client")
    contact = make_contact(own, name="Paul Client", email="paul@client.example")
    project = make_project(member, client=own, title="Mon projet")
    add_indicator(project, values={date(2026, 1, 1): "120"})
    other = make_project(
        member,
        client=make_client(member, name="Autre client"),
        title="Projet d'un autre",
    )
    unknown = client.post("/portal", data={"email": "personne@nulle.example"})
    known = client.post("/portal", data={"email": "Paul@client.example"})
    assert unknown.status_code == known.status_code == 302
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.to_address for m in messages] == ["paul@client.example"]
    token = messages[0].body_text.split("/portal/link/")[1].split()[0]
    response = client.get(f"/portal/link/{token}")
    assert (
        response.status_code == 302
        and response.headers["Referrer-Policy"] == "no-referrer"
    )
    html = client.get("/portal/projects").get_data(as_text=True)
    assert "Mon projet" in html and "Projet d'un autre" not in html
    page = client.get(f"/portal/projects/{project.id}")
    assert page.status_code == 200 and "120" in page.get_data(as_text=True)
    assert client.get(f"/portal/projects/{other.id}").status_code == 404
    asked = client.post(
        f"/portal/projects/{project.id}/question",
        data={"message": "Quand livrez-vous ?"},
    )
    assert asked.status_code == 302
    question = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "admin@delta.example")
    )
    assert question is not None and "Quand livrez-vous ?" in question.body_text
    assert (
        client.post(
            f"/portal/projects/{project.id}/question", data={"message": "  "}
        ).status_code
        == 400
    )
    # The link is single use.
    client.post("/portal/logout")
    assert client.get(f"/portal/link/{token}").status_code == 410
    assert client.get("/portal/projects").status_code == 302
    assert client.get("/portal/link/nimportequoi").status_code == 410
    assert contact.id


def test_portal_links_are_rate_limited_per_address(
    app, make_member, make_client, make_contact
) -> None:
    make_contact(make_client(make_member()), email="lea@client.example")
    sent = [
        services.request_portal_link(
            "lea@client.example", now=NOW + timedelta(minutes=n)
        )
        for n in range(5)
    ]
    assert sent == [True, True, True, False, False]
    assert services.request_portal_link(
        "lea@client.example", now=NOW + timedelta(hours=2)
    )


def test_portal_link_expires(app, make_member, make_client, make_contact) -> None:
    make_contact(make_client(make_member()), email="lea@client.example")
    services.request_portal_link("lea@client.example", now=NOW)
    message = db.session.scalar(select(OutboxMessage))
    token = message.body_text.split("/portal/link/")[1].split()[0]
    try:
        services.consume_portal_link(token, now=NOW + timedelta(minutes=31))
    except services.DashboardError:
        pass
    else:  # pragma: no cover
        raise AssertionError("an expired link was accepted")
    assert (
        services.consume_portal_link(token, now=NOW + timedelta(minutes=29))
        == "lea@client.example"
    )


def test_monthly_digest_once_per_recipient_and_month_in_their_language(
    app, make_staff, make_member, make_member_user
) -> None:
    make_staff(Role.BOARD, locale="en")
    make_member_user(make_member(), locale="fr")
    assert jobs.monthly_digest(NOW) == 2
    assert jobs.monthly_digest(NOW + timedelta(days=3)) == 0
    subjects = sorted(m.subject for m in db.session.scalars(select(OutboxMessage)))
    assert subjects == ["Qualicharte : le mois de mai 2026", "Qualicharte: May 2026"]
    assert jobs.monthly_digest(NOW + timedelta(days=30)) == 2


def test_demo_loader_is_idempotent(app) -> None:
    loaders = app.extensions["qualicharte.demo"]
    for loader in loaders.values():
        loader("small")
    counts = (
        db.session.scalar(select(db.func.count()).select_from(Measurement)),
        db.session.scalar(select(db.func.count()).select_from(Response)),
    )
    assert loaders["dashboards"]("small") == "0 measurements, 0 responses added"
    assert counts[0] > 0 and counts[1] > 0


def test_monthly_values_are_written_in_the_readers_number_format(
    client, auth, member_with_data
) -> None:
    member, user, *_ = member_with_data(name="Alpha")
    [row] = services.member_dashboard(member.id, FILTERS, now=NOW).indicators
    auth.login(user)
    page = client.get(f"/dashboard/projects/{row['project_id']}").get_data(as_text=True)
    # The latest month's cost per click: 60 € ÷ 40 clicks.
    assert (
        f'data-testid="value-{row["id"]}-2026-02">1,5</td><td>60</td><td>40</td>'
        in page
    )
    assert "1.5000" not in page
    rows = client.get(f"/dashboard/indicators/{row['id']}/rows").get_data(as_text=True)
    assert "<td>1,5</td><td>60</td><td>40</td>" in rows
    user.locale = "en"  # a signed-in user reads in the language of their account
    db.session.commit()
    english = client.get(f"/dashboard/projects/{row['project_id']}").get_data(
        as_text=True
    )
    assert f'data-testid="value-{row["id"]}-2026-02">1.5</td>' in english


def test_a_portal_link_request_is_answered_before_the_address_is_looked_up(
    client, make_member, make_client, make_contact
) -> None:
    """The answer cannot take longer for a client contact's address than for an
    unknown one: the lookup and the e-mail happen once it has left."""
    make_contact(make_client(make_member()), email="lea@client.example")
    for email, queued in (("lea@client.example", 1), ("personne@nulle.example", 0)):
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
        response = client.post("/portal", data={"email": email}, buffered=False)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/portal")
        count = select(func.count()).select_from(OutboxMessage)
        assert db.session.scalar(count) == 0  # answered: nothing looked up yet
        db.session.commit()
        response.close()
        assert db.session.scalar(count) == queued
