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
from .faults import FaultBook, delay, require_enabled
from .gate import Gate
from .passwords import verify_password
from .request import parse_request
from .store import SUFFIX, Company, company_name, company_path


class SandboxApp:
    """State shared by the request threads: data folder, companies, faults, latency."""

    def __init__(self, data_dir: Path, latency: float = 0.0, *, faults: bool = False) -> None:
        self.data_dir = data_dir
        self.latency = delay(latency, "latency")
        self.faults = FaultBook(enabled=faults)
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._companies: dict[str, Company] = {}
        self._gates: dict[str, Gate] = {}
        self.domains = spec.by_domain()
        self.tools = {e.function: e for e in catalog.endpoints() if e.kind == "tool"}

    def set_latency(self, seconds: object) -> None:
        """Change the per-call latency at run time (403 unless faults are enabled)."""
        require_enabled(self.faults.enabled)
        self.latency = delay(seconds, "seconds")

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
            def open_company() -> None:
                if self.latency > 0 and self.stop.wait(self.latency):
                    raise RequestError(503, "Le bac à sable est en cours d'arrêt.")

            result = engine.run_import(company, req, open_company)
        finally:
            gate.leave()
        return {"result": [result]}
