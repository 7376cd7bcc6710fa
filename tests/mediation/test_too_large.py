"""An upload past the request's limit is said on the form that sent it, next to
its attachments and with the limits, not on a bare 413 page."""

from __future__ import annotations

import io
import re

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import TEST_PASSWORD

LIMIT = 12 * 1024 * 1024
BIG = 13 * 1024 * 1024


def _post(client, url: str, field: str, **fields: str):
    # Encoded in memory: the test client would spool a big body to a temporary
    # file that nobody closes once the server refuses to read it.
    values: dict = {
        **fields,
        field: FileStorage(io.BytesIO(b"%PDF" + b"0" * BIG), "big.pdf"),
    }
    boundary, body = encode_multipart(values)
    return client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _error(html: str, field_id: str) -> str:
    found = re.search(rf'<div id="{field_id}-error"[^>]*>(.*?)</div>', html, re.S)
    assert found, f"no error next to {field_id}"
    return found.group(1)


def test_the_public_complaint_form_says_the_files_are_too_big(
    app, client, make_member, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    make_member(name="Agence Durance")
    response = _post(client, "/complaints/new", "attachments", name="Léa")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'data-testid="complaint-form"' in html
    message = _error(html, "attachments")
    assert "12 Mo au plus pour l&#39;envoi, 10 Mo par fichier" in message
    assert "rien n&#39;a été enregistré" in message


def test_the_complainant_message_form_says_the_files_are_too_big(
    app, client, make_case, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    case = make_case("in_mediation")
    client.get(f"/complaints/follow/{case.token}")
    response = _post(
        client,
        f"/complaints/{case.id}/messages",
        "msg-attachments",
        **{"msg-text": "Voici"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert case.complaint.reference in html  # the case page itself
    assert "12 Mo au plus pour l&#39;envoi" in _error(html, "msg-attachments")


def test_the_case_page_entry_form_says_the_files_are_too_big(
    app, client, make_case, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    case = make_case("in_mediation")
    client.post(
        "/login", data={"email": case.secretary.email, "password": TEST_PASSWORD}
    )
    response = _post(client, f"/mediation/{case.id}/entries", "entry-attachments")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert case.complaint.reference in html
    assert "10 Mo par fichier" in _error(html, "entry-attachments")


def test_someone_else_s_case_is_not_shown_by_a_refused_upload(
    app, client, make_case, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    case = make_case("in_mediation")
    # No session for this case: the 404 it would get anyway, no case page.
    response = _post(client, f"/complaints/{case.id}/messages", "msg-attachments")
    assert response.status_code == 404
    assert case.complaint.reference not in response.get_data(as_text=True)
