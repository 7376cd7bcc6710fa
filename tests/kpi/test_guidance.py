"""Dead ends become guidance on the KPI pages: an oversized import is said on
the import form, next to its field, with the limit."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from core.extensions import db
from kpi.models import ImportBatch


def _post_big_file(client, project_id: int, size: int):
    # Encoded here, in memory: the test client would spool a big body to a
    # temporary file that nobody closes once the server refuses to read it.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"1;2\n" * (size // 4)), "big.csv")}
    )
    return client.post(
        f"/space/projects/{project_id}/imports",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_an_oversized_import_is_said_next_to_the_file_field_with_the_limit(
    app, client, auth, agency, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    a = agency()
    auth.login(a.admin)
    response = _post_big_file(client, a.project.id, 3 * 1024 * 1024)
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    # The import page with its form, not the bare error page.
    assert "Importer des valeurs" in html and 'enctype="multipart/form-data"' in html
    error = re.search(r'<div id="file-error"[^>]*>(.*?)</div>', html, re.S)
    assert error, html
    assert "dépasse la taille autorisée (2 Mo au plus)" in error.group(1)
    assert 'aria-describedby="file-error' in html
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_the_oversized_import_message_is_in_english_for_an_english_user(
    app, client, auth, agency, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    a = agency()
    a.admin.locale = "en"
    db.session.commit()
    auth.login(a.admin)
    html = _post_big_file(client, a.project.id, 3 * 1024 * 1024).get_data(
        as_text=True
    )
    assert "exceeds the allowed size (2 MB at most)" in html


def test_an_oversized_post_elsewhere_or_signed_out_keeps_the_plain_413(
    app, client, auth, agency, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    a = agency()
    # Signed out: nothing about the project is shown.
    response = _post_big_file(client, a.project.id, 3 * 1024 * 1024)
    assert response.status_code == 413
    assert a.project.title not in response.get_data(as_text=True)
    # Another member's project: no page of it either.
    other = agency("Autre agence")
    auth.login(other.admin)
    response = _post_big_file(client, a.project.id, 3 * 1024 * 1024)
    assert response.status_code == 413
    assert a.project.title not in response.get_data(as_text=True)
