"""The app's URL rules compile their builders on first use and build exactly
the URLs Werkzeug's own rules build."""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.routing import Map, Rule

from core.urls import BuiltOnFirstUseRule


def _sample_values(rule: Rule) -> dict[str, object]:
    """A value each argument's converter accepts (``any(a, b)``: its first)."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        choices = getattr(rule._converters.get(name), "items", None)
        values[name] = sorted(choices)[0] if choices else 7
    return values


def test_every_rule_builds_the_url_werkzeug_builds(app: Flask) -> None:
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    # Flask adds its static route before the app can choose the rule class.
    assert all(
        isinstance(rule, BuiltOnFirstUseRule)
        for rule in rules
        if rule.endpoint != "static"
    )
    reference = Map(
        [
            Rule(r.rule, endpoint=r.endpoint, methods=r.methods, defaults=r.defaults)
            for r in rules
        ],
        converters=app.url_map.converters,
    ).bind("qualicharte.test")
    ours = app.url_map.bind("qualicharte.test")
    for rule in rules:
        values = _sample_values(rule)
        for extra in ({}, {"page": 2, "q": "été & co"}):
            built = ours.build(rule.endpoint, {**values, **extra})
            assert built == reference.build(rule.endpoint, {**values, **extra})


def test_a_builder_is_compiled_once_on_first_use(app: Flask) -> None:
    rule = BuiltOnFirstUseRule("/essai/<int:number>", endpoint="essai")
    Map([rule])
    lazy = rule._build_unknown
    assert rule.build({"number": 3}) == ("", "/essai/3")
    assert rule.build({"number": 4, "x": "y"}) == ("", "/essai/4?x=y")
    compiled = rule._build_unknown
    assert compiled is not lazy
    assert rule.build({"number": 5, "x": "z"}) == ("", "/essai/5?x=z")
    assert rule._build_unknown is compiled


def test_url_for_in_a_request(app: Flask) -> None:
    with app.test_request_context("/"):
        assert url_for("members.login") == "/login"
        assert (
            url_for("members.login", next="/board/review")
            == "/login?next=/board/review"
        )
