"""Attachments: what a file really is (by its first bytes), and where it is kept.

Files are stored under the instance folder (``instance/attachments/<uuid>``),
never under a static folder: they are served only by the views that check who
may see the case.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import lazy_gettext as _l

from mediation.errors import AttachmentRefused

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_ENTRY = 5
MAX_FILES_PER_CASE = 40

# content type → the extensions a file of that type may carry
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
}


@dataclass(frozen=True)
class Upload:
    """A file as received: its name, the type the browser declared, its bytes."""

    filename: str
    declared_type: str | None
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` from its magic bytes, or None if not allowed."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def safe_name(filename: str) -> str:
    """The base name of an uploaded file, without path or control characters."""
    base = PurePath(filename.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned.strip()[:200] or "fichier"


def check(upload: Upload) -> CheckedFile:
    """Accept a PDF or an image whose content matches its name and declared type.

    :raises AttachmentRefused: empty, too big, not an allowed type, or a content
        that does not match the extension or the declared type.
    """
    name = safe_name(upload.filename)
    if not upload.data:
        raise AttachmentRefused(_l("Le fichier « %(name)s » est vide.", name=name))
    if len(upload.data) > MAX_FILE_BYTES:
        raise AttachmentRefused(
            _l(
                "Le fichier « %(name)s » dépasse %(size)d Mo.",
                name=name,
                size=MAX_FILE_BYTES // (1024 * 1024),
            )
        )
    detected = sniff(upload.data)
    if detected is None:
        raise AttachmentRefused(
            _l(
                "Le fichier « %(name)s » n'est ni un PDF ni une image (PNG, JPEG, "
                "GIF, WebP).",
                name=name,
            )
        )
    extension = PurePath(name).suffix.lower()
    declared = (upload.declared_type or "").split(";")[0].strip().lower()
    if declared == "image/jpg":
        declared = "image/jpeg"
    declared_matches = declared in ("", "application/octet-stream", detected)
    if extension not in ALLOWED_TYPES[detected] or not declared_matches:
        raise AttachmentRefused(
            _l(
                "Le contenu du fichier « %(name)s » ne correspond pas à son type "
                "déclaré.",
                name=name,
            )
        )
    return CheckedFile(original_name=name, content_type=detected, data=upload.data)


def check_all(uploads: list[Upload], *, already: int = 0) -> list[CheckedFile]:
    """Check every file of one entry. :raises AttachmentRefused:"""
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > MAX_FILES_PER_ENTRY:
        raise AttachmentRefused(
            _l(
                "Au plus %(count)d fichiers à la fois.",
                count=MAX_FILES_PER_ENTRY,
            )
        )
    if already + len(uploads) > MAX_FILES_PER_CASE:
        raise AttachmentRefused(
            _l(
                "Ce dossier a atteint le nombre maximal de pièces jointes (%(count)d).",
                count=MAX_FILES_PER_CASE,
            )
        )
    return [check(upload) for upload in uploads]


def storage_dir() -> Path:
    configured = current_app.config.get("MEDIATION_ATTACHMENT_DIR")
    folder = (
        Path(configured)
        if configured
        else Path(current_app.instance_path) / "attachments"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_storage_name() -> str:
    return str(uuid.uuid4())


def path_of(storage_name: str) -> Path:
    # The name is a UUID we generated; refuse anything else (no path tricks).
    return storage_dir() / str(uuid.UUID(storage_name))


def write(storage_name: str, data: bytes) -> Path:
    path = path_of(storage_name)
    path.write_bytes(data)
    return path


def remove(storage_names: list[str]) -> None:
    """Delete stored files (after a failed transaction, or purged drafts)."""
    for name in storage_names:
        try:
            path_of(name).unlink(missing_ok=True)
        except (OSError, ValueError):
            continue
