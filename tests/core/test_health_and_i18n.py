from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core import create_app
from core.i18n import FEATURE_PACKAGES, ROOT
from tests.conftest import free_port


def test_healthz_answers_503_with_a_reason_when_the_database_is_unreachable() -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["database"].startswith("unreachable")


def _catalogue(package: str):
    path = ROOT / package / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle)


def _extracted(package: str) -> set[str | tuple[str, ...]]:
    method_map = [
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2"),
        ("**/templates/**.txt", "jinja2"),
    ]
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / package),
        method_map=method_map,
        keywords={
            "_": None,
            "_l": None,
            "gettext": None,
            "lazy_gettext": None,
            "ngettext": (1, 2),
            "lazy_ngettext": (1, 2),
        },
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


@pytest.mark.parametrize(
    "package", [p for p in FEATURE_PACKAGES if (ROOT / p).is_dir()]
)
def test_every_french_message_has_an_english_translation(package: str) -> None:
    catalogue = _catalogue(package)
    messages = _extracted(package)
    if not messages:
        return
    assert catalogue is not None, f"{package} has strings but no English catalogue"
    translated = {
        (m.id if isinstance(m.id, str) else tuple(m.id))
        for m in catalogue
        if m.id
        and (all(m.string) if isinstance(m.string, (list, tuple)) else m.string)
        and not m.fuzzy
    }
    missing = sorted(str(m) for m in messages - translated)
    assert missing == [], f"{package}: {len(missing)} untranslated: {missing[:10]}"


def test_compiled_catalogues_are_up_to_date() -> None:
    for package in FEATURE_PACKAGES:
        po = ROOT / package / "translations" / "en" / "LC_MESSAGES" / "messages.po"
        if po.exists():
            mo = po.with_suffix(".mo")
            assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
                f"run `make translations`: {mo.relative_to(Path(ROOT))} is missing or stale"
            )


def test_unknown_api_urls_answer_problem_json(client) -> None:
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404
    assert response.get_json()["title"] == "Page introuvable"


def test_a_message_given_to_abort_reaches_the_error_page(
    client, auth, make_staff
) -> None:
    from core.security import Role

    auth.login(make_staff(Role.BOARD))
    page = client.get("/board/review/export/compliance.csv?since=hier")
    assert page.status_code == 400
    assert "vérifiez les dates (AAAA-MM-JJ)" in page.get_data(as_text=True)
    # Werkzeug's own (English) descriptions still give way to ours.
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.get_data(as_text=True)
    assert "requested URL was not found" not in missing.get_data(as_text=True)
