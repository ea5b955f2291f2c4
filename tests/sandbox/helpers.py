"""Request builders and answer readers shared by the sandbox tests."""

from __future__ import annotations

import re
from typing import Any

import httpx

from addin.core import catalog
from addin.sandbox import SandboxHandle

# One shared client: `httpx.post()` builds a TLS context per call (~40 ms), too slow here.
HTTP = httpx.Client(timeout=30)

STAMP = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} ")


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
