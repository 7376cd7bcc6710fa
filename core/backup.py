"""Backups that restore everything: the database and every stored file, one archive.

An archive (``.tar.gz``) holds ``manifest.json``, the database (``database.sqlite3``
taken with SQLite's backup API, or ``database.pgdump`` from ``pg_dump -Fc`` of the
snapshot in which the rows were counted) and ``files/<folder>/<path>`` for every
file of the folders features register with :func:`register_backup_folder`.

The database is taken first, then the files: a row committed before the dump has
its file on disk already (features write the file before they commit), so a
restore never has a row without its file.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from core.database import utcnow
from core.errors import AppError
from core.extensions import db

MANIFEST = "manifest.json"
FILES_ROOT = "files"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ARCHIVE_PREFIX = "qualicharte-"
# Not a row of anyone's data: an instance after `flask db upgrade` is still empty.
SCHEMA_TABLES = {"alembic_version"}

# The job ticks hourly but makes one archive a day: the first tick of each UTC day.
BACKUP_JOB_MINUTES = 60

FolderGetter = Callable[[], Path]


class BackupError(AppError):
    """A backup cannot be made, read or restored (the message says why)."""


@dataclass(frozen=True)
class StoredFile:
    folder: str
    path: str  # relative to the folder, with "/"
    size: int
    sha256: str


# ---------------------------------------------------------------- what is backed up


def register_backup_folder(app: Flask, name: str, getter: FolderGetter) -> None:
    """Back up every file under ``getter()`` (called in an app context) as ``name``."""
    folders: dict[str, FolderGetter] = app.extensions.setdefault(
        "qualicharte.backup_folders", {}
    )
    folders[name] = getter


def backup_folders(app: Flask) -> dict[str, Path]:
    """The folders whose files a backup holds, by name, as configured for ``app``."""
    getters: dict[str, FolderGetter] = app.extensions.get(
        "qualicharte.backup_folders", {}
    )
    with app.app_context():
        return {name: Path(getter()) for name, getter in getters.items()}


def backup_dir(app: Flask) -> Path:
    return Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")


def database_url(app: Flask) -> URL:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() not in DB_MEMBERS:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise BackupError("cannot back up an in-memory SQLite database")
    return url


# ---------------------------------------------------------------- pure helpers


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def walk_files(name: str, folder: Path) -> Iterator[tuple[StoredFile, Path]]:
    """Every regular file under ``folder`` (sorted), with its checksum."""
    if not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for filename in sorted(files):
            path = Path(root) / filename
            if not path.is_file() or path.is_symlink():
                continue
            relative = path.relative_to(folder).as_posix()
            try:
                entry = StoredFile(name, relative, path.stat().st_size, sha256_of(path))
            except FileNotFoundError:  # removed while we walked: not ours to keep
                continue
            yield entry, path


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """One line per table whose row count differs (or that is missing)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want != got:
            problems.append(f"table {table}: {got} rows, manifest says {want}")
    return problems


def compare_files(expected: list[StoredFile], actual: list[StoredFile]) -> list[str]:
    """One line per file missing, extra, or whose size or checksum differs."""
    want = {(f.folder, f.path): f for f in expected}
    got = {(f.folder, f.path): f for f in actual}
    problems = []
    for key in sorted(set(want) | set(got)):
        label = "/".join(key)
        if key not in got:
            problems.append(f"file {label}: missing")
        elif key not in want:
            problems.append(f"file {label}: not in the manifest")
        elif want[key] != got[key]:
            problems.append(f"file {label}: checksum or size differs")
    return problems


def archives_to_prune(names: list[str], keep: int) -> list[str]:
    """The archive names beyond the ``keep`` newest (names sort by time)."""
    ours = sorted(
        n for n in names if n.startswith(ARCHIVE_PREFIX) and n.endswith(".tar.gz")
    )
    return ours[: max(len(ours) - max(keep, 1), 0)]


