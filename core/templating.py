"""Compiled templates kept on disk, shared by every process of the app.

Jinja compiles a template to Python the first time a process renders it: a
sign-in page and the layout it extends take 30–40 ms, a dashboard more; each
gunicorn worker did it again for every page, after every start. Jinja's own
``FileSystemBytecodeCache`` keeps the compiled code, written atomically, so
concurrent workers share it safely.

Jinja keys it by the template's name and a checksum of its source only, but the
compiled code also depends on the app's Python: the compiler writes each
filter's and test's call as it finds it registered (a filter that became
``pass_context`` in a new release must be called with the context; the old
code calls it without, and every page using it fails). So the key here also
holds the environment's fingerprint: Jinja's version, each filter and test
with what it is passed, the extensions and the other options the compiler
reads. A release that changes any of them compiles its templates anew.

``TEMPLATE_CACHE_DIR`` chooses the folder (unset or empty:
``instance/template-cache``); ``off``, or a folder the app cannot write to, means no cache (logged once), and
a failing read or write later never fails a page: the template is compiled as
without a cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cache
from importlib.metadata import version
from pathlib import Path

from flask import Flask
from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket

log = logging.getLogger(__name__)


def environment_fingerprint(environment: Environment) -> str:
    """What, beside a template's source, decides the code Jinja compiles it to."""
    parts = [
        _jinja_version(),
        repr(environment.is_async),
        repr(environment.optimized),
        repr(environment.newline_sequence),
        repr(environment.keep_trailing_newline),
        repr((environment.trim_blocks, environment.lstrip_blocks)),
        repr(
            (
                environment.block_start_string,
                environment.variable_start_string,
                environment.comment_start_string,
                environment.line_statement_prefix,
            )
        ),
        _callable_name(environment.finalize),
        _callable_name(environment.autoescape),
        *sorted(environment.extensions),
    ]
    for kind, table in (("filter", environment.filters), ("test", environment.tests)):
        parts.extend(
            f"{kind} {name} {getattr(function, 'jinja_pass_arg', None)}"
            for name, function in sorted(table.items())
        )
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


@cache
def _jinja_version() -> str:
    return version("jinja2")


def _callable_name(value: object) -> str:
    if callable(value):
        return f"{getattr(value, '__qualname__', type(value).__name__)} {getattr(value, 'jinja_pass_arg', None)}"
    return repr(value)


class TemplateBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by the environment's fingerprint too; a disk
    that fails costs a compilation, not a page."""

    def get_bucket(
        self,
        environment: Environment,
        name: str,
        filename: str | None,
        source: str,
    ) -> Bucket:
        key = f"{self.get_cache_key(name, filename)}_{environment_fingerprint(environment)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

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
