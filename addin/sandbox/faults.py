"""Injected faults: what the next API calls will suffer (tests of the add-in's error paths).

A fault is consumed by the next `times` calls of its endpoint (or of any endpoint); the HTTP
handler applies it (docs/SANDBOX.md §12).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from .errors import bad_request

FAULTS = ("http500", "error", "drop_before", "drop_after_commit", "hang")
HANG_SECONDS = 3600.0  # longer than any sane client time-out


@dataclass
class Fault:
    """One injected fault, consumed by the next `times` matching API calls."""

    fault: str
    times: int = 1
    endpoint: str | None = None
    seconds: float | None = None


class FaultBook:
    """Thread-safe list of pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.fault not in FAULTS:
            raise bad_request(
                f"Panne inconnue « {fault.fault} » (pannes possibles : {', '.join(FAULTS)})."
            )
        if fault.times < 1:
            raise bad_request("« times » doit valoir au moins 1.")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, endpoint: str) -> Fault | None:
        """Consume one use of the first fault matching this endpoint (or any endpoint)."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in (None, endpoint):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return Fault(fault.fault, 1, fault.endpoint, fault.seconds)
        return None

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]