def archive_name(now: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{now:%Y-%m-%dT%H%M%SZ}.tar.gz"


# ---------------------------------------------------------------- the database


def _connect(url: URL, **options: Any) -> Any:
    return create_engine(url, poolclass=NullPool, **options)


def _count_rows(connection: Connection) -> tuple[dict[str, int], str | None]:
    """Rows per table and the Alembic revision, as the connection sees them."""
    quote = connection.dialect.identifier_preparer.quote
    counts = {}
    for table in sorted(inspect(connection).get_table_names()):
        sql = text(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = int(connection.execute(sql).scalar_one())
    revision = None
    if counts.get("alembic_version"):
        revision = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalar()
    return counts, revision


def count_rows(url: URL) -> tuple[dict[str, int], str | None]:
    engine = _connect(url)
    try:
        with engine.connect() as connection:
            return _count_rows(connection)
    finally:
        engine.dispose()


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for ``url`` (the password stays out of the command line)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _run(command: list[str], url: URL) -> None:
    done = subprocess.run(command, env=_pg_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def dump_database(url: URL, target: Path) -> tuple[dict[str, int], str | None]:
    """Copy the live database to ``target``; the counts are those of the copy."""
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(str(url.database))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: a consistent read snapshot
        finally:
            copy.close()
            source.close()
        return count_rows(URL.create("sqlite", database=str(target)))
    engine = _connect(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = _count_rows(connection)
            _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(target)], url)
            connection.rollback()
        return counts
    finally:
        engine.dispose()


def load_database(url: URL, dump: Path, *, replace: bool = False) -> None:
    """Restore ``dump`` into the database at ``url`` (its tables are replaced)."""
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(str(url.database))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    command += ["--single-transaction", "--dbname", str(url.database), str(dump)]
    if replace:  # empty tables of `flask db upgrade`: recreated from the dump
        command[1:1] = ["--clean", "--if-exists"]
    _run(command, url)


@contextmanager
def scratch_database(url: URL, folder: Path) -> Iterator[URL]:
    """An empty database of the same kind as ``url``, removed afterwards."""
    if url.get_backend_name() == "sqlite":
        yield URL.create("sqlite", database=str(folder / "verify.sqlite3"))
        return
    name = f"{str(url.database)[:40]}_verify_{os.getpid()}"  # < 63 characters
    admin = _connect(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name)
        finally:
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                )
    finally:
        admin.dispose()


# ---------------------------------------------------------------- the archive


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _add_files(archive: tarfile.TarFile, folders: dict[str, Path]) -> list[StoredFile]:
    stored = []
    for name, folder in sorted(folders.items()):
        for entry, path in walk_files(name, folder):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            # The bytes archived are the bytes summed, even if the file changed.
            entry = StoredFile(
                name, entry.path, len(data), hashlib.sha256(data).hexdigest()
            )
            _add_bytes(archive, f"{FILES_ROOT}/{name}/{entry.path}", data)
            stored.append(entry)
    return stored


def create_archive(
    app: Flask, path: Path, *, now: datetime | None = None
) -> dict[str, Any]:
    """Write the database, every stored file and the manifest to ``path``.

    The archive is written beside ``path`` and renamed at the end: a half-written
    backup never carries the final name.
    """
    url = database_url(app)
    folders = backup_folders(app)
    dialect = url.get_backend_name()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DB_MEMBERS[dialect]
        counts, revision = dump_database(url, dump)
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            files = _add_files(archive, folders)
            manifest = {
                "format": 1,
                "created_at": (now or utcnow()).isoformat(),
                "dialect": dialect,
                "alembic_revision": revision,
                "database": {"path": dump.name, "sha256": sha256_of(dump)},
                "tables": counts,
                "folders": sorted(folders),
                "files": [f.__dict__ for f in files],
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
    partial.replace(path)
    return manifest


def _safe_member(member: tarfile.TarInfo) -> PurePosixPath:
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"unexpected entry in the archive: {member.name!r}")
    return name


def extract_archive(path: Path, scratch: Path) -> tuple[dict[str, Any], Path]:
    """Unpack ``path`` into ``scratch`` (``files/<folder>/…`` and the database).

    :raises BackupError: not a readable archive, no manifest, or a strange entry.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                target = scratch / _safe_member(member)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                with source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {path}: {error}") from error
    if not (scratch / MANIFEST).is_file():
        raise BackupError(f"{path} has no {MANIFEST}: not a Qualicharte backup")
    manifest: dict[str, Any] = json.loads((scratch / MANIFEST).read_text())
    return manifest, scratch / manifest["database"]["path"]


def _manifest_files(manifest: dict[str, Any]) -> list[StoredFile]:
    return [StoredFile(**entry) for entry in manifest["files"]]


def _files_in(folders: dict[str, Path]) -> list[StoredFile]:
    return [entry for name, f in folders.items() for entry, _ in walk_files(name, f)]


def _check_dialect(manifest: dict[str, Any], url: URL) -> None:
    if manifest["dialect"] != url.get_backend_name():
        raise BackupError(
            f"this backup is of a {manifest['dialect']} database; the instance uses "
            f"{url.get_backend_name()}"
        )


# ---------------------------------------------------------------- verify and restore


def verify_archive(app: Flask, path: Path) -> tuple[dict[str, Any], list[str]]:
    """Restore ``path`` into a scratch database and folder; list every difference."""
    url = database_url(app)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        manifest, dump = extract_archive(path, scratch / "archive")
        _check_dialect(manifest, url)
        problems = []
        if sha256_of(dump) != manifest["database"]["sha256"]:
            problems.append(f"database {dump.name}: checksum differs")
        with scratch_database(url, scratch) as target:
            load_database(target, dump)
            counts, _revision = count_rows(target)
        problems += compare_counts(manifest["tables"], counts)
        restored = scratch / "archive" / FILES_ROOT  # the scratch folder
        folders = {name: restored / name for name in manifest["folders"]}
        problems += compare_files(_manifest_files(manifest), _files_in(folders))
    return manifest, problems


def _refuse_unless_empty(url: URL, folders: dict[str, Path]) -> bool:
    """Whether the database has tables (all empty); refuse when anything is stored."""
    counts, _revision = count_rows(url)
    full = {t: n for t, n in counts.items() if n and t not in SCHEMA_TABLES}
    if full:
        listed = ", ".join(f"{t} ({n} rows)" for t, n in sorted(full.items())[:5])
        raise BackupError(f"refused: the database is not empty: {listed}")
    for name, folder in folders.items():
        if next(walk_files(name, folder), None) is not None:
            raise BackupError(f"refused: the folder {name} ({folder}) has files")
    return bool(counts)


def restore_archive(app: Flask, path: Path) -> tuple[list[str], list[str]]:
    """Restore ``path`` onto this instance, which must be empty: what was done, and
    any difference with the manifest afterwards.

    :raises BackupError: the instance has data or files, or the archive is bad.
    """
    url = database_url(app)
    folders = backup_folders(app)
    has_tables = _refuse_unless_empty(url, folders)
    with tempfile.TemporaryDirectory() as tmp:
        manifest, dump = extract_archive(path, Path(tmp))
        _check_dialect(manifest, url)
        unknown = set(manifest["folders"]) - set(folders)
        if unknown:
            raise BackupError(f"no folder here for {', '.join(sorted(unknown))}")
        with app.app_context():
            db.engine.dispose()  # no pooled connection on the replaced database
        load_database(url, dump, replace=has_tables)
        for name in manifest["folders"]:
            source = Path(tmp) / FILES_ROOT / name
            if source.is_dir():
                shutil.copytree(source, folders[name], dirs_exist_ok=True)
    counts, revision = count_rows(url)
    files = _files_in({name: folders[name] for name in manifest["folders"]})
    done = [
        f"database: {sum(counts.values())} rows in {len(counts)} tables "
        f"(revision {revision})",
        *(f"folder {name}: {folders[name]}" for name in manifest["folders"]),
        f"files: {len(files)}",
    ]
    problems = compare_counts(manifest["tables"], counts)
    return done, problems + compare_files(_manifest_files(manifest), files)


# ---------------------------------------------------------------- the nightly job


@contextmanager
def _exclusive(folder: Path) -> Iterator[bool]:
    """Whether we hold the folder's lock (another scheduler may be backing up)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def scheduled_backup(now: datetime) -> Path | None:
    """Today's archive in ``BACKUP_DIR`` unless there is one; keep ``BACKUP_KEEP``."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    folder = backup_dir(app)
    with _exclusive(folder) as mine:
        if not mine or any(folder.glob(f"{ARCHIVE_PREFIX}{now:%Y-%m-%d}T*.tar.gz")):
            return None
        path = folder / archive_name(now)
        create_archive(app, path, now=now)
        names = [p.name for p in folder.iterdir()]
        for name in archives_to_prune(names, int(app.config.get("BACKUP_KEEP", 7))):
            (folder / name).unlink(missing_ok=True)
    return path
