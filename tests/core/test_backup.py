"""Backups: taken while writers run, verified, restored identically onto an empty
instance (a fresh SQLite file or a fresh PostgreSQL database), refused onto one
that has data; a tampered archive fails; retention keeps the newest."""

from __future__ import annotations

import io
import json
import os
import tarfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core import audit, backup, create_app
from core.config import Config
from core.extensions import db
from core.models import AuditLog

# ---------------------------------------------------------------- pure functions


def test_compare_counts_names_each_table_that_differs() -> None:
    expected = {"a": 3, "b": 0, "c": 1}
    assert backup.compare_counts(expected, dict(expected)) == []
    assert backup.compare_counts(expected, {"a": 2, "b": 0, "d": 4}) == [
        "table a: 2 rows, manifest says 3",
        "table c: None rows, manifest says 1",
        "table d: 4 rows, manifest says None",
    ]


def test_compare_files_names_missing_extra_and_changed_files() -> None:
    one = backup.StoredFile("attachments", "x", 3, "aaa")
    two = backup.StoredFile("attachments", "y/z", 3, "bbb")
    changed = backup.StoredFile("attachments", "x", 3, "ccc")
    extra = backup.StoredFile("kpi-uploads", "u.bin", 1, "ddd")
    assert backup.compare_files([one, two], [two, one]) == []
    assert backup.compare_files([one, two], [changed, extra]) == [
        "file attachments/x: checksum or size differs",
        "file attachments/y/z: missing",
        "file kpi-uploads/u.bin: not in the manifest",
    ]


def test_archives_to_prune_keeps_the_newest_and_ignores_other_files() -> None:
    days = [backup.archive_name(datetime(2026, 1, d, 3, tzinfo=UTC)) for d in (3, 1, 2)]
    names = [*days, "notes.txt", ".lock"]
    assert backup.archives_to_prune(names, 2) == [days[1]]
    assert backup.archives_to_prune(names, 5) == []


def test_backup_settings_come_from_the_environment() -> None:
    default = Config(env={})
    assert (default.BACKUP_DIR, default.BACKUP_KEEP) == (None, 7)
    config = Config(env={"BACKUP_DIR": "/srv/backups", "BACKUP_KEEP": "30"})
    assert [config.BACKUP_DIR, config.BACKUP_KEEP] == ["/srv/backups", 30]


# ---------------------------------------------------------------- fixtures


@pytest.fixture()
def folders(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The suite's app keeps its files under ``tmp_path/source`` for this test."""
    root = tmp_path / "source"
    monkeypatch.setattr(app, "instance_path", str(root))
    monkeypatch.setitem(app.config, "MEDIATION_ATTACHMENT_DIR", str(root / "attach"))
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(root / "backups"))
    return root


