"""The dashboards read naturally in French: decimal commas, no stray words after a
score, screen-reader texts in French, counts that agree with their noun."""

from __future__ import annotations

import re
from html import unescape

from core.security import Role

PERIOD = {"since": "2025-07-01", "until": "2026-06-30"}


def _visible(html: str) -> str:
    html = re.sub(r"(?s)<script.*?</script>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_member_dashboard_has_decimal_commas_and_no_stray_words(
    client, auth, member_with_data
) -> None:
    members = [member_with_data(name=f"M{n}")[0:2] for n in range(5)]
    auth.login(members[0][1])
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    text = _visible(html)
    # The association's median NPS (16.666…) beside the member's own figures.
    assert "16,7" in text and "16.7" not in text
    assert not re.search(r"(?<![\d.])\d+\.\d+(?![\d.])", text), re.findall(
        r".{30}(?<![\d.])\d+\.\d+(?![\d.]).{10}", text
    )
    assert "pas de score) réponses" not in text
    assert "voir les réponses" in text
    # Screen-reader texts of the export links in French, not table codes.
    assert "(indicators)" not in html and "(response_rates)" not in html
    assert "CSV (indicateurs)" in text


def test_the_board_review_has_decimal_commas_and_french_link_texts(
    client, auth, make_staff, member_with_data, add_answers
) -> None:
    for n in range(5):
        member_with_data(name=f"M{n}")
    auth.login(make_staff(Role.BOARD))
    html = client.get("/board/review", query_string=PERIOD).get_data(as_text=True)
    text = _visible(html)
    assert "médiane 16,7" in text
    assert not re.search(r"(?<![\d.])\d+\.\d+(?![\d.])", text), re.findall(
        r".{30}(?<![\d.])\d+\.\d+(?![\d.]).{10}", text
    )
    assert "(compliance)" not in html and "CSV (tableau de conformité)" in text


def test_too_few_members_is_said_in_the_singular_for_one(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Seul")
    auth.login(make_staff(Role.BOARD))
    text = _visible(
        client.get("/board/review", query_string=PERIOD).get_data(as_text=True)
    )
    assert "1 adhérent seulement a 5 réponses ou plus" in text
    assert "seuls 1 adhérents" not in text


def test_a_value_of_one_takes_a_singular_unit(
    client, auth, make_member, make_member_user, make_project, add_indicator
) -> None:
    from datetime import date

    member = make_member(name="Parc")
    project = make_project(member)
    add_indicator(project, target="1", values={date(2026, 5, 1): "2"})
    auth.login(make_member_user(member))
    text = _visible(
        client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    )
    # The fixture's unit is "visites": a target of 1 reads "1 visite".
    assert "1 visite " in text + " " and "1 visites" not in text
    assert "2 visites" in text
