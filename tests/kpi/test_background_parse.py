"""Big uploads: answered at once, parsed once in the background (a worker after
its response, or the scheduler's job), with a progress page, a clear message when
the parse dies, a retry, and never two parses of the same file."""

from __future__ import annotations

import io
import os
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from core.extensions import db
from kpi import jobs, services
from kpi.models import Measurement
from kpi.services import parsing, uploads

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
DAYS = 600
LINES = 60_000  # past BIG_LINES: parsed in the background


def _big_csv() -> bytes:
    """60,000 lines over 600 days (100 lines a day, each worth 1)."""
    first = date(2024, 1, 1)
    days = [(first + timedelta(days=n)).strftime("%d/%m/%Y") for n in range(DAYS)]
    body = "".join(f"{days[n % DAYS]};1\n" for n in range(LINES))
    return ("Jour;Visites\n" + body).encode()


@pytest.fixture()
def by_the_job(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No parse after the response: only the scheduler's job parses."""
    monkeypatch.setitem(app.config, "KPI_PARSE_AFTER_RESPONSE", False)


def _upload(client: Any, project_id: int, data: bytes, name: str = "big.csv") -> Any:
    # Encoded in memory: the test client would spool a big body to a
    # temporary file it does not close.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return client.post(
        f"/space/projects/{project_id}/imports",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _map(client: Any, url: str) -> Any:
    return client.post(
        f"{url}/mapping",
        data={
            "date_column": "Jour",
            "value_columns": ["Visites"],
            "date_format": "%d/%m/%Y",
            "decimal_separator": ",",
            "granularity": "day",
        },
    )


def test_a_big_upload_answers_at_once_and_the_job_parses_it(
    client, auth, agency, make_indicator, by_the_job
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    auth.login(a.admin)
    uploaded = _upload(client, a.project.id, _big_csv())
    assert uploaded.status_code == 302
    url = uploaded.headers["Location"]
    waiting = client.get(url)
    assert waiting.status_code == 202
    text = waiting.get_data(as_text=True)
    assert "lu en arrière-plan" in text
    assert 'http-equiv="refresh"' in text
    assert 'data-testid="kpi-parse-progress"' in text
    # The member can leave: the import page lists it.
    imports = client.get(f"/space/projects/{a.project.id}/imports")
    assert "big.csv" in imports.get_data(as_text=True)
    assert "analyse en cours" in imports.get_data(as_text=True)
    # Steps wait for the parse.
    assert _map(client, url).headers["Location"].endswith(url)

    assert jobs.parse_uploads(NOW) == 1
    assert "Associer les colonnes" in client.get(url).get_data(as_text=True)
    mapped = _map(client, url)
    assert mapped.status_code == 302
    assert client.get(url).status_code == 202
    assert jobs.parse_uploads(NOW) == 1
    assert jobs.parse_uploads(NOW) == 0  # parsed once
    preview = client.get(url)
    assert preview.status_code == 200
    assert f"{DAYS} nouvelle(s) valeur(s)" in preview.get_data(as_text=True)

    confirmed = client.post(f"{url}/confirm", data={"target-0": str(visits.id)})
    assert confirmed.status_code == 302
    count, total = db.session.execute(
        select(func.count(), func.sum(Measurement.value)).where(
            Measurement.indicator_id == visits.id
        )
    ).one()
    assert (count, total) == (DAYS, Decimal(LINES))
    assert client.get(url).status_code == 404


def test_the_worker_parses_a_big_upload_after_its_response(
    client, auth, agency, app, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "KPI_PARSE_AFTER_RESPONSE", True)
    a = agency()
    auth.login(a.admin)
    uploaded = _upload(client, a.project.id, _big_csv())
    assert uploaded.status_code == 302
    # The test client closes the response: the deferred parse has run.
    page = client.get(uploaded.headers["Location"])
    assert page.status_code == 200
    assert "Associer les colonnes" in page.get_data(as_text=True)
    assert jobs.parse_uploads(NOW) == 0


def _start_big(agency_: Any) -> uploads.PendingUpload:
    return services.start_upload(
        agency_.admin, agency_.project, data=_big_csv(), file_name="big.csv"
    )


def test_a_claimed_upload_is_not_parsed_by_a_second_runner(agency) -> None:
    a = agency()
    pending = _start_big(a)
    assert pending.is_parsing
    assert parsing.claim(pending.id)  # another runner has it
    assert services.run_parse(pending.id) is False
    assert uploads.load_pending(pending.id).is_parsing
    os.unlink(uploads.side_path(pending.id, "claim"))
    assert services.run_parse(pending.id) is True
    assert services.run_parse(pending.id) is False
    assert uploads.load_pending(pending.id).columns == ["Jour", "Visites"]


def test_two_runners_at_once_parse_the_file_once(app, agency, monkeypatch) -> None:
    a = agency()
    pending = _start_big(a)
    calls = []
    real = parsing.parse_export

    def slow_parse(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        time.sleep(0.2)  # both runners are inside run_parse together
        return real(*args, **kwargs)

    monkeypatch.setattr(parsing, "parse_export", slow_parse)
    start = threading.Barrier(2)
    results: list[bool] = []

    def runner() -> None:
        with app.app_context():
            start.wait()
            results.append(services.run_parse(pending.id))

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(calls) == 1


def test_a_killed_parse_says_so_and_can_be_retried(
    client, auth, agency, by_the_job
) -> None:
    a = agency()
    auth.login(a.admin)
    url = _upload(client, a.project.id, _big_csv()).headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    # A runner claimed it, then died: nothing heard from it for an hour.
    assert parsing.claim(upload_id)
    hour_ago = time.time() - 3600
    os.utime(uploads.side_path(upload_id, "claim"), (hour_ago, hour_ago))
    page = client.get(url)
    assert page.status_code == 200
    assert "s'est interrompue" in page.get_data(as_text=True)
    assert "Relancer l'analyse" in page.get_data(as_text=True)
    assert jobs.parse_uploads(datetime.now(UTC)) == 0
    assert uploads.load_pending(upload_id).has_failed
    assert "s'est interrompue" in client.get(url).get_data(as_text=True)

    retried = client.post(f"{url}/retry")
    assert retried.status_code == 302
    assert client.get(url).status_code == 202
    assert jobs.parse_uploads(datetime.now(UTC)) == 1
    assert "Associer les colonnes" in client.get(url).get_data(as_text=True)


def test_a_crashed_parse_shows_a_clear_message(
    client, auth, agency, by_the_job, monkeypatch
) -> None:
    a = agency()
    auth.login(a.admin)
    url = _upload(client, a.project.id, _big_csv()).headers["Location"]

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(parsing, "parse_export", crash)
    assert jobs.parse_uploads(NOW) == 1
    page = client.get(url)
    assert page.status_code == 200
    assert "a échoué sur une erreur inattendue" in page.get_data(as_text=True)
    assert "analyse échouée" in client.get(
        f"/space/projects/{a.project.id}/imports"
    ).get_data(as_text=True)
    # Cancelling forgets it.
    client.post(f"{url}/cancel")
    assert client.get(url).status_code == 404


def test_a_refused_big_file_shows_the_reason(client, auth, agency, by_the_job) -> None:
    a = agency()
    auth.login(a.admin)
    data = ("Jour;Visites\n" + "\n" * 60_001).encode()
    url = _upload(client, a.project.id, data).headers["Location"]
    assert jobs.parse_uploads(NOW) == 1
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="kpi-parse-failed"' in page.get_data(as_text=True)


def test_every_real_export_comes_back_whole_from_the_kept_result(app) -> None:
    """The result is pickled without a memo (a tree, no shared references):
    each real export's series come back equal."""
    from pathlib import Path

    from kpi.errors import ImportRefused
    from kpi.importers import parse_export

    checked = 0
    for path in sorted(Path("tests/data/kpi-exports").rglob("*.*")):
        try:
            export = parse_export(path.read_bytes(), path.name)
        except ImportRefused:
            continue
        pending = uploads.PendingUpload(
            id=f"roundtrip-{checked:04d}-abcdefghijkl",
            member_id=0,
            project_id=0,
            user_id=None,
            file_name=path.name,
            sha256="",
            size=0,
            created_at="",
            is_big=True,
        )
        uploads.keep_result(pending, export)
        kept = uploads.stored_result(pending)
        uploads.discard_upload(pending)
        assert kept is not None
        assert kept.series == export.series, path.name
        # Exactly the same numbers, down to their written decimals (1.0 is not 1.00).
        assert [
            (p.period_start, str(p.value), str(p.numerator), str(p.denominator))
            for s in kept.series
            for p in s.points
        ] == [
            (p.period_start, str(p.value), str(p.numerator), str(p.denominator))
            for s in export.series
            for p in s.points
        ], path.name
        assert (kept.format, kept.period) == (export.format, export.period)
        assert [(r.line, str(r.reason)) for r in kept.rejected] == [
            (r.line, str(r.reason)) for r in export.rejected
        ]
        checked += 1
    assert checked >= 20
