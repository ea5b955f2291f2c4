"""Injected faults: what the next API calls will suffer (tests of the add-in's error paths).

A fault is consumed by the next `times` calls of its endpoint (or of any endpoint); the HTTP
handler applies it (docs/SANDBOX.md §12). Faults and runtime latency changes are accepted only
when the sandbox was started with them enabled (`faults=True`, CLI `--pannes`): otherwise
anyone who can reach the port could make it fail or stall.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from .errors import RequestError, bad_request

FAULTS = ("http500", "error", "drop_before", "drop_after_commit", "hang")
HANG_SECONDS = 3600.0  # longer than any sane client time-out
MAX_DELAY = 86400.0  # no injected delay beyond a day (and never an infinite one)
MAX_LINE_DELAY = 60.0  # per data line: already more than any ERP spends on one line
DISABLED = (
    "Pannes et changements de latence désactivés : démarrez le bac à sable avec l'option "
    "--pannes (faults=True)."
)


def delay(value: object, name: str, limit: float = MAX_DELAY) -> float:
    """A delay in seconds sent by a client: a finite number from 0 to `limit`, else 400."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0.0 <= seconds <= limit:  # also refuses NaN and infinities
        raise bad_request(f"« {name} » doit être un nombre de secondes entre 0 et {limit:g}.")
    return seconds


def require_enabled(enabled: bool) -> None:
    """Refuse a fault or a latency change when the sandbox was not started with them (403)."""
    if not enabled:
        raise RequestError(403, DISABLED)


@dataclass
class Fault:
    """One injected fault, consumed by the next `times` matching API calls."""

    fault: str
    times: int = 1
    endpoint: str | None = None
    seconds: float | None = None


class FaultBook:
    """Thread-safe list of pending faults; adding one needs the sandbox's explicit consent."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault (403 when faults are disabled, 400 when it makes no sense)."""
        require_enabled(self.enabled)
        if fault.fault not in FAULTS:
            raise bad_request(
                f"Panne inconnue « {fault.fault} » (pannes possibles : {', '.join(FAULTS)})."
            )
        if fault.times < 1:
            raise bad_request("« times » doit valoir au moins 1.")
        if fault.seconds is not None:
            fault.seconds = delay(fault.seconds, "seconds")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Forget every pending fault (always allowed: it can only make things work)."""
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
        """The pending faults, as the `/sandbox/faults` answer lists them."""
        with self._lock:
            return [asdict(f) for f in self._faults]
