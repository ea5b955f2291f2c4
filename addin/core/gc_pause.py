"""Python's cyclic garbage collector paused while a command works through a workbook.

An import holds several objects per row (grid rows, checked rows, fingerprints, outcomes) and
creates them by the hundred thousand: the collector would rescan them all about a dozen times
at 100,000 rows (1.6 s of CPU, a fifth of the import) and find nothing, because they form no
cycles. Reference counting still frees everything as usual; cycles left meanwhile (rare: an
exception's traceback) are collected once the collector is back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the duration, then back as it was (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
