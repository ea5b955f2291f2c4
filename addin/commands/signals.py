"""Stopping an import cleanly: Ctrl+C, SIGTERM and SIGHUP end the sending, never the record.

The first signal raises KeyboardInterrupt (the pipeline turns an in-flight batch into "unknown",
sends nothing more and writes what it knows); later ones are ignored until the run has written
its journal and workbook, so that a second Ctrl+C cannot cut a save in half.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["interruptible"]

_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, the first stop signal raises KeyboardInterrupt, the next are ignored."""
    stopping = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            print("Arrêt en cours : les résultats sont en train d'être enregistrés, patientez.",
                  file=sys.stderr)
            return
        stopping = True
        print("Arrêt demandé : aucun nouveau lot ne sera envoyé.", file=sys.stderr)
        raise KeyboardInterrupt

    try:
        previous = {s: signal.signal(s, handler) for s in _SIGNALS}
    except ValueError:  # not the main thread (e.g. embedded): keep the default behaviour
        yield
        return
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
