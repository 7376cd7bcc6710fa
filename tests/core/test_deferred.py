"""Work deferred after a response (core.deferred): it runs once the response is
closed, and the links it builds point to the host the request came to."""

from __future__ import annotations

from flask import Flask

from core.deferred import after_response
from core.urls import external_url


def test_deferred_work_runs_after_the_response_with_the_requests_host(
    app: Flask,
) -> None:
    built: list[str] = []

    def build_link() -> None:
        built.append(external_url("members.login"))

    with app.test_request_context(base_url="https://adherents.example.org/"):
        run = after_response(build_link)
    assert built == []  # nothing before the response is closed
    run()
    assert built == ["https://adherents.example.org/login"]


def test_deferred_work_outside_a_request_uses_the_configured_address(
    app: Flask,
) -> None:
    built: list[str] = []
    with app.app_context():
        run = after_response(lambda: built.append(external_url("members.login")))
    run()
    assert built == [app.config["BASE_URL"].rstrip("/") + "/login"]