def _fresh_database(suite_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the suite's kind, dropped afterwards (never the
    suite's own)."""
    url = make_url(suite_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{url.database}_restore_{os.getpid()}"
    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def empty_instance(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A second instance on a fresh database with the schema and no rows (as after
    ``flask db upgrade``) and empty folders."""
    for url in _fresh_database(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path):
        target = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "SQLALCHEMY_DATABASE_URI": url,
                "MEDIATION_ATTACHMENT_DIR": str(tmp_path / "target" / "attach"),
                "SESSION_COOKIE_SECURE": False,
            }
        )
        target.instance_path = str(tmp_path / "target")
        with target.app_context():
            db.create_all()
            db.session.remove()
        yield target
        with target.app_context():
            db.engine.dispose()


class Writers:
    """Threads that each commit audit rows and write attachment files (written
    aside, then renamed in: a file is whole or absent, as a careful writer does)."""

    def __init__(self, app: Flask, staging: Path, count: int = 3) -> None:
        self.app, self.staging = app, staging
        self.rows = 0
        self.lock = threading.Condition()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._write, args=(n,)) for n in range(count)
        ]

    def _write(self, number: int) -> None:
        from kpi.services.uploads import uploads_folder
        from mediation import files

        with self.app.app_context():
            i = 0
            while not self.stop.is_set():
                i += 1
                audit.record(None, "backup.test", object_type="w", object_id=i)
                staged = self.staging / f"{number}-{i}"
                staged.write_bytes(os.urandom(2000 + i))
                folder = uploads_folder() if i % 5 == 0 else files.storage_dir()
                staged.replace(folder / f"w{number}-{i}.bin")
                db.session.commit()
                with self.lock:
                    self.rows += 1
                    self.lock.notify_all()
            db.session.remove()

    def wait_for(self, rows: int) -> None:
        with self.lock:
            assert self.lock.wait_for(lambda: self.rows >= rows, timeout=60)

    def __enter__(self) -> Writers:
        self.staging.mkdir(parents=True, exist_ok=True)
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def _invoke(instance: Flask, *args: str) -> Any:
    """Run ``flask`` on ``instance`` (the CLI runner would reuse the suite's app
    context that every test runs in)."""
    with instance.app_context():
        return instance.test_cli_runner().invoke(args=list(args))


def _files_of(instance: Flask) -> dict[str, bytes]:
    found = {}
    for name, folder in backup.backup_folders(instance).items():
        for entry, path in backup.walk_files(name, folder):
            found[f"{name}/{entry.path}"] = path.read_bytes()
    return found


def _manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r:gz") as archive:
        member = archive.extractfile(backup.MANIFEST)
        assert member is not None
        return json.loads(member.read())  # type: ignore[no-any-return]


def _rewrite(path: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    with tarfile.open(path, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            handle = source.extractfile(member)
            assert handle is not None
            data = change(member.name, handle.read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


# ---------------------------------------------------------------- the drill


def test_a_backup_taken_while_writers_run_verifies_and_restores_identically(
    app: Flask, runner: Any, folders: Path, empty_instance: Flask, tmp_path: Path
) -> None:
    archive = tmp_path / "nightly.tar.gz"
    db.session.commit()
    with Writers(app, tmp_path / "staging") as writers:
        writers.wait_for(30)
        created = runner.invoke(args=["backup", "create", str(archive)])
        manifest = _manifest(archive)
        # Writers kept going during and after the backup.
        writers.wait_for(manifest["tables"]["core_audit_log"] + 15)
    assert created.exit_code == 0, created.output
    assert (
        manifest["dialect"]
        == make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    )
    saved_rows = manifest["tables"]["core_audit_log"]
    assert saved_rows >= 30
    assert db.session.scalar(select(db.func.count(AuditLog.id))) > saved_rows
    assert {f["folder"] for f in manifest["files"]} == {"attachments", "kpi-uploads"}
    assert len(manifest["files"]) >= saved_rows  # each saved row has its file

    verified = runner.invoke(args=["backup", "verify", str(archive)])
    assert verified.exit_code == 0, verified.output
    assert "OK: every row count and every file checksum match" in verified.output

    restored = _invoke(empty_instance, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert f"restored files: {len(manifest['files'])}" in restored.output
    with empty_instance.app_context():
        url = db.engine.url
        restored_ids = set(db.session.scalars(select(AuditLog.id)))
        db.session.remove()
    counts, revision = backup.count_rows(url)
    assert counts == manifest["tables"]
    assert revision == manifest["alembic_revision"]
    assert len(restored_ids) == saved_rows
    assert restored_ids <= set(db.session.scalars(select(AuditLog.id)))
    restored_files = _files_of(empty_instance)
    assert sorted(restored_files) == sorted(
        f"{f['folder']}/{f['path']}" for f in manifest["files"]
    )
    source_files = _files_of(app)
    assert all(source_files[name] == data for name, data in restored_files.items())


def test_a_restored_complaint_serves_its_attachment(
    app: Flask,
    runner: Any,
    folders: Path,
    empty_instance: Flask,
    make_member: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """The failure of the issue: after a database-only restore, attachments 404."""
    from core.security import new_token
    from mediation import services
    from mediation.files import Upload
    from mediation.models import Attachment

    pdf = b"%PDF-1.4\n" + os.urandom(5000)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    complaint = services.file_complaint(
        name="Client",
        company="Société",
        email="client@plaignant.example",
        locale="fr",
        member_id=make_member().id,
        project_id=None,
        project_label="Site vitrine",
        facts="Le site devait être livré en janvier, il ne l'est toujours pas.",
        expectations="Une date de livraison ferme.",
        uploads=[Upload("devis.pdf", "application/pdf", pdf)],
        now=now,
    )
    token, complaint.verification_token_hash = new_token()
    db.session.commit()
    access = services.verify_complaint(token, now=now).access_token
    attachment_id = db.session.scalar(select(Attachment.id))
    archive = tmp_path / "a.tar.gz"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0

    assert _invoke(empty_instance, "backup", "restore", str(archive)).exit_code == 0
    client = empty_instance.test_client()
    assert client.get(f"/complaints/follow/{access}").status_code == 302
    response = client.get(f"/complaints/{complaint.id}/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == pdf


def test_a_tampered_archive_fails_verify_naming_the_file(
    app: Flask, runner: Any, folders: Path, tmp_path: Path
) -> None:
    audit.record(None, "backup.test", object_type="w", object_id=1)
    db.session.commit()
    with app.app_context():
        from mediation import files

        (files.storage_dir() / "proof.pdf").write_bytes(b"%PDF-1.4 original")
    archive, tampered = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0

    def change(name: str, data: bytes) -> bytes:
        return b"%PDF-1.4 forged!!" if name.endswith("proof.pdf") else data

    _rewrite(archive, tampered, change)
    result = runner.invoke(args=["backup", "verify", str(tampered)])
    assert result.exit_code == 1, result.output
    assert "DIFFERS: file attachments/proof.pdf: checksum or size differs" in (
        result.output
    )
    assert runner.invoke(args=["backup", "verify", str(archive)]).exit_code == 0


def test_restore_is_refused_onto_an_instance_with_rows_or_files(
    app: Flask, runner: Any, folders: Path, empty_instance: Flask, tmp_path: Path
) -> None:
    audit.record(None, "backup.test", object_type="w", object_id=1)
    db.session.commit()
    archive = tmp_path / "a.tar.gz"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0

    onto_data = runner.invoke(args=["backup", "restore", str(archive)])
    assert onto_data.exit_code == 1
    assert "refused: the database is not empty: core_audit_log (1 rows)" in (
        onto_data.output
    )
    attach = Path(empty_instance.config["MEDIATION_ATTACHMENT_DIR"])
    attach.mkdir(parents=True)
    (attach / "left-over").write_bytes(b"x")
    onto_files = _invoke(empty_instance, "backup", "restore", str(archive))
    assert onto_files.exit_code == 1
    assert "refused: the folder attachments" in onto_files.output
    with empty_instance.app_context():
        assert db.session.scalar(select(db.func.count(AuditLog.id))) == 0
        db.session.remove()


def test_the_job_makes_one_backup_a_day_and_keeps_the_newest(
    app: Flask, folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    first = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    made = [backup.scheduled_backup(first + timedelta(days=d)) for d in range(4)]
    again = backup.scheduled_backup(first + timedelta(days=3, hours=5))

    assert again is None  # today's backup exists already
    assert all(path is not None for path in made)
    kept = sorted(p.name for p in (folders / "backups").glob("*.tar.gz"))
    assert kept == [backup.archive_name(first + timedelta(days=d)) for d in (2, 3)]
    assert _manifest(folders / "backups" / kept[-1])["created_at"] == (
        (first + timedelta(days=3)).isoformat()
    )
