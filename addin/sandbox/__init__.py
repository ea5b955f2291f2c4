"""A local stand-in for Gestimum "Web Service 2": same URLs, bodies, answers and journal.

Public API: `running_sandbox()` (in-process, free loopback port, always stopped cleanly) and
`serve_forever()` (the `gestimum-excel sandbox` command). Choices made where the Gestimum docs
are silent are written down in docs/SANDBOX.md.
"""

from __future__ import annotations

import json
import shutil
import ssl
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .app import SandboxApp
from .errors import RequestError
from .faults import FAULTS, Fault
from .identity import ERP_VERSION
from .seed import DEMO_FICHIER, create_company, seed_demo
from .server import SandboxServer
from .store import Company, read_pieces, read_rows

__all__ = ["FAULTS", "SandboxHandle", "running_sandbox", "serve_forever"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class SandboxHandle:
    """A running sandbox: its URL and data folder, fault injection and what landed."""

    def __init__(
        self, server: SandboxServer, thread: threading.Thread, scheme: str = "http"
    ) -> None:
        self._server = server
        self._thread = thread
        self._app = server.app
        host, port = server.server_address[:2]
        self.host: str = str(host)
        self.port: int = int(port)
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{scheme}://{shown}:{self.port}"
        self.data_dir: Path = self._app.data_dir

    @property
    def latency(self) -> float:
        """Seconds spent "opening the company" on every call (Gestimum takes ~5 s)."""
        return self._app.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with _as_python_errors():
            self._app.set_latency(seconds)

    @property
    def line_latency(self) -> float:
        """Seconds spent per data line of an import (a realistic server's processing time)."""
        return self._app.line_latency

    @line_latency.setter
    def line_latency(self, seconds: float) -> None:
        with _as_python_errors():
            self._app.set_latency(line_seconds=seconds)

    @property
    def faults_enabled(self) -> bool:
        """Whether faults and latency changes are accepted (`faults=True` / `--pannes`)."""
        return self._app.faults.enabled

    def inject(
        self, fault: str, *, times: int = 1, endpoint: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Make the next `times` calls (of `endpoint`, or any) fail the way `fault` says."""
        with _as_python_errors():
            self._app.faults.add(Fault(fault, times, endpoint, seconds))

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        self._app.faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        """Pending faults (what is left of their `times`)."""
        return self._app.faults.snapshot()

    def rows(self, table_or_endpoint: str, fichier: str = DEMO_FICHIER) -> list[dict[str, Any]]:
        """Stored rows of an endpoint (`Clients`…) or of `Ecritures`/`Echeances`/`Analytiques`."""
        path = self._company(fichier)
        return read_rows(path, table_or_endpoint)

    def pieces(self, fichier: str = DEMO_FICHIER) -> list[dict[str, Any]]:
        """Created pièces (documents) with their lines, in creation order."""
        return read_pieces(self._company(fichier))

    def add_company(self, fichier: str, users: dict[str, str] | None = None) -> None:
        """Create an empty company with these users (code → password)."""
        create_company(self.data_dir, fichier, users or {"DEMO": ""})

    def add_user(self, user: str, password: str = "", fichier: str = DEMO_FICHIER) -> None:
        """Create or update a login of an existing company (only its hash is stored)."""
        company = Company(self._company(fichier))  # its own connection: never inside a task
        try:
            company.set_user(user, password)
        finally:
            company.close()

    def get(self, path: str) -> Any:
        """GET a `/sandbox/…` path over HTTP and decode the JSON answer (for manual checks)."""
        with urllib.request.urlopen(self.url + path, timeout=30) as answer:
            return json.loads(answer.read().decode("utf-8"))

    def _company(self, fichier: str) -> Path:
        path = self._app.find_company(fichier)
        if path is None:
            raise KeyError(fichier)
        return path

    def stop(self) -> None:
        """Stop serving, wake waiting/hanging requests, join every thread, free the port."""
        self._app.stop.set()
        self._server.shutdown()
        self._server.server_close()  # joins the request threads (block_on_close)
        self._thread.join()
        self._app.close()


@contextmanager
def _as_python_errors() -> Iterator[None]:
    """The handle's callers get Python exceptions: refused (403) → RuntimeError, else ValueError."""
    try:
        yield
    except RequestError as exc:
        raise (RuntimeError if exc.status == 403 else ValueError)(exc.message) from None


def _start(
    data_dir: Path, host: str, port: int, *, latency: float, faults: bool, line_latency: float,
    erp_version: str, tls: ssl.SSLContext | None = None,
) -> SandboxHandle:
    with _as_python_errors():  # a bad option is the caller's ValueError
        app = SandboxApp(
            data_dir, latency, faults=faults, line_latency=line_latency, erp_version=erp_version
        )
    seed_demo(data_dir)
    server = SandboxServer((host, port), app)
    if tls is not None:  # a refused handshake is an OSError socketserver drops: nothing served
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="gestimum-sandbox"
    )
    thread.start()
    return SandboxHandle(server, thread, "https" if tls is not None else "http")


@contextmanager
def running_sandbox(
    data_dir: Path | None = None, *, latency: float = 0.0, faults: bool = False,
    line_latency: float = 0.0, erp_version: str = ERP_VERSION, host: str = "127.0.0.1",
    port: int = 0, tls: ssl.SSLContext | None = None,
) -> Iterator[SandboxHandle]:
    """Run a sandbox in this process (a free port when `port` is 0) and always stop it cleanly.

    Without `data_dir`, a fresh temporary folder with the seeded demo company, removed on exit.
    `faults=True` accepts fault injection and latency changes (tests of error paths);
    `line_latency` adds that many seconds per data line of every import; `erp_version` is
    what `Outils/VersionERP` answers (an older Gestimum, to test the add-in's checks).
    `tls` (a server-side context) serves https, for the certificate tests.
    """
    owned = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="gestimum-sandbox-")) if owned else Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        handle = _start(
            folder, host, port, latency=latency, faults=faults, line_latency=line_latency,
            erp_version=erp_version, tls=tls,
        )
        try:
            yield handle
        finally:
            handle.stop()
    finally:
        if owned:
            shutil.rmtree(folder, ignore_errors=True)


