"""Compiled templates are kept on disk for every worker; a cache that cannot
be written costs a compilation, never a page."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from core import create_app
from core.templating import TemplateBytecodeCache


def _app(tmp_path: Path, **config: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}",
            **config,
        }
    )


def _load_login(app: Flask) -> None:
    with app.app_context():
        app.jinja_env.get_template("members/auth/login.html")


def test_a_page_once_compiled_is_loaded_from_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "compiled"
    first = _app(tmp_path, TEMPLATE_CACHE_DIR=str(folder))
    assert isinstance(first.jinja_env.bytecode_cache, TemplateBytecodeCache)
    _render_login_page(first)
    kept = sorted(folder.iterdir())
    assert len(kept) >= 2  # the sign-in page, its layout, its macros
    # Another process (here another app) loads them instead of compiling.
    second = _app(tmp_path, TEMPLATE_CACHE_DIR=str(folder))
    compiled: list[str] = []
    original = second.jinja_env.compile

    def counting_compile(source: str, *args: object, **kwargs: object) -> object:
        compiled.append(str(args[0] if args else kwargs.get("name")))
        return original(source, *args, **kwargs)  # type: ignore[arg-type]

    second.jinja_env.compile = counting_compile  # type: ignore[method-assign]
    _load_login(second)
    assert compiled == []
    assert "<form" in _render_login_page(second)
    assert compiled == []
    assert sorted(folder.iterdir()) == kept


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    app = _app(tmp_path, TEMPLATE_CACHE_DIR=str(tmp_path / "compiled"))
    with app.test_request_context("/"):
        assert render_template_string("{{ 1 + 1 }}") == "2"
    cache = app.jinja_env.bytecode_cache
    assert cache is not None
    for source, expected in (("a{{ 2 }}", "a2"), ("b{{ 3 }}", "b3")):
        bucket = cache.get_bucket(app.jinja_env, "page.html", None, source)
        assert bucket.code is None  # a new source: nothing kept for it yet
        code = app.jinja_env.compile(source, "page.html")
        bucket.code = code
        cache.set_bucket(bucket)
        again = cache.get_bucket(app.jinja_env, "page.html", None, source)
        assert again.code is not None
        assert (
            app.jinja_env.template_class.from_code(
                app.jinja_env, again.code, {}, None
            ).render()
            == expected
        )


def test_off_means_no_cache(tmp_path: Path) -> None:
    app = _app(tmp_path, TEMPLATE_CACHE_DIR="off")
    assert app.jinja_env.bytecode_cache is None
    assert "<form" in _render_login_page(app)


def test_a_folder_that_cannot_be_made_means_no_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="core.templating"):
        app = _app(tmp_path, TEMPLATE_CACHE_DIR=str(blocker / "compiled"))
    assert app.jinja_env.bytecode_cache is None
    assert "no template cache" in caplog.text
    assert "<form" in _render_login_page(app)


def test_a_cache_that_fails_later_still_serves_the_page(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "compiled"
    app = _app(tmp_path, TEMPLATE_CACHE_DIR=str(folder))
    folder.rmdir()  # removed under the running app: every write now fails
    with caplog.at_level(logging.WARNING, logger="core.templating"):
        assert "<form" in _render_login_page(app)
    assert "compiled template not kept" in caplog.text


def _render_login_page(app: Flask) -> str:
    response = app.test_client().get("/login")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_release_that_changes_a_filter_compiles_its_templates_anew(
    tmp_path: Path,
) -> None:
    """The same template source, kept by a release whose filter took a value
    only, then read by one whose filter wants the context too: the kept code
    would call it without the context (a 500 on every page using it)."""
    from jinja2 import DictLoader, pass_context

    folder = tmp_path / "compiled"
    source = "{{ 3|twice }}"

    def old_release() -> Flask:
        app = _app(tmp_path, TEMPLATE_CACHE_DIR=str(folder))
        app.jinja_env.filters["twice"] = lambda value: value * 2
        return app

    def new_release() -> Flask:
        app = _app(tmp_path, TEMPLATE_CACHE_DIR=str(folder))

        @pass_context
        def twice(context: object, value: int) -> int:
            return value * 2

        app.jinja_env.filters["twice"] = twice
        return app

    for make in (old_release, new_release, old_release):
        app = make()
        app.jinja_env.loader = DictLoader({"page.html": source})
        with app.app_context():
            assert app.jinja_env.get_template("page.html").render() == "6"
    # One compiled copy per release, each kept.
    assert len(list(folder.iterdir())) == 2
