"""The cells the long tables repeat (a light, a score), written in Python: what a
reader sees in each, in French and in English, escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import url_for
from flask_babel import force_locale

from dashboards.services import ComplianceRow
from dashboards.views.cells import cells, member_links
from satisfaction.scoring import Score


def _nps(n_promoters: int, n_detractors: int) -> Score:
    distribution = dict.fromkeys(range(11), 0)
    distribution[10], distribution[2] = n_promoters, n_detractors
    n = n_promoters + n_detractors
    value = 100 * (n_promoters - n_detractors) / n if n else None
    return Score(value, n, distribution, n >= 5)


def test_a_light_shows_its_symbol_word_and_escaped_detail(app) -> None:
    with app.test_request_context(), force_locale("fr"):
        green = cells().light("green", "3/4 <b>")
        bare = cells().light("red")
    assert green == (
        '<span class="dash-light dash-light-green"><span aria-hidden="true">●</span>'
        ' Conforme <span class="small">(3/4 &lt;b&gt;)</span></span>'
    )
    assert bare.endswith("○</span> Non conforme</span>")


def test_a_score_with_enough_answers_shows_its_margin_and_count(app) -> None:
    with app.test_request_context(), force_locale("fr"):
        html = cells().score(_nps(8, 2), "nps")
    assert html.startswith('<strong data-metric="nps">60</strong>')
    assert 'data-testid="margin-nps" title="Intervalle de confiance à 95 %">± ' in html
    assert "(entre " in html and html.endswith("(10 réponses)</span>")


def test_under_five_answers_the_answers_are_listed_not_scored(app) -> None:
    with app.test_request_context(), force_locale("fr"):
        few = cells().score(_nps(2, 1), "nps")
        none = cells().score(None, "nps")
    assert few == (
        '<span data-metric="nps">3 réponses : 2, 10 ×2</span>'
        ' <span class="small text-muted">(moins de 5 réponses : pas de score)</span>'
    )
    assert none == '<span class="text-muted">aucune réponse</span>'


def test_cells_speak_the_readers_language(app) -> None:
    with app.test_request_context(), force_locale("en"):
        few = cells().score(_nps(1, 0), "nps")
        scored = cells().score(_nps(8, 2), "nps")
        light = cells().light("amber")
    assert few.startswith('<span data-metric="nps">1 answer : 10</span>')
    assert "(fewer than 5 answers: no score)" in few
    assert 'title="95 % confidence interval"' in scored
    assert scored.endswith("(10 answers)</span>")
    assert "À améliorer" not in light


def test_a_members_commitments_show_one_titled_light_each(app) -> None:
    titles = {"communication": "Communication", "scope": "Périmètre <écrit>"}
    with app.test_request_context(), force_locale("fr"):
        html = cells().commitments({"scope": "red"}, titles)
        pending = cells().commitments({}, titles.items())
    assert html.startswith(
        '<ul class="dash-commitments" data-testid="commitment-lights">'
    )
    assert (
        '<li class="dash-light-none" data-commitment="communication" data-light="none"'
        ' title="1. Communication : Sans objet">'
        '<span aria-hidden="true">1–</span>'
        '<span class="visually-hidden">Communication : Sans objet</span></li>'
    ) in html
    assert 'title="2. Périmètre &lt;écrit&gt; : Non conforme"' in html
    assert '<span aria-hidden="true">2○</span>' in html
    assert (
        pending == '<span class="small text-muted">calculés au prochain passage</span>'
    )


def _row(**overrides: object) -> ComplianceRow:
    values: dict[str, object] = {
        "member_id": 42,
        "name": "Pixel & Durance",
        "department": "05",
        "mark_status": "granted",
        "projects": 4,
        "agreed": 3,
        "last_sent_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        "sent_recently": 1,
        "sent": 8,
        "answered": 6,
        "rate": 75.0,
        "open_alerts": 2,
        "complaints": None,
        "nps": _nps(6, 1),
        "lights": {
            "agreed": "amber",
            "sent": "green",
            "rate": "green",
            "alerts": "amber",
        },
        "commitments": {"scope": "red"},
    }
    values.update(overrides)
    return ComplianceRow(**values)  # type: ignore[arg-type]


def test_a_compliance_row_links_the_member_with_the_reviews_filters(app) -> None:
    titles = {"scope": "Périmètre"}
    with app.test_request_context(), force_locale("fr"):
        links = member_links({"department": "05", "service_type": "sea"})
        row = cells().compliance_row(_row(), titles, complaints=False, links=links)
        url = url_for(
            "dashboards.board_member", member_id=42, department="05", service_type="sea"
        )
    assert row.startswith(
        f'<tr>\n        <th scope="row"><a href="{url.replace("&", "&amp;")}">'
        "Pixel &amp; Durance</a>"
    )
    assert "department=05&amp;service_type=sea" in row
    assert '<span class="small text-muted">(05)</span></th>' in row
    cells_text = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert len(cells_text) == 6  # no complaints column
    assert "(3/4)" in cells_text[0] and "À améliorer" in cells_text[0]
    assert "(1er mars 2026)" in cells_text[1]
    assert "(75 %)" in cells_text[2]
    assert "(2)" in cells_text[3]
    assert 'data-metric="nps"' in cells_text[4]
    assert 'data-commitment="scope" data-light="red"' in cells_text[5]


def test_a_printed_compliance_row_has_no_link_and_says_never_in_english(app) -> None:
    row = _row(
        last_sent_at=None,
        rate=None,
        complaints=1,
        lights={
            "agreed": "green",
            "sent": "red",
            "rate": "none",
            "alerts": "green",
            "complaints": "amber",
        },
    )
    with app.test_request_context(), force_locale("en"):
        printed = cells().compliance_row(row, {}, complaints=True, links=None)
    assert "<a " not in printed
    assert '<th scope="row">Pixel &amp; Durance <span' in printed
    cells_text = re.findall(r"<td>(.*?)</td>", printed, re.S)
    assert len(cells_text) == 7
    assert "(never)" in cells_text[1] and "(nothing sent)" in cells_text[2]
    assert "(1)" in cells_text[4]


def test_member_links_build_each_url_as_url_for_does(app) -> None:
    with app.test_request_context():
        links = member_links({"since": "2026-01-01", "q": "a b&c"})
        for member_id in (1, 987, 987654321987, 10**15):
            assert links.member(member_id) == url_for(
                "dashboards.board_member",
                member_id=member_id,
                since="2026-01-01",
                q="a b&c",
            )
            if links.evidence is not None:
                assert links.evidence(member_id) == url_for(
                    "evidence.page", member_id=member_id
                )
