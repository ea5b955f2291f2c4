"""The sandbox says it is one: a header on every answer, a field in the `Outils` answers.

The add-in relies on it to skip the production confirmation (DESIGN §3.1): a real Gestimum
sends neither mark, so both must be present on every kind of answer the sandbox gives.
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from addin.cli import main
from addin.io.client import GestimumClient
from addin.sandbox import SandboxHandle, running_sandbox

from .helpers import HTTP, body, post

CLIENT_LINES = ["PCF_CODE;PCF_RS;CPT_NUMERO", "ID1;Identité;411ID1"]


def _marked(answer: httpx.Response) -> bool:
    return answer.headers.get("X-Gestimum-Sandbox") == "1"


def test_both_outils_answers_carry_the_sandbox_field(sandbox: SandboxHandle) -> None:
    for function, message in (
        ("Version", "2.0.0 (18/09/2019 14:37:08)"),
        ("VersionERP", "8.4.1.856 (13/08/2019 10:50:52)"),
    ):
        answer = HTTP.get(f"{sandbox.url}/api/rest/Outils/%22{function}%22", timeout=10)
        assert answer.json() == {
            "result": [{"resultat": "succès", "message": message, "bac_a_sable": "Oui"}]
        }
        assert _marked(answer)


def test_every_kind_of_answer_carries_the_header(sandbox: SandboxHandle) -> None:
    answers = {
        "import": post(sandbox, "Clients", body("Clients", CLIENT_LINES)),
        "400": post(sandbox, "Clients", None, raw=b"{"),
        "403": post(sandbox, "Clients", body("Clients", CLIENT_LINES,
                                             societe={"mot_passe": "faux"})),
        "404": HTTP.get(f"{sandbox.url}/ailleurs", timeout=10),
        "405": HTTP.get(f"{sandbox.url}/api/rest/Clients/%22Importer%22", timeout=10),
        "rows": HTTP.get(f"{sandbox.url}/sandbox/rows?table=Clients", timeout=10),
        "health": HTTP.get(f"{sandbox.url}/sandbox/health", timeout=10),
    }
    sandbox.inject("error", endpoint="Clients")
    answers["error"] = post(sandbox, "Clients", body("Clients", CLIENT_LINES))
    sandbox.inject("http500", endpoint="Clients")
    answers["http500"] = post(sandbox, "Clients", body("Clients", CLIENT_LINES))
    assert {name: a.status_code for name, a in answers.items()} == {
        "import": 200, "400": 400, "403": 403, "404": 404, "405": 405, "rows": 200,
        "health": 200, "error": 500, "http500": 500,
    }
    assert [name for name, a in answers.items() if not _marked(a)] == []


def test_framing_errors_carry_the_header(sandbox: SandboxHandle) -> None:
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as sock:
        sock.sendall(b"POST /api/rest/Clients/%22Importer%22 HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.partition(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.0 411") and b"\r\nx-gestimum-sandbox: 1" in head


@pytest.mark.parametrize("version", ["8.0.0.100", "9.5.0.1200 (01/02/2024 10:00:00)"])
def test_the_erp_version_is_configurable(tmp_path: Path, version: str) -> None:
    with running_sandbox(tmp_path, erp_version=version) as sb:
        erp = HTTP.get(f"{sb.url}/api/rest/Outils/%22VersionERP%22", timeout=10).json()
        web = HTTP.get(f"{sb.url}/api/rest/Outils/%22Version%22", timeout=10).json()
        with GestimumClient(sb.url) as client:  # the add-in's own client reads it as is
            assert client.versions() == ("2.0.0 (18/09/2019 14:37:08)", version)
    assert erp["result"][0] == {"resultat": "succès", "message": version, "bac_a_sable": "Oui"}
    assert web["result"][0]["message"] == "2.0.0 (18/09/2019 14:37:08)"  # unchanged


@pytest.mark.parametrize("version", ["", "neuf", "9.5 beta", "9.5.0 (", "1" * 80, "9.5\n"])
def test_an_unparsable_erp_version_is_refused(tmp_path: Path, version: str) -> None:
    with pytest.raises(ValueError, match="Version de l'ERP invalide"), running_sandbox(
        tmp_path, erp_version=version
    ):
        pass


def test_cli_version_erp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--version-erp", "huit", "--data", str(tmp_path)]) == 2
    assert "Erreur : Version de l'ERP invalide : « huit »" in capsys.readouterr().err
