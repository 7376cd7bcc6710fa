"""Compiled templates kept on disk, shared by every process of the app.

Jinja compiles a template to Python the first time a process renders it: a
sign-in page and the layout it extends take 30–40 ms, a dashboard more; each
gunicorn worker did it again for every page, after every start. Jinja's own
``FileSystemBytecodeCache`` keeps the compiled code (keyed by the template's
name and a checksum of its source, so an edited template is compiled again),
written atomically, so concurrent workers share it safely.

``TEMPLATE_CACHE_DIR`` chooses the folder (unset or empty:
``instance/template-cache``); ``off``, or a folder the app cannot write to, means no cache (logged once), and
a failing read or write later never fails a page: the template is compiled as
without a cache.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

log = logging.getLogger(__name__)


class TemplateBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache; a disk that fails costs a compilation, not a page."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.warning("compiled template not kept: %s", error)


def cache_folder(app: Flask) -> Path | None:
    """The folder of the compiled templates, made if needed; None: no cache."""
    setting = app.config.get("TEMPLATE_CACHE_DIR")
    if setting == "off":
        return None
    folder = Path(setting) if setting else Path(app.instance_path) / "template-cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("no template cache in %s: %s", folder, error)
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        log.warning("no template cache: %s is not writable", folder)
        return None
    return folder


def init_app(app: Flask) -> None:
    folder = cache_folder(app)
    if folder is not None:
        app.jinja_options = {
            **app.jinja_options,
            "bytecode_cache": TemplateBytecodeCache(str(folder)),
        }
