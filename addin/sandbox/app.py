"""State shared by the request threads: data folder, open companies, faults, latency.

`SandboxApp.run_import` is the whole of an import call but its transport: parse, find the
company, authenticate, queue on the company, run the task.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from addin.core import catalog

from . import engine, spec
from .errors import RequestError
from .faults import MAX_LINE_DELAY, FaultBook, delay, require_enabled
from .gate import Gate
from .identity import ERP_VERSION, WEB_SERVICE_VERSION
from .identity import erp_version as check_erp
from .passwords import verify_password
from .request import parse_request
from .store import SUFFIX, Company, company_name, company_path

KEEP = object()  # "leave this delay as it is"


class SandboxApp:
    """State shared by the request threads: data folder, companies, faults, latency."""

    def __init__(
        self, data_dir: Path, latency: float = 0.0, *, faults: bool = False,
        line_latency: float = 0.0, erp_version: str = ERP_VERSION,
    ) -> None:
        self.data_dir = data_dir
        self.latency = delay(latency, "latency")
        self.line_latency = delay(line_latency, "line_latency", MAX_LINE_DELAY)
        self.faults = FaultBook(enabled=faults)
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._companies: dict[str, Company] = {}
        self._gates: dict[str, Gate] = {}
        self.domains = spec.by_domain()
        self.tools = {e.function: e for e in catalog.endpoints() if e.kind == "tool"}
        # The ERP version may be an older one, to test the add-in's version checks.
        self.versions = {"Version": WEB_SERVICE_VERSION, "VersionERP": check_erp(erp_version)}

    def set_latency(self, seconds: object = KEEP, line_seconds: object = KEEP) -> None:
        """Change the per-call and/or per-line delays at run time (403 unless faults enabled).

        Both values are checked before either is applied.
        """
        require_enabled(self.faults.enabled)
        latency = self.latency if seconds is KEEP else delay(seconds, "seconds")
        line_latency = (
            self.line_latency if line_seconds is KEEP
            else delay(line_seconds, "line_seconds", MAX_LINE_DELAY)
        )
        self.latency, self.line_latency = latency, line_latency

    def _wait(self, seconds: float) -> None:
        """Spend simulated time; a stopping sandbox cuts it short (503)."""
        if seconds > 0 and self.stop.wait(seconds):
            raise RequestError(503, "Le bac à sable est en cours d'arrêt.")

    def find_company(self, fichier: str) -> Path | None:
        """The database of a connection file, matched by name (case-insensitive, as Windows)."""
        wanted = company_name(fichier).lower()
        for path in self.data_dir.glob(f"*{SUFFIX}"):
            if path.name[: -len(SUFFIX)].lower() == wanted:
                return path
        return None

    def company(self, path: Path) -> tuple[Company, Gate]:
        key = path.name.lower()
        with self._lock:
            if key not in self._companies:
                self._companies[key] = Company(path)
                self._gates[key] = Gate()
            return self._companies[key], self._gates[key]

    def close(self) -> None:
        with self._lock:
            for company in self._companies.values():
                company.close()
            self._companies.clear()

    def run_import(self, ep: catalog.Endpoint, raw: bytes) -> dict[str, Any]:
        """Parse, authenticate, queue on the company, run the task; return the answer body."""
        req = parse_request(ep, raw)
        path = self.find_company(req.fichier)
        if path is None:
            raise RequestError(
                404, f"Le fichier de connexion {company_path(req.fichier)} est introuvable."
            )
        company, gate = self.company(path)
        stored = company.password_hash(req.utilisateur)
        if stored is None or not verify_password(req.mot_passe, stored):
            raise RequestError(
                403, f"Utilisateur « {req.utilisateur} » inconnu ou mot de passe incorrect.",
            )
        gate.enter(req.utilisateur, req.exclusif, req.deconnecter, self.stop)
        try:
            result = engine.run_import(
                company, req,
                open_company=lambda: self._wait(self.latency),
                run_lines=lambda count: self._wait(self.line_latency * count),
            )
        finally:
            gate.leave()
        return {"result": [result]}
