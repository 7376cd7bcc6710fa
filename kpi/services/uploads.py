"""Uploaded files waiting for their preview to be confirmed.

Between the preview and the confirmation the uploaded bytes wait in the instance
folder under a random id, with the member they belong to; the confirmation
parses those bytes again, so nothing the browser sends back is trusted but the
choice of which series feeds which indicator.
"""

from __future__ import annotations

import hashlib
import json
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
from kpi.services.errors import KpiInputError
from members.models import Project, User

_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PENDING_TTL = timedelta(hours=24)


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

    @property
    def needs_mapping(self) -> bool:
        return self.mapping is None and bool(self.columns)

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


def _save(pending: PendingUpload) -> None:
    _bin, meta = _paths(pending.id)
    meta.write_text(json.dumps(pending.__dict__), encoding="utf-8")


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
    )
    path, _meta = _paths(pending.id)
    path.write_bytes(data)
    _save(pending)
    return pending


def get_pending(member_id: int | None, upload_id: str) -> PendingUpload | None:
    """The member's pending upload, or None (unknown, expired or another member's)."""
    if member_id is None or not _UPLOAD_ID.fullmatch(upload_id):
        return None
    path, meta = _paths(upload_id)
    if not path.is_file() or not meta.is_file():
        return None
    try:
        pending = PendingUpload(**json.loads(meta.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None
    return pending if pending.member_id == member_id else None


def set_mapping(pending: PendingUpload, mapping: ColumnMapping) -> ParsedExport:
    """Read an unknown layout through ``mapping``.  :raises ImportRefused:"""
    for name in [mapping.date_column, *mapping.value_columns]:
        if name not in pending.columns:
            raise KpiInputError(_l("Colonne inconnue : %(name)s.", name=name))
    export = parse_export(pending_bytes(pending), pending.file_name, mapping=mapping)
    pending.mapping = {
        "date_column": mapping.date_column,
        "value_columns": list(mapping.value_columns),
        "date_format": mapping.date_format,
        "decimal_separator": mapping.decimal_separator,
        "granularity": mapping.granularity,
    }
    _save(pending)
    return export


def set_period(pending: PendingUpload, start: date, end: date) -> None:
    """Date a report that does not state its period (one month, week or day)."""
    if end < start:
        raise KpiInputError(_l("La fin ne peut pas précéder le début."))
    pending.period = [start.isoformat(), end.isoformat()]
    _save(pending)


def parse_pending(pending: PendingUpload) -> ParsedExport:
    """Parse the kept bytes again.  :raises ImportRefused:"""
    return parse_export(
        pending_bytes(pending),
        pending.file_name,
        mapping=pending.column_mapping(),
        period=pending.period_range(),
    )
