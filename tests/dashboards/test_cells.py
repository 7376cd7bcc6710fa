"""The cells the long tables repeat (a light, a score), written in Python: what a
reader sees in each, in French and in English, escaped."""

from __future__ import annotations

from flask_babel import force_locale

from dashboards.views.cells import cells
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
    rules = {"communication": "Vert : signée.", "scope": "Vert : écrit."}
    with app.test_request_context(), force_locale("fr"):
        html = cells().commitments({"scope": "red"}, titles, rules)
        pending = cells().commitments({}, titles.items(), rules)
    assert html.startswith(
        '<ul class="dash-commitments" data-testid="commitment-lights">'
    )
    assert (
        '<li class="dash-light-none" data-commitment="communication" data-light="none"'
        ' title="1. Communication : Sans objet. Vert : signée.">'
        '<span aria-hidden="true">1–</span>'
        '<span class="visually-hidden">Communication : Sans objet</span></li>'
    ) in html
    assert 'title="2. Périmètre &lt;écrit&gt; : Non conforme. Vert : écrit."' in html
    assert '<span aria-hidden="true">2○</span>' in html
    assert (
        pending == '<span class="small text-muted">calculés au prochain passage</span>'
    )
