"""Request-level failures answer `{"error": "<français>"}` with the documented HTTP status."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from addin.sandbox import SandboxHandle

from .helpers import HTTP, body, post, result

CLIENT_LINES = ["PCF_CODE;PCF_RS;CPT_NUMERO", "CX1;Client X1;411CX1"]


def assert_error(response: httpx.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert list(data) == ["error"]
    message = data["error"]
    assert isinstance(message, str) and message
    assert "Traceback" not in message and "Error" not in message
    for word in words:
        assert word in message, message
    return message


def test_malformed_json(sandbox: SandboxHandle) -> None:
    answer = post(sandbox, "Clients", None, raw=b'{"importer_clients": {')
    assert_error(answer, 400, "JSON valide")


def test_empty_body(sandbox: SandboxHandle) -> None:
    assert_error(post(sandbox, "Clients", None, raw=b""), 400, "vide")


def test_body_that_is_not_an_object(sandbox: SandboxHandle) -> None:
    assert_error(post(sandbox, "Clients", [1, 2]), 400, "importer_clients")


def test_wrong_root_key(sandbox: SandboxHandle) -> None:
    payload = {"importer_fournisseurs": body("Clients", CLIENT_LINES)["importer_clients"]}
    assert_error(
        post(sandbox, "Clients", payload), 400, "importer_fournisseurs", "importer_clients"
    )


def test_unknown_company_file(sandbox: SandboxHandle) -> None:
    payload = body("Clients", CLIENT_LINES, societe={"fichier": "AUTRE.Gestimum"})
    assert_error(
        post(sandbox, "Clients", payload), 404, "C:\\ProgramData\\Gestimum\\AUTRE.Gestimum"
    )


def test_company_file_with_a_folder_is_found_by_name(sandbox: SandboxHandle) -> None:
    payload = body("Clients", CLIENT_LINES, societe={"fichier": "D:\\Partage\\demo.gestimum"})
    res = result(post(sandbox, "Clients", payload))
    assert res["journal"][0].endswith("Ouverture de la société D:\\Partage\\demo.gestimum")


@pytest.mark.parametrize(
    "societe", [{"utilisateur": "INCONNU"}, {"mot_passe": "faux"}], ids=["user", "password"]
)
def test_unknown_user_or_wrong_password(sandbox: SandboxHandle, societe: dict[str, str]) -> None:
    answer = post(sandbox, "Clients", body("Clients", CLIENT_LINES, societe=societe))
    assert_error(answer, 403, "mot de passe incorrect")
    assert sandbox.rows("Clients")[-1]["PCF_CODE"] != "CX1"


def test_other_companies_and_users_are_configurable(sandbox: SandboxHandle) -> None:
    sandbox.add_company("SOC2.Gestimum", {"COMPTA": "secret"})
    payload = body(
        "Clients",
        CLIENT_LINES,
        societe={"fichier": "SOC2.Gestimum", "utilisateur": "COMPTA", "mot_passe": "secret"},
    )
    assert (
        result(post(sandbox, "Clients", payload))["statistiques"]["nombre_lignes_importées"] == "1"
    )
    assert [r["PCF_CODE"] for r in sandbox.rows("Clients", fichier="SOC2.Gestimum")] == ["CX1"]
    assert "CX1" not in {r["PCF_CODE"] for r in sandbox.rows("Clients")}


@pytest.mark.parametrize(
    ("endpoint", "mutate", "words"),
    [
        ("Clients", lambda p: p["parametres"].pop("fichier_clients"), ["fichier_clients"]),
        ("Clients", lambda p: p["societe"].pop("fichier"), ["fichier"]),
        ("Clients", lambda p: p["societe"].pop("utilisateur"), ["utilisateur"]),
        ("Clients", lambda p: p.pop("parametres"), ["parametres"]),
        ("Ecritures", lambda p: p["parametres"].pop("format"), ["format"]),
        ("Ecritures", lambda p: p["parametres"].pop("fichier_ecritures"), ["fichier_ecritures"]),
    ],
    ids=["file-array", "fichier", "utilisateur", "parametres", "format", "fichier_ecritures"],
)
def test_missing_mandatory_parameter(
    sandbox: SandboxHandle, endpoint: str, mutate: Any, words: list[str]
) -> None:
    lines = CLIENT_LINES if endpoint == "Clients" else ["1,19/02/2019,VTE,411C25,,X,P1,EUR,1,D"]
    payload = body(endpoint, lines)
    if endpoint == "Ecritures":
        payload["importer_ecritures"]["parametres"]["format"] = "GestimumComptaVariable"
    mutate(next(iter(payload.values())))
    assert_error(post(sandbox, endpoint, payload), 400, *words)


@pytest.mark.parametrize(
    ("endpoint", "where", "key", "value", "status"),
    [
        ("Clients", "parametres", "journal", "oui", 400),
        ("Clients", "parametres", "tester", "Peut-être", 400),
        ("Clients", "societe", "exclusif", "1", 400),
        ("Comptes", "parametres", "calculer_code_tiers", "Yes", 400),
        ("Ecritures", "parametres", "format", "CSV", 400),
        ("Ecritures", "parametres", "simulation", "oui", 400),
        ("Clients", "parametres", "separateur_champs", ";;", 400),
        ("Clients", "parametres", "entete", True, 400),
        ("Ecritures", "parametres", "format", "GestimumComptaFixe", 501),
    ],
)
def test_value_not_allowed(
    sandbox: SandboxHandle, endpoint: str, where: str, key: str, value: Any, status: int
) -> None:
    lines = {"Clients": CLIENT_LINES, "Comptes": ["CPT_NUMERO;CPT_LIB;CPT_TYPE", "6011;X;G"]}.get(
        endpoint, ["1,19/02/2019,VTE,411C25,,X,P1,EUR,1,D"]
    )
    payload = body(endpoint, lines)
    inner = next(iter(payload.values()))
    if endpoint == "Ecritures":
        inner["parametres"].setdefault("format", "GestimumComptaVariable")
    inner[where][key] = value
    message = assert_error(post(sandbox, endpoint, payload), status, key if status == 400 else "")
    if status == 501:
        assert "GestimumComptaFixe" in message


def test_parameter_unknown_to_the_endpoint_is_refused(sandbox: SandboxHandle) -> None:
    # Articles has no test mode: a `tester` sent there must not silently import for real.
    payload = body("Articles", ["ART_CODE;ART_LIB", "Z1;Z1"], tester="Oui")
    assert_error(post(sandbox, "Articles", payload), 400, "tester")
    assert "Z1" not in {r["ART_CODE"] for r in sandbox.rows("Articles")}


def test_unknown_header_field_is_refused(sandbox: SandboxHandle) -> None:
    payload = body("Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO;PCF_NIMPORTE", "A;B;C;D"])
    assert_error(post(sandbox, "Clients", payload), 400, "PCF_NIMPORTE")


def test_without_header_nor_field_names(sandbox: SandboxHandle) -> None:
    payload = body("Clients", CLIENT_LINES[1:], entete="Non")
    assert_error(post(sandbox, "Clients", payload), 400, "noms_champs")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/api/rest/Inconnu/%22Importer%22", 404),
        ("POST", "/api/rest/Clients/%22Exporter%22", 404),
        ("POST", "/api/rest/Clients/Importer", 404),  # DataSnap needs the quotes to call it
        ("GET", "/api/rest/Outils/%22Inconnu%22", 404),
        ("GET", "/ailleurs", 404),
        ("GET", "/api/rest/Clients/%22Importer%22", 405),
        ("POST", "/api/rest/Outils/%22Version%22", 405),
        ("GET", "/sandbox/inconnu", 404),
    ],
)
def test_unknown_url_or_method(sandbox: SandboxHandle, method: str, path: str, status: int) -> None:
    answer = HTTP.request(method, sandbox.url + path, content=b"{}", timeout=10)
    assert_error(answer, status)


@pytest.mark.parametrize(
    "path",
    [
        '/api/rest/Clients/"Importer"',
        "/api/rest/Clients/%22Importer%22",
        "/api/rest/SousFamillesArticles/%22Importer%22",
    ],
)
def test_documented_url_forms(sandbox: SandboxHandle, path: str) -> None:
    if "SousFamilles" in path:
        payload = body("SousFamilles", ["SFA_CODE;SFA_LIB", "SF9;Sous-famille 9"])
    else:
        payload = body("Clients", CLIENT_LINES)
    answer = HTTP.post(sandbox.url + path, content=json.dumps(payload).encode(), timeout=10)
    assert result(answer)["resultat"] == "succès"


def test_server_survives_every_failure(sandbox: SandboxHandle) -> None:
    for raw in (b"\xff\xfe", b"null", b'"x"', b"{}", b'{"importer_clients": []}'):
        assert post(sandbox, "Clients", None, raw=raw).status_code == 400
    assert result(post(sandbox, "Clients", body("Clients", CLIENT_LINES)))["message"] == "terminé"


def test_imported_users_can_log_in(sandbox: SandboxHandle) -> None:
    lines = ["USR_NAME;USR_PASSWD;USR_WSTLCU", "WEB;s3cret;1"]
    assert result(post(sandbox, "Utilisateurs", body("Utilisateurs", lines)))
    payload = body("Clients", CLIENT_LINES, societe={"utilisateur": "WEB", "mot_passe": "s3cret"})
    assert result(post(sandbox, "Clients", payload))["resultat"] == "succès"
    payload = body("Clients", CLIENT_LINES, societe={"utilisateur": "WEB", "mot_passe": ""})
    assert_error(post(sandbox, "Clients", payload), 403)
