"""Uploaded files waiting for their preview to be confirmed.

Between the preview and the confirmation the uploaded bytes wait in the instance
folder under a random id, with the member they belong to; the confirmation
parses those bytes again, so nothing the browser sends back is trusted but the
choice of which series feeds which indicator.

A big file (more than ``BIG_BYTES`` or ``BIG_LINES``) is not parsed in the
request: it waits in state ``parsing`` until a background runner
(``kpi.services.parsing``) reads it once and keeps the result beside it, which
the preview and the confirmation then use.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.database import utcnow
from kpi.errors import ImportRefused
from kpi.importers import (
    MAX_BYTES,
    ColumnMapping,
    ParsedExport,
    parse_export,
)
from kpi.importers.sniff import check_archive, check_size, sniff_container
from kpi.services.errors import KpiInputError
from members.models import Project, User

_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PENDING_TTL = timedelta(hours=24)
#: Past these sizes a file is parsed in the background, not in the request.
BIG_BYTES = 2 * 1024 * 1024
BIG_LINES = 50_000

READY = "ready"
PARSING = "parsing"
FAILED = "failed"


@dataclass
class PendingUpload:
    """An uploaded file waiting for its preview to be confirmed."""

    id: str
    member_id: int
    project_id: int
    user_id: int | None
    file_name: str
    sha256: str
    size: int
    created_at: str
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, Any] | None = None
    period: list[str] | None = None
    #: ``ready``, ``parsing`` (waiting for or in a background parse) or ``failed``.
    state: str = READY
    error: str | None = None
    is_big: bool = False

    @property
    def needs_mapping(self) -> bool:
        return self.mapping is None and bool(self.columns)

    @property
    def is_parsing(self) -> bool:
        return self.state == PARSING

    @property
    def has_failed(self) -> bool:
        return self.state == FAILED

    def column_mapping(self) -> ColumnMapping | None:
        if self.mapping is None:
            return None
        return ColumnMapping(**self.mapping)

    def period_range(self) -> tuple[date, date] | None:
        if not self.period:
            return None
        return date.fromisoformat(self.period[0]), date.fromisoformat(self.period[1])


def uploads_folder() -> Path:
    folder = Path(current_app.instance_path) / "kpi-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(upload_id: str) -> tuple[Path, Path]:
    folder = uploads_folder()
    return folder / f"{upload_id}.bin", folder / f"{upload_id}.json"


def side_path(upload_id: str, kind: str) -> Path:
    """A file kept beside the upload: ``claim``, ``progress`` or ``result``."""
    return uploads_folder() / f"{upload_id}.{kind}"


def write_atomically(path: Path, content: bytes) -> None:
    """Replace ``path`` whole: a reader never sees half a file."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def save_pending(pending: PendingUpload) -> None:
    _bin, meta = _paths(pending.id)
    write_atomically(meta, json.dumps(pending.__dict__).encode("utf-8"))


