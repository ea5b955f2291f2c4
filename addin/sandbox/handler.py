"""One HTTP request of the sandbox: framing, routing, fault application, `/sandbox/` namespace.

Every answer is JSON; request-level failures answer `{"error": "<message en français>"}` with
an HTTP error status (DataSnap's way), never a stack trace — including the framing errors that
`http.server` would answer in HTML.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .app import KEEP, SandboxApp
from .connections import Connections, DeadlineReader
from .errors import RequestError, bad_request
from .faults import HANG_SECONDS, Fault, require_enabled
from .identity import HEADER, HEADER_VALUE, version_answer
from .store import read_pieces, read_rows

MAX_BODY = 256 * 1024 * 1024
DRAIN_LIMIT = 64 * 1024  # an unread body up to this size is read before an early answer
_DIGITS = re.compile(r"[0-9]{1,20}\Z")
# Framing errors `http.server` raises itself, worded in French for the `error` key.
_HTTP_ERRORS = {
    400: "Requête HTTP mal formée.",
    408: "Requête reçue trop lentement : délai dépassé.",
    414: "Adresse de la requête trop longue.",
    431: "En-têtes de la requête trop nombreux ou trop longs.",
    501: "Méthode HTTP non prise en charge.",
    505: "Version du protocole HTTP non prise en charge.",
}


class _Host(Protocol):
    """What a request needs of its server."""

    app: SandboxApp
    connections: Connections
    verbose: bool


class _Dropped(Exception):
    """The connection was closed on purpose, without an answer."""


class Handler(BaseHTTPRequestHandler):
    """One HTTP request; routes to the Gestimum API or to the `/sandbox/` namespace."""

    server: _Host  # type: ignore[assignment]
    timeout = 10  # per socket operation once the request is read (answers, idle clients)
    server_version = "GestimumSandbox/1.0"

    def setup(self) -> None:
        super().setup()
        # The request must arrive within a total deadline, not merely byte by byte.
        connections = self.server.connections
        self._reader = DeadlineReader(self.connection, time.monotonic() + connections.read_seconds)
        self.rfile.close()
        self.rfile = io.BufferedReader(self._reader)
        self._length = 0
        self._unread = False
        connections.reading(self.connection)

    def finish(self) -> None:
        self._done_reading()
        # The client went away, or we dropped the connection on purpose.
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # ── plumbing ────────────────────────────────────────────────────────────────────────
    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # http.server would send the body alone
            self.request_version = "HTTP/1.0"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.send_header(HEADER, HEADER_VALUE)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            pass  # the client is gone: nobody to tell

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Framing errors found by `http.server` itself, answered as JSON in French too."""
        self._error(code, _HTTP_ERRORS.get(code, f"Requête refusée (HTTP {code})."))

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Dropped

    def _done_reading(self) -> None:
        """The request is read: no more deadline, the ordinary time-out for the answer."""
        if self._reader.deadline is None:
            return
        self._reader.deadline = None
        self.server.connections.done(self.connection)
        with contextlib.suppress(OSError):
            self.connection.settimeout(self.timeout)

    def _framing(self, method: str) -> int:
        """The announced body size, checked before anything is read or routed."""
        if self.headers.get("Transfer-Encoding") is not None:
            raise RequestError(
                411, "Envoyez le corps avec un en-tête Content-Length (Transfer-Encoding n'est "
                "pas pris en charge).",
            )
        values = {v.strip() for v in self.headers.get_all("Content-Length") or ()}
        if not values:
            if method == "POST":
                raise RequestError(411, "En-tête Content-Length obligatoire pour une requête POST.")
            return 0
        value = values.pop()
        if values or not _DIGITS.match(value):
            raise bad_request("En-tête Content-Length invalide : un seul nombre d'octets attendu.")
        size = int(value)
        if size > MAX_BODY:
            raise RequestError(413, f"Le corps de la requête dépasse {MAX_BODY >> 20} Mo.")
        return size

    def _body(self) -> bytes:
        """The body, read within a deadline that grows with its announced size."""
        size, self._unread = self._length, False
        self._reader.deadline = self.server.connections.body_deadline(size)
        try:
            data = self.rfile.read(size) if size else b""
        except TimeoutError:
            raise RequestError(
                408, "Corps de la requête reçu trop lentement : délai dépassé."
            ) from None
        finally:
            self._done_reading()
        if len(data) < size:
            raise bad_request(
                f"Corps de la requête incomplet : {len(data)} octets reçus sur {size} annoncés."
            )
        return data

    def _drain(self) -> None:
        """Read a small unread body before answering early, so the client sees the answer."""
        if self._unread and self._length <= DRAIN_LIMIT:
            with contextlib.suppress(OSError, RequestError):
                self._body()
        self._done_reading()

    def _dispatch(self, method: str) -> None:
        try:
            self._length = self._framing(method)
            self._unread = self._length > 0
            if not self._unread:
                self._done_reading()
            self._route(method)
        except _Dropped:
            return
        except RequestError as exc:
            self._drain()
            self._error(exc.status, exc.message)
        except Exception as exc:  # never a stack trace, never a crashed server
            self.log_error("Erreur interne : %r", exc)
            self._drain()
            self._error(500, f"Erreur interne du bac à sable ({type(exc).__name__}).")

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    # ── routing ─────────────────────────────────────────────────────────────────────────
    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        parts = [p for p in unquote(url.path).split("/") if p]
        if parts[:1] == ["sandbox"]:
            self._sandbox(method, parts[1:], parse_qs(url.query))
            return
        if len(parts) != 4 or parts[:2] != ["api", "rest"]:
            raise RequestError(404, f"Adresse inconnue : {url.path}")
        domain, function = parts[2], parts[3]
        quoted = len(function) > 2 and function[0] == function[-1] == '"'
        name = function[1:-1] if quoted else function
        app = self.server.app
        if domain == "Outils":
            ep = app.tools.get(name) if quoted else None
            if ep is None:
                raise RequestError(404, f"Fonction inconnue : {domain}/{function}")
            if method != "GET":
                raise RequestError(405, f"La requête {ep.name} s'appelle en GET.")
            self._faulted(ep.name, b"")
            if app.latency > 0:
                app.stop.wait(app.latency)
            self._send(200, version_answer(app.versions[name]))
            return
        ep = app.domains.get(domain)
        if ep is None or ep.kind != "import" or not quoted or name != "Importer":
            raise RequestError(404, f"Fonction inconnue : {domain}/{function}")
        if method != "POST":
            raise RequestError(405, f"La requête {ep.name} s'appelle en POST.")
        raw = self._body()
        fault = self._faulted(ep.name, raw)
        body = app.run_import(ep, raw)
        if fault is not None and fault.fault == "drop_after_commit":
            self._drop()  # written and committed, but the client never hears about it
        self._send(200, body)

    def _faulted(self, endpoint: str, raw: bytes) -> Fault | None:
        """Apply a pending fault before processing; return a post-commit fault to apply later."""
        app = self.server.app
        fault = app.faults.take(endpoint)
        if fault is None:
            return None
        if fault.fault == "drop_before":
            self._drop()
        if fault.fault == "hang":
            if app.stop.wait(fault.seconds if fault.seconds is not None else HANG_SECONDS):
                self._drop()
            return None  # after the delay the request is processed normally
        if fault.fault == "http500":
            data = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.send_header(HEADER, HEADER_VALUE)  # every answer says where it comes from
            self.end_headers()
            self.wfile.write(data)
            raise _Dropped
        if fault.fault == "error":
            raise RequestError(500, "Erreur simulée par le bac à sable (panne injectée).")
        return fault

    def _sandbox(self, method: str, parts: list[str], query: dict[str, list[str]]) -> None:
        """The sandbox-only namespace: what landed, faults, latency."""
        app = self.server.app

        def arg(name: str, default: str | None = None) -> str:
            values = query.get(name)
            if values:
                return values[0]
            if default is None:
                raise bad_request(f"Paramètre « {name} » manquant.")
            return default

        route = parts[0] if parts else ""
        if route == "rows" and method == "GET":
            path = app.find_company(arg("fichier", "DEMO.Gestimum"))
            if path is None:
                raise RequestError(404, "Société inconnue.")
            try:
                rows = read_rows(path, arg("table"))
            except KeyError:
                raise RequestError(404, f"Table inconnue : {arg('table')}") from None
            self._send(200, {"rows": rows})
        elif route == "pieces" and method == "GET":
            path = app.find_company(arg("fichier", "DEMO.Gestimum"))
            if path is None:
                raise RequestError(404, "Société inconnue.")
            self._send(200, {"pieces": read_pieces(path)})
        elif route == "faults":
            if method == "POST":
                require_enabled(app.faults.enabled)  # before reading anything of the body
                try:
                    data = json.loads(self._body() or b"{}")
                    fault = Fault(
                        str(data["fault"]), int(data.get("times", 1)), data.get("endpoint"),
                        None if data.get("seconds") is None else float(data["seconds"]),
                    )
                except (ValueError, KeyError, TypeError):
                    raise bad_request(
                        "Corps attendu : {\"fault\": ..., \"times\": n, \"endpoint\": ..., "
                        "\"seconds\": s}."
                    ) from None
                app.faults.add(fault)
            elif method == "DELETE":
                app.faults.clear()
            elif method != "GET":
                raise RequestError(405, "Méthode non prise en charge.")
            self._send(200, {
                "faults": app.faults.snapshot(), "latency": app.latency,
                "line_latency": app.line_latency, "enabled": app.faults.enabled,
            })
        elif route == "latency" and method == "POST":
            require_enabled(app.faults.enabled)
            try:
                data = json.loads(self._body())
            except ValueError:
                data = None
            if not isinstance(data, dict) or not data or set(data) - {"seconds", "line_seconds"}:
                raise bad_request(
                    "Corps attendu : {\"seconds\": s} et/ou {\"line_seconds\": s}."
                )
            app.set_latency(data.get("seconds", KEEP), data.get("line_seconds", KEEP))
            self._send(200, {"latency": app.latency, "line_latency": app.line_latency})
        elif route == "health" and method == "GET":
            self._send(200, {"status": "ok"})
        else:
            raise RequestError(404, f"Adresse inconnue : /sandbox/{'/'.join(parts)}")
