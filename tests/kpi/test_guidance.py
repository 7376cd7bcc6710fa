"""Dead ends become guidance on the KPI pages: an oversized import is said on
the import form, next to its field, with the limit; deleting a value and undoing
an import ask first, on a page that needs no script."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from core.extensions import db
from kpi import services
from kpi.models import ImportBatch, Measurement
from tests.kpi.conftest import export_bytes

EXPORT = "plausible_visitors.csv"


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
    html = _post_big_file(client, a.project.id, 3 * 1024 * 1024).get_data(as_text=True)
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


# ---------------------------------------------------------------- confirmations


def _confirmation(html: str) -> str:
    """The confirmation form: it reposts with confirmed=1, no script needed."""
    found = re.search(
        r'<div class="col-lg-8" data-testid="confirm">(.*?)</div>', html, re.S
    )
    assert found, "a confirmation page"
    body = found.group(1)
    assert '<input type="hidden" name="confirmed" value="1">' in body
    assert 'data-testid="confirm-button"' in body
    return body


def test_deleting_a_measurement_asks_first_then_deletes(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", name="Visites", frequency="month")
    services.record_measurement(None, visits, day=date(2024, 3, 1), value="1250")
    measurement = db.session.scalar(select(Measurement))
    auth.login(a.admin)
    url = f"/space/measurements/{measurement.id}/delete"

    asked = client.post(url)
    assert asked.status_code == 200
    body = _confirmation(asked.get_data(as_text=True))
    assert "Êtes-vous sûr de vouloir supprimer cette mesure ?" in body
    assert "Visites" in body and "1 250" in body.replace("\u202f", " ").replace(
        "\xa0", " "
    )
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 1

    done = client.post(url, data={"confirmed": "1"})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_undoing_an_import_asks_first_then_undoes(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    clicks = make_indicator(a.project, "audience", frequency="day")
    auth.login(a.admin)
    uploaded = client.post(
        f"/space/projects/{a.project.id}/imports",
        data={"file": (io.BytesIO(export_bytes(EXPORT)), EXPORT)},
        content_type="multipart/form-data",
    )
    preview = uploaded.headers["Location"]
    client.post(f"{preview}/confirm", data={"target-0": str(clicks.id)})
    batch = db.session.scalar(select(ImportBatch))
    stored = db.session.scalar(select(func.count()).select_from(Measurement))
    assert stored > 0

    asked = client.post(f"/space/imports/{batch.id}/undo")
    assert asked.status_code == 200
    body = _confirmation(asked.get_data(as_text=True))
    assert f"annuler l&#39;import du fichier « {EXPORT} »" in body
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).undone_at is None

    done = client.post(f"/space/imports/{batch.id}/undo", data={"confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).undone_at is not None
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_the_indicator_agreement_e_mail_links_to_the_client_portal(
    agency, make_contact, make_indicator
) -> None:
    from core.models import OutboxMessage

    a = agency()
    contact = make_contact(a.client, name="Léa Martin", email="lea@client.example")
    make_indicator(a.project, "audience")
    services.send_agreement(a.admin, a.project, contact_id=contact.id)
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_address == "lea@client.example"
    assert re.search(r"https?://\S+/portal\b", message.body_text)
    assert "espace client" in message.body_text
