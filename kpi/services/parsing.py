"""Big uploads parsed once, in the background.

``start_upload`` leaves a big file in state ``parsing``; a runner — the web
worker once its response has left (``core.deferred.after_response``), or the
scheduler's ``kpi.parse_uploads`` job as a fallback for a killed worker — claims
it (a file created with ``O_EXCL``: of two runners, exactly one gets it), parses
it while writing how many rows it has read, and keeps the result (or the
refusal) beside the upload for the preview and the confirmation.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused
from kpi.importers import parse_export
from kpi.importers.progress import listening
from kpi.services.uploads import (
    FAILED,
    PARSING,
    READY,
    PendingUpload,
    keep_result,
    load_pending,
    pending_bytes,
    queue_parse,
    save_pending,
    side_path,
    uploads_folder,
    write_atomically,
)

log = logging.getLogger(__name__)

#: A claim whose runner has said nothing for this long is a dead runner.
STALE_AFTER = timedelta(minutes=10)
#: The parser's progress is written at most this often (seconds).
PROGRESS_EVERY = 0.5

INTERRUPTED = _l(
    "L'analyse du fichier s'est interrompue avant la fin (le serveur a pu "
    "redémarrer). Relancez-la : rien n'a été enregistré."
)
CRASHED = _l(
    "L'analyse du fichier a échoué sur une erreur inattendue. Relancez-la ; si "
    "l'échec se répète, exportez une période plus courte. Rien n'a été enregistré."
)


@dataclass(frozen=True)
class Progress:
    """How far a background parse has gone."""

    rows: int
    total: int
    updated_at: float

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 0
        return min(99, self.rows * 100 // self.total)


def claim(upload_id: str) -> bool:
    """Take the upload's parse for this runner; False when another has it."""
    try:
        handle = os.open(
            side_path(upload_id, "claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY
        )
    except FileExistsError:
        return False
    with os.fdopen(handle, "w") as claim_file:
        claim_file.write(str(os.getpid()))
    return True


def _release(upload_id: str) -> None:
    side_path(upload_id, "claim").unlink(missing_ok=True)


class _Reporter:
    """Writes the rows read, at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, upload_id: str, total: int) -> None:
        self.path = side_path(upload_id, "progress")
        self.total = total
        self.rows = 0
        self.written_at = 0.0
        self.write()

    def __call__(self, count: int) -> None:
        self.rows += count
        if time.monotonic() - self.written_at >= PROGRESS_EVERY:
            self.write()

    def write(self) -> None:
        self.written_at = time.monotonic()
        content = {"rows": self.rows, "total": self.total, "at": time.time()}
        write_atomically(self.path, json.dumps(content).encode())


def read_progress(pending: PendingUpload) -> Progress | None:
    try:
        content = json.loads(side_path(pending.id, "progress").read_text())
        return Progress(int(content["rows"]), int(content["total"]), content["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_parse(upload_id: str) -> bool:
    """Parse a waiting upload unless another runner has it; True if this call did."""
    pending = load_pending(upload_id)
    if pending is None or pending.state != PARSING or not claim(upload_id):
        return False
    try:
        # Read again under the claim: a runner that finished just before us has
        # already set it ready.
        pending = load_pending(upload_id)
        if pending is None or pending.state != PARSING:
            return False
        _parse(pending)
        return True
    finally:
        _release(upload_id)


def _parse(pending: PendingUpload) -> None:
    data = pending_bytes(pending)
    reporter = _Reporter(pending.id, data.count(b"\n") + 1)
    try:
        with listening(reporter):
            export = parse_export(
                data,
                pending.file_name,
                mapping=pending.column_mapping(),
                period=pending.period_range(),
            )
    except ImportRefused as refusal:
        if refusal.columns and pending.mapping is None:
            # An unknown layout: the member maps its columns, then it is parsed.
            pending.columns = refusal.columns
            pending.state = READY
        else:
            _fail(pending, refusal.message)
            return
    except Exception:
        log.exception("background parse of upload %s failed", pending.id)
        _fail(pending, CRASHED)
        return
    else:
        keep_result(pending, export)
        pending.state = READY
    pending.error = None
    save_pending(pending)


def _fail(pending: PendingUpload, message: Any) -> None:
    """Keep the reason (translated when shown) and mark the upload failed."""
    write_atomically(side_path(pending.id, "refusal"), pickle.dumps(message))
    pending.state = FAILED
    pending.error = str(message)
    save_pending(pending)


def failure_message(pending: PendingUpload) -> Any:
    """Why the background parse failed, in the reader's language when possible."""
    if pending.state == PARSING:
        return INTERRUPTED  # a stale runner, not yet marked by the job
    try:
        return pickle.loads(side_path(pending.id, "refusal").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return pending.error or CRASHED


def is_stale(pending: PendingUpload, now: datetime) -> bool:
    """Whether the upload's runner has said nothing for ``STALE_AFTER``."""
    heartbeats = []
    for kind in ("claim", "progress"):
        try:
            heartbeats.append(side_path(pending.id, kind).stat().st_mtime)
        except OSError:
            continue
    if not side_path(pending.id, "claim").exists() or not heartbeats:
        return False
    return now.timestamp() - max(heartbeats) > STALE_AFTER.total_seconds()


def mark_interrupted(pending: PendingUpload) -> None:
    """A dead runner's upload: failed, with the reason, ready to be retried."""
    _fail(pending, INTERRUPTED)
    _release(pending.id)


def retry_parse(pending: PendingUpload) -> None:
    """Ask again for the parse of a failed (or stalled) upload."""
    side_path(pending.id, "refusal").unlink(missing_ok=True)
    queue_parse(pending)


def waiting_uploads() -> list[PendingUpload]:
    """Every upload waiting for its background parse, oldest first."""
    found = []
    for meta in uploads_folder().glob("*.json"):
        pending = load_pending(meta.stem)
        if pending is not None and pending.state == PARSING:
            found.append(pending)
    return sorted(found, key=lambda p: p.created_at)


def parse_waiting_uploads(now: datetime) -> int:
    """The scheduler's fallback: parse what no worker took, fail what a dead
    runner left. Returns how many uploads this call parsed."""
    parsed = 0
    for pending in waiting_uploads():
        if is_stale(pending, now):
            mark_interrupted(pending)
        elif run_parse(pending.id):
            parsed += 1
    return parsed


__all__ = [
    "FAILED",
    "Progress",
    "claim",
    "failure_message",
    "is_stale",
    "mark_interrupted",
    "parse_waiting_uploads",
    "read_progress",
    "retry_parse",
    "run_parse",
]
