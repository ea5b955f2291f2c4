"""Request builders and answer readers shared by the sandbox tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from addin.core import catalog
from addin.sandbox import SandboxHandle

# One shared client: `httpx.post()` builds a TLS context per call (~40 ms), too slow here.
HTTP = httpx.Client(timeout=30)

STAMP = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} ")
BOUNDARY = re.compile(r"La ligne \d+ |Tâche |La pièce \S+ a été créée$")


def _reference() -> Path:
    """`shared/gestimum/endpoints.json` beside the checkout (or beside a worktree's parent)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "gestimum" / "endpoints.json"
        if candidate.exists():
            return candidate
    return here.parents[3] / "shared" / "gestimum" / "endpoints.json"


ENDPOINTS_JSON = _reference()  # the documented reference, when this machine has it


def body(
    endpoint: str, lines: list[str], *, societe: dict[str, str] | None = None, **params: Any
) -> dict[str, Any]:
    """A request body with the documented default options (header line included by caller)."""
    ep = catalog.get_endpoint(endpoint)
    parametres: dict[str, Any] = {
        "journal": "Oui",
        "statistiques": "Oui",
        "entete": "Oui",
        "noms_champs": "",
        "separateur_champs": ";",
        "identificateur_texte": "",
    }
    if ep.positional:
        parametres = {"journal": "Oui", "statistiques": "Oui"}
    parametres[ep.file_params[0]] = lines
    parametres.update(params)
    soc = {
        "fichier": "DEMO.Gestimum",
        "utilisateur": "DEMO",
        "mot_passe": "",
        "deconnecter": "Non",
        "exclusif": "Non",
    }
    soc.update(societe or {})
    return {ep.root_key: {"societe": soc, "parametres": parametres}}


def post(
    sb: SandboxHandle, endpoint: str, payload: Any, *, timeout: float = 30, raw: bytes | None = None
) -> httpx.Response:
    """POST to the documented URL of an import endpoint."""
    url = f"{sb.url}/{catalog.get_endpoint(endpoint).url}"
    if raw is not None:
        return HTTP.post(url, content=raw, timeout=timeout)
    return HTTP.post(url, json=payload, timeout=timeout)


def result(response: httpx.Response) -> dict[str, Any]:
    """`result[0]` of a successful answer."""
    assert response.status_code == 200, response.text
    return response.json()["result"][0]


def journal(res: dict[str, Any]) -> list[str]:
    """Journal lines without their timestamps (each one must have one)."""
    out = []
    for line in res["journal"]:
        assert STAMP.match(line), line
        out.append(line[20:])
    return out


def imported(res: dict[str, Any]) -> tuple[int, int]:
    stats = res["statistiques"]
    return int(stats["nombre_lignes_importées"]), int(stats["nombre_lignes_non_importées"])


def run(sb: SandboxHandle, endpoint: str, lines: list[str], **params: str) -> dict[str, Any]:
    """POST lines to an endpoint with the documented defaults; `result[0]` of the answer."""
    return result(post(sb, endpoint, body(endpoint, lines, **params)))


def rejection(res: dict[str, Any], number: int) -> list[str]:
    """The reason lines that follow `La ligne N n'a pas pu être importée :`."""
    lines = journal(res)
    start = lines.index(f"La ligne {number} n'a pas pu être importée :") + 1
    out = []
    for line in lines[start:]:
        if BOUNDARY.match(line):
            break
        out.append(line)
    return out
