"""HTTP transport of the sandbox: routing, fault application, the `/sandbox/` namespace.

Stdlib only (`http.server`). Every answer is JSON; request-level failures answer
`{"error": "<message en français>"}` with an HTTP error status, never a stack trace.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .app import SandboxApp
from .errors import RequestError, bad_request
from .faults import HANG_SECONDS, Fault, require_enabled
from .store import read_pieces, read_rows

MAX_BODY = 256 * 1024 * 1024
VERSIONS = {  # the versions the sandbox emulates, in the documented message format
    "Version": "2.0.0 (18/09/2019 14:37:08)",
    "VersionERP": "8.4.1.856 (13/08/2019 10:50:52)",
}


class _Dropped(Exception):
    """The connection was closed on purpose, without an answer."""


class Handler(BaseHTTPRequestHandler):
    """One HTTP request; routes to the Gestimum API or to the `/sandbox/` namespace."""

    server: SandboxServer
    timeout = 10  # an idle client cannot hold a thread (and the shutdown) for long
    server_version = "GestimumSandbox/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # ── plumbing ────────────────────────────────────────────────────────────────────────
    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message})

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Dropped

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise bad_request("En-tête Content-Length invalide.") from None
        if size > MAX_BODY:
            raise RequestError(413, "Le corps de la requête dépasse 256 Mo.")
        return self.rfile.read(size)

    def finish(self) -> None:
        # The client went away, or we dropped the connection on purpose.
        with contextlib.suppress(OSError):
            super().finish()

    def _dispatch(self, method: str) -> None:
        try:
            self._route(method)
        except _Dropped:
            return
        except RequestError as exc:
            self._error(exc.status, exc.message)
        except Exception as exc:  # never a stack trace, never a crashed server
            self.log_error("Erreur interne : %r", exc)
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
            self._send(200, {"result": [{"resultat": "succès", "message": VERSIONS[name]}]})
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
                "enabled": app.faults.enabled,
            })
        elif route == "latency" and method == "POST":
            require_enabled(app.faults.enabled)
            try:
                seconds = json.loads(self._body())["seconds"]
            except (ValueError, KeyError, TypeError):
                raise bad_request("Corps attendu : {\"seconds\": s}.") from None
            app.set_latency(seconds)
            self._send(200, {"latency": app.latency})
        elif route == "health" and method == "GET":
            self._send(200, {"status": "ok"})
        else:
            raise RequestError(404, f"Adresse inconnue : /sandbox/{'/'.join(parts)}")


class SandboxServer(ThreadingHTTPServer):
    """Threaded server whose request threads are joined on close (clean stop)."""

    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__(address, Handler)
