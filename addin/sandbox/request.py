"""The body of an `Importer` request, checked and parsed into an `ImportRequest`.

Everything here is request-level: a body that cannot be used raises `RequestError` (400), so
that nothing is processed; line-level problems are the engine's business.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from addin.core import catalog

from .errors import bad_request

YES_NO = ("Oui", "Non")
SOCIETE_KEYS = ("fichier", "utilisateur", "mot_passe", "deconnecter", "exclusif")
COMMON_KEYS = (
    "journal", "statistiques", "entete", "noms_champs", "separateur_champs", "identificateur_texte",
)


@dataclass
class ImportRequest:
    """A parsed `Importer` body."""

    endpoint: catalog.Endpoint
    fichier: str
    utilisateur: str
    mot_passe: str
    deconnecter: bool
    exclusif: bool
    journal: bool
    statistiques: bool
    entete: bool
    noms_champs: str
    separateur: str
    identificateur: str
    files: dict[str, list[str]]
    params: dict[str, str]

    def flag(self, name: str) -> bool:
        return self.params.get(name) == "Oui"

    def data_lines(self) -> int:
        """How many data lines were sent (blank lines and the header line not counted)."""
        lines = self.files[self.endpoint.file_params[0]]
        count = sum(1 for line in lines if line.strip())
        if self.entete and not self.endpoint.positional and lines and lines[0].strip():
            count -= 1  # Ecritures ignores `entete`: its lines are positional
        return count


def _text(container: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = container.get(key)
    if value is None:
        if required:
            raise bad_request(f"Le paramètre obligatoire « {key} » est absent de « {where} ».")
        return ""
    if not isinstance(value, str):
        raise bad_request(f"Le paramètre « {key} » doit être une chaîne de caractères.")
    if required and not value:
        raise bad_request(f"Le paramètre obligatoire « {key} » est vide.")
    return value


def _choice(container: dict[str, Any], key: str, values: Sequence[str], default: str | None) -> str:
    value = _text(container, key, "")
    if value == "" and key not in container and default is not None:
        return default
    if value not in values:
        allowed = ", ".join(values)
        raise bad_request(
            f"La valeur « {value} » du paramètre « {key} » n'est pas autorisée "
            f"(valeurs possibles : {allowed})."
        )
    return value


def parse_request(ep: catalog.Endpoint, raw: bytes) -> ImportRequest:
    """Validate the body of an import request; raise RequestError (400) when it is unusable."""
    if not raw.strip():
        raise bad_request("Le corps de la requête est vide : un objet JSON est attendu.")
    try:
        body = json.loads(raw.decode("utf-8-sig"))  # tolerate a BOM (Windows clients)
    except UnicodeDecodeError:
        raise bad_request("Le corps de la requête n'est pas encodé en UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"Le corps de la requête n'est pas un JSON valide (ligne {exc.lineno}, "
            f"colonne {exc.colno})."
        ) from None
    if not isinstance(body, dict) or len(body) != 1:
        raise bad_request(
            f"Le corps de la requête doit être un objet à la seule clé « {ep.root_key} »."
        )
    (root, inner), = body.items()
    if root != ep.root_key:
        raise bad_request(
            f"Clé racine « {root} » inattendue : la requête {ep.domain} attend « {ep.root_key} »."
        )
    if not isinstance(inner, dict):
        raise bad_request(f"« {root} » doit être un objet avec « societe » et « parametres ».")
    for key in inner:
        if key not in ("societe", "parametres"):
            raise bad_request(f"Clé inconnue « {key} » dans « {root} ».")
    societe = inner.get("societe")
    parametres = inner.get("parametres")
    if not isinstance(societe, dict):
        raise bad_request("L'objet « societe » est absent ou n'est pas un objet.")
    if not isinstance(parametres, dict):
        raise bad_request("L'objet « parametres » est absent ou n'est pas un objet.")
    for key in societe:
        if key not in SOCIETE_KEYS:
            raise bad_request(f"Paramètre inconnu « {key} » dans « societe ».")

    specific = {p.name: p for p in ep.params}
    allowed = set(COMMON_KEYS) | set(ep.file_params) | set(specific)
    for key in parametres:
        if key not in allowed:
            raise bad_request(f"Paramètre inconnu pour la requête {ep.domain} : « {key} ».")

    files: dict[str, list[str]] = {}
    for i, name in enumerate(ep.file_params):
        value = parametres.get(name)
        if value is None:
            if i == 0:  # the first file array is mandatory (fichier_ecritures included)
                raise bad_request(f"Le paramètre obligatoire « {name} » est absent.")
            continue
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad_request(f"Le paramètre « {name} » doit être un tableau de chaînes.")
        files[name] = value

    params: dict[str, str] = {}
    for name, p in specific.items():
        if p.values:
            if name not in parametres and p.required:
                raise bad_request(f"Le paramètre obligatoire « {name} » est absent.")
            if name in parametres or p.default is not None:
                params[name] = _choice(parametres, name, p.values, p.default)
        else:
            params[name] = _text(parametres, name, "parametres", required=p.required)
    if "plan_analytique" in params and len(params["plan_analytique"]) > 15:
        raise bad_request("Le paramètre « plan_analytique » dépasse 15 caractères.")

    separateur = _text(parametres, "separateur_champs", "parametres") or (ep.separator or ";")
    identificateur = _text(parametres, "identificateur_texte", "parametres")
    if len(separateur) != 1:
        raise bad_request("Le paramètre « separateur_champs » doit tenir en un seul caractère.")
    if len(identificateur) > 1:
        raise bad_request("Le paramètre « identificateur_texte » doit être vide ou d'un caractère.")
    if identificateur and identificateur == separateur:
        raise bad_request("« identificateur_texte » et « separateur_champs » doivent différer.")

    return ImportRequest(
        endpoint=ep,
        fichier=_text(societe, "fichier", "societe", required=True),
        utilisateur=_text(societe, "utilisateur", "societe", required=True),
        mot_passe=_text(societe, "mot_passe", "societe"),
        deconnecter=_choice(societe, "deconnecter", YES_NO, "Non") == "Oui",
        exclusif=_choice(societe, "exclusif", YES_NO, "Non") == "Oui",
        journal=_choice(parametres, "journal", YES_NO, "Non") == "Oui",
        statistiques=_choice(parametres, "statistiques", YES_NO, "Non") == "Oui",
        entete=_choice(parametres, "entete", YES_NO, "Non") == "Oui",
        noms_champs=_text(parametres, "noms_champs", "parametres"),
        separateur=separateur,
        identificateur=identificateur,
        files=files,
        params=params,
    )
