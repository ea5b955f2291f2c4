"""The listening side of the sandbox: a bounded worker pool, so slow clients cannot exhaust it.

`http.server.ThreadingHTTPServer` starts one thread per connection with no limit, and a client
that trickles its request holds its thread for ever. Here at most `workers` threads serve
requests, at most `waiting` accepted connections wait for one (they hold no thread), and any
further connection gets an immediate 503; each request must arrive within its deadline
(`connections.py`). A stop wakes everything and joins every thread.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import sys
import threading
from http.server import HTTPServer
from typing import Any

from .app import SandboxApp
from .connections import MIN_BODY_RATE, READ_SECONDS, Connections
from .handler import Handler
from .identity import HEADER, HEADER_VALUE

WORKERS = 32  # concurrent requests (imports of one company queue on it anyway)
WAITING = 64  # accepted connections waiting for a worker
SATURATED = (
    "Le bac à sable est saturé (trop de connexions simultanées) : réessayez dans quelques "
    "secondes."
)


class SandboxServer(HTTPServer):
    """HTTP server with a bounded, lazily grown worker pool and a clean, prompt close."""

    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog

    def __init__(
        self, address: tuple[str, int], app: SandboxApp, verbose: bool = False, *,
        workers: int = WORKERS, waiting: int = WAITING, read_seconds: float = READ_SECONDS,
        min_body_rate: int = MIN_BODY_RATE,
    ) -> None:
        if workers < 1 or waiting < 1 or read_seconds <= 0 or min_body_rate <= 0:
            raise ValueError("workers, waiting, read_seconds et min_body_rate doivent être > 0.")
        self.app = app
        self.verbose = verbose
        self.workers = workers
        self.connections = Connections(read_seconds, min_body_rate)
        self._jobs: queue.Queue[tuple[socket.socket, Any] | None] = queue.Queue(maxsize=waiting)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Queue the connection for a worker (never blocks the accept loop); 503 when full."""
        try:
            self._jobs.put_nowait((request, client_address))
        except queue.Full:
            self._refuse(request)
            return
        with self._lock:
            if self._jobs.qsize() > self._idle and len(self._threads) < self.workers:
                thread = threading.Thread(
                    target=self._work, name=f"gestimum-sandbox-worker-{len(self._threads) + 1}"
                )
                self._threads.append(thread)
                thread.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            job = self._jobs.get()
            with self._lock:
                self._idle -= 1
            if job is None:
                return
            request, client_address = job
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 at once from the accept loop (a fresh socket's send never blocks)."""
        data = json.dumps({"error": SATURATED}, ensure_ascii=False).encode("utf-8")
        head = (
            "HTTP/1.0 503 Service Unavailable\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\nRetry-After: 1\r\nConnection: close\r\n"
            f"{HEADER}: {HEADER_VALUE}\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            request.settimeout(0.5)
            request.sendall(head.encode("ascii") + data)
            request.shutdown(socket.SHUT_WR)
            request.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                while request.recv(65536):  # what the client already sent: no reset on close
                    pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside the handler's own care: one line, no traceback."""
        error = sys.exc_info()[1]
        if self.verbose or not isinstance(error, OSError):
            sys.stderr.write(f"Bac à sable : connexion {client_address[0]} en erreur : {error!r}\n")

    def server_close(self) -> None:
        """Close the port, refuse the waiting connections, wake the readers, join the workers."""
        super().server_close()
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self.shutdown_request(job[0])
        self.connections.close()
        with self._lock:
            threads = list(self._threads)
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            thread.join()
