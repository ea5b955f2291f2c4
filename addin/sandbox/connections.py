"""Reading a request within a deadline, and knowing which connections are still sending.

A per-recv socket time-out alone lets a client that sends one byte every few seconds hold a
worker forever; here every connection gets a *total* deadline for its request line and headers,
extended by the announced body size at a minimum rate. A stopping server wakes the connections
still sending, so that a stop never waits for a slow client.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time

READ_SECONDS = 10.0  # request line + headers must arrive within this
MIN_BODY_RATE = 1024 * 1024  # bytes per second a body must at least arrive at, on top of it


class DeadlineReader(io.RawIOBase):
    """A socket's raw reader that gives up (TimeoutError) once its deadline has passed."""

    def __init__(self, sock: socket.socket, deadline: float | None) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("délai de lecture de la requête dépassé")
            self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class Connections:
    """The connections still sending their request; woken (shut down) when the server stops."""

    def __init__(
        self, read_seconds: float = READ_SECONDS, min_body_rate: int = MIN_BODY_RATE
    ) -> None:
        self.read_seconds = read_seconds
        self.min_body_rate = min_body_rate
        self._lock = threading.Lock()
        self._reading: set[socket.socket] = set()
        self._closing = False

    def reading(self, sock: socket.socket) -> None:
        """A connection starts sending; a stopping server cuts it at once."""
        with self._lock:
            if not self._closing:
                self._reading.add(sock)
                return
        _shut(sock)

    def done(self, sock: socket.socket) -> None:
        """The request has been read: processing and answering are not bounded here."""
        with self._lock:
            self._reading.discard(sock)

    def close(self) -> None:
        """Stop accepting readers and wake every connection still sending."""
        with self._lock:
            self._closing = True
            pending = list(self._reading)
            self._reading.clear()
        for sock in pending:
            _shut(sock)

    def body_deadline(self, size: int) -> float:
        """When a body of `size` bytes must have arrived, counted from now."""
        return time.monotonic() + self.read_seconds + size / self.min_body_rate


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