def load_pending(upload_id: str) -> PendingUpload | None:
    """The upload's record, whoever it belongs to (background runners)."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        return None
    path, meta = _paths(upload_id)
    if not path.is_file() or not meta.is_file():
        return None
    try:
        return PendingUpload(**json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def is_big(data: bytes) -> bool:
    """Whether ``data`` is parsed in the background rather than in the request."""
    return len(data) > BIG_BYTES or data.count(b"\n") > BIG_LINES


def queue_parse(pending: PendingUpload) -> None:
    """Ask for a (new) background parse; the previous result is dropped."""
    pending.state = PARSING
    pending.error = None
    side_path(pending.id, "result").unlink(missing_ok=True)
    side_path(pending.id, "progress").unlink(missing_ok=True)
    side_path(pending.id, "claim").unlink(missing_ok=True)
    save_pending(pending)


def list_pending(member_id: int | None, project_id: int) -> list[PendingUpload]:
    """The member's uploads of a project still waiting (parsing, failed or to
    confirm), newest first."""
    if member_id is None:
        return []
    found = []
    for meta in uploads_folder().glob("*.json"):
        pending = load_pending(meta.stem)
        if (
            pending is not None
            and pending.member_id == member_id
            and pending.project_id == project_id
        ):
            found.append(pending)
    return sorted(found, key=lambda p: p.created_at, reverse=True)


def _forget_old_uploads() -> None:
    limit = time.time() - PENDING_TTL.total_seconds()
    for path in uploads_folder().glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def pending_bytes(pending: PendingUpload) -> bytes:
    path, _meta = _paths(pending.id)
    return path.read_bytes()


def discard_upload(pending: PendingUpload) -> None:
    for path in _paths(pending.id):
        path.unlink(missing_ok=True)
    for kind in ("result", "progress", "claim", "refusal"):
        side_path(pending.id, kind).unlink(missing_ok=True)


def start_upload(
    actor: User | None,
    project: Project,
    *,
    data: bytes,
    file_name: str,
    now: datetime | None = None,
) -> PendingUpload:
    """Keep an upload for its preview; an unknown layout waits for a mapping.

    :raises ImportRefused: wrong type, empty, too large, unreadable…
    """
    now = now or utcnow()
    columns: list[str] = []
    big = is_big(data)
    if big:
        # Refused at once if it cannot be a data file; read in the background.
        check_size(data, MAX_BYTES)
        kind = sniff_container(data)
        if kind != "text":
            check_archive(data, max_bytes=MAX_BYTES)
    else:
        try:
            parse_export(data, file_name, max_bytes=MAX_BYTES)
        except ImportRefused as refusal:
            if not refusal.columns:
                raise
            columns = refusal.columns
    _forget_old_uploads()
    pending = PendingUpload(
        id=secrets.token_urlsafe(24),
        member_id=project.member_id,
        project_id=project.id,
        user_id=actor.id if actor is not None else None,
        file_name=Path(file_name or "export").name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_at=now.isoformat(),
        columns=columns,
        state=PARSING if big else READY,
        is_big=big,
    )
    path, _meta = _paths(pending.id)
    path.write_bytes(data)
    save_pending(pending)
    return pending


def get_pending(member_id: int | None, upload_id: str) -> PendingUpload | None:
    """The member's pending upload, or None (unknown, expired or another member's)."""
    if member_id is None:
        return None
    pending = load_pending(upload_id)
    return pending if pending is not None and pending.member_id == member_id else None


def set_mapping(pending: PendingUpload, mapping: ColumnMapping) -> ParsedExport | None:
    """Read an unknown layout through ``mapping`` (a big file: queue its parse,
    None).  :raises ImportRefused:"""
    for name in [mapping.date_column, *mapping.value_columns]:
        if name not in pending.columns:
            raise KpiInputError(_l("Colonne inconnue : %(name)s.", name=name))
    export = None
    if not pending.is_big:
        export = parse_export(
            pending_bytes(pending), pending.file_name, mapping=mapping
        )
    pending.mapping = {
        "date_column": mapping.date_column,
        "value_columns": list(mapping.value_columns),
        "date_format": mapping.date_format,
        "decimal_separator": mapping.decimal_separator,
        "granularity": mapping.granularity,
    }
    if export is None:
        queue_parse(pending)
        return None
    save_pending(pending)
    return export


def set_period(pending: PendingUpload, start: date, end: date) -> None:
    """Date a report that does not state its period (one month, week or day)."""
    if end < start:
        raise KpiInputError(_l("La fin ne peut pas précéder le début."))
    pending.period = [start.isoformat(), end.isoformat()]
    if pending.is_big:
        queue_parse(pending)
    else:
        save_pending(pending)


def parse_pending(pending: PendingUpload) -> ParsedExport:
    """The background parse's result, else parse the kept bytes again.

    :raises ImportRefused:
    """
    if pending.is_big:
        stored = stored_result(pending)
        if stored is not None:
            return stored
    return parse_export(
        pending_bytes(pending),
        pending.file_name,
        mapping=pending.column_mapping(),
        period=pending.period_range(),
    )


def stored_result(pending: PendingUpload) -> ParsedExport | None:
    """What the background parse kept (our own file in the instance folder)."""
    path = side_path(pending.id, "result")
    try:
        # From the file, not from its bytes: a million points would be held twice.
        with path.open("rb") as stored:
            result = pickle.load(stored)
    except (OSError, pickle.UnpicklingError, EOFError):
        return None
    return result if isinstance(result, ParsedExport) else None


def keep_result(pending: PendingUpload, export: ParsedExport) -> None:
    path = side_path(pending.id, "result")
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    with temporary.open("wb") as kept:
        pickler = pickle.Pickler(kept, protocol=pickle.HIGHEST_PROTOCOL)
        # No memo: an export is a tree (no shared or circular references), and
        # memoising a million points took 1.0 GB to write and 1.6 GB to read
        # back (0.44 GB without, and twice as fast).
        pickler.fast = True
        pickler.dump(export)
    os.replace(temporary, path)