def serve_forever(
    host: str, port: int, data_dir: Path | None, latency: float, *, faults: bool = False,
    line_latency: float = 0.0, erp_version: str | None = None,
) -> int:
    """The `gestimum-excel sandbox` command: serve until Ctrl+C, printing where, in French.

    Returns the exit code: 0 after Ctrl+C, 2 when an option is wrong or the port is taken.
    `erp_version` None is the emulated default.
    """
    erp_version = erp_version or ERP_VERSION
    owned = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="gestimum-sandbox-")) if owned else Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        handle = _start(
            folder, host, port, latency=latency, faults=faults, line_latency=line_latency,
            erp_version=erp_version,
        )
    except (ValueError, OSError) as exc:
        if owned:
            shutil.rmtree(folder, ignore_errors=True)
        reason = str(exc) if isinstance(exc, ValueError) else (
            f"impossible d'écouter sur {host}:{port} ({exc.strerror or exc})."
        )
        print(f"Erreur : {reason}", file=sys.stderr)
        return 2
    # Everything after the start is inside the try: a Ctrl+C at any moment stops the threads
    # (an interrupt that escaped would leave the interpreter waiting for them for ever).
    try:
        print(f"Bac à sable Gestimum à l'écoute sur {handle.url}")
        print(f"Données : {folder}{' (dossier temporaire)' if owned else ''}")
        print(f"Société de démonstration : {DEMO_FICHIER}, utilisateur DEMO, mot de passe vide")
        if latency:
            print(f"Latence simulée à l'ouverture de la société : {latency:g} s")
        if line_latency:
            print(f"Temps de traitement simulé par ligne de données : {line_latency:g} s")
        if erp_version != ERP_VERSION:
            print(f"Version de l'ERP annoncée : {erp_version}")
        if faults:
            print("Pannes et changements de latence acceptés (/sandbox/faults, /sandbox/latency).")
        if host not in LOOPBACK:
            print("Attention : le bac à sable est accessible depuis le réseau, "
                  "sans authentification.")
        print(f"Ce qui a été importé : {handle.url}/sandbox/rows?table=Clients")
        print("Ctrl+C pour arrêter.", flush=True)
        handle._thread.join()
    except KeyboardInterrupt:
        print("\nArrêt du bac à sable…", flush=True)
    finally:
        handle.stop()
        if owned:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


