"""French typography in every page: decimal commas, "1er janvier", units that
agree with their number, the association named with its article."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import render_template, render_template_string
from flask_babel import force_locale

from core import i18n


def test_numbers_take_the_readers_decimal_mark(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        with force_locale("fr"):
            assert i18n.decimal(16.666) == "16,7"
            assert i18n.decimal(Decimal("-4.25"), 2) == "-4,25"
            assert i18n.decimal(None) == "–"
            assert render_template_string("{{ 3.84|decimal }} / 5") == "3,8 / 5"
        with force_locale("en"):
            assert i18n.decimal(16.666) == "16.7"


def test_the_first_of_a_month_is_an_ordinal_in_french(app) -> None:  # type: ignore[no-untyped-def]
    assert i18n.first_of_month("1 janvier 2026", "fr") == "1er janvier 2026"
    assert i18n.first_of_month("jeudi 1 janvier 2026", "fr") == "jeudi 1er janvier 2026"
    assert i18n.first_of_month("11 janvier 2026", "fr") == "11 janvier 2026"
    assert i18n.first_of_month("21 mars 2026", "fr") == "21 mars 2026"
    assert i18n.first_of_month("January 1, 2026", "en") == "January 1, 2026"
    with app.test_request_context(), force_locale("fr"):
        page = render_template_string(
            "{{ day|dateformat('long') }} · {{ at|datetimeformat('medium') }}",
            day=date(2026, 3, 1),
            at=datetime(2026, 1, 1, 9, 30, tzinfo=UTC),
        )
        assert page.startswith("1er mars 2026 · 1er janv. 2026")
        assert "10:30" in page  # Paris time


@pytest.mark.parametrize(
    ("locale", "value", "unit", "shown"),
    [
        ("fr", 1, "incidents", "incident"),
        ("fr", 2, "incidents", "incidents"),
        ("fr", Decimal("1.5"), "visites", "visite"),
        ("fr", 0, "pages vues", "page vue"),
        ("fr", 1, "€", "€"),
        ("fr", 1, "s", "s"),
        ("fr", 1, "%", "%"),
        ("en", 1, "incidents", "incident"),
        ("en", Decimal("1.5"), "visits", "visits"),
        ("fr", None, "incidents", "incidents"),
    ],
)
def test_a_unit_agrees_with_its_number(app, locale, value, unit, shown) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context(), force_locale(locale):
        assert i18n.unit_for(unit, value) == shown


def test_the_association_is_named_with_its_article_in_french() -> None:
    name = "Association Numérique Alpes du Sud"
    assert i18n.association_in_text(name, None, "fr") == "l'" + name
    assert i18n.association_in_text(name, None, "en") == name
    assert (
        i18n.association_in_text("Fédération X", "la Fédération X", "fr")
        == "la Fédération X"
    )
    assert i18n.association_in_text("Réseau 05", None, "fr") == "Réseau 05"


def test_the_public_home_says_de_l_association(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").get_data(as_text=True).replace("&#39;", "'")
    assert "Les adhérents de l'Association Numérique Alpes du Sud" in html


def test_an_internal_note_is_not_called_internal_twice(app) -> None:  # type: ignore[no-untyped-def]
    events = [
        SimpleNamespace(
            kind=kind,
            visibility="internal",
            created_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
            author_role=None,
            author_label="",
            occurred_on=None,
            detail={},
            text="",
            attachments=[],
        )
        for kind in ("note", "message")
    ]
    with app.test_request_context("/mediation/1"), force_locale("fr"):
        html = render_template("mediation/_timeline.html", events=events)
    assert "Note interne" in html
    # The note's name says it; a message kept internal gets the badge.
    assert html.count(">interne<") == 1


def test_quarters_read_as_people_write_them(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        with force_locale("fr"):
            assert render_template_string("{{ '2026-Q1'|quarter }}") == "T1 2026"
            assert i18n.quarter("2026-03") == "2026-03"  # not a quarter: as is
        with force_locale("en"):
            assert i18n.quarter("2026-Q4") == "Q4 2026"
