"""How far a parse has gone: the parsers say how many rows they have read, a
background parse listens (``listening``) and shows it as a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[int], None]

_listener: ContextVar[Listener | None] = ContextVar("kpi_parse_progress", default=None)


def rows_read(count: int) -> None:
    """``count`` more rows read (a no-op unless someone listens)."""
    listener = _listener.get()
    if listener is not None:
        listener(count)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener(count)`` for the rows read inside the block."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
