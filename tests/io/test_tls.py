"""Certificates: the sandbox over https with a certificate from a throwaway company CA.

Refused by default (that CA is in no trust store), accepted with the CA bundle of the Connexion
sheet; when refused, nothing reaches the server.
"""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from addin.cli import main
from addin.core import catalog, errors
from addin.io.client import GestimumClient
from addin.sandbox import running_sandbox

from ..pki import make_pki

PROSPECTS = catalog.get_endpoint("Prospects")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def https_sandbox(pki: dict[str, Path]) -> Iterator[Any]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    with running_sandbox(tls=context) as sandbox:
        yield sandbox


def _body() -> dict[str, Any]:
    return PROSPECTS.examples[0]


def test_an_internal_ca_is_refused_by_default_and_nothing_is_sent(https_sandbox: Any) -> None:
    assert https_sandbox.url.startswith("https://127.0.0.1:")
    with GestimumClient(https_sandbox.url, connect_timeout=5) as client:
        with pytest.raises(errors.TLSError) as info:
            client.post_import(PROSPECTS, _body())
        assert info.value.nothing_sent and "Certificat CA" in info.value.user_message
    assert https_sandbox.rows("Prospects") == []


def test_the_ca_bundle_makes_it_trusted(https_sandbox: Any, pki: dict[str, Path]) -> None:
    with GestimumClient(https_sandbox.url, ca_bundle=str(pki["ca"])) as client:
        web_service, erp = client.versions()
        client.post_import(PROSPECTS, _body())
    assert web_service and erp
    assert [r["PCF_CODE"] for r in https_sandbox.rows("Prospects")] == ["P42"]


def test_the_ca_bundle_does_not_trust_a_certificate_for_another_name(
        pki: dict[str, Path]) -> None:
    # Hostname checking stays on: a certificate of the same CA for another server is refused.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["other-cert"], pki["other-key"])
    with running_sandbox(tls=context) as sandbox:
        with (GestimumClient(sandbox.url, ca_bundle=str(pki["ca"]), connect_timeout=5) as client,
              pytest.raises(errors.TLSError)):
            client.post_import(PROSPECTS, _body())
        assert sandbox.rows("Prospects") == []


def test_an_unreadable_ca_bundle_is_a_french_config_error(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="Certificat CA"):
        GestimumClient("https://127.0.0.1:9", ca_bundle=str(tmp_path / "absent.pem"))
    (tmp_path / "faux.pem").write_text("pas un certificat")
    with pytest.raises(errors.ConfigError, match=r"\.pem"):
        GestimumClient("https://127.0.0.1:9", ca_bundle=str(tmp_path / "faux.pem"))


def _workbook(path: Path, server: str, ca: str | None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prospects"
    ws.append(["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"])
    ws.append(["P42", "411P42", "DECAT5", "6 rue de la paix", "78120", "RAMBOUILLET"])
    connexion = wb.create_sheet("Connexion")
    connexion.append(["Serveur", server])
    if ca is not None:
        connexion.append(["Certificat CA", ca])
    wb.save(path)
    return path


def test_cli_uses_the_connexion_sheet_ca_relative_to_the_workbook(
        https_sandbox: Any, pki: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")
    refused = _workbook(tmp_path / "sans-ca.xlsx", https_sandbox.url, None)
    assert main(["import", str(refused), "--sheet", "Prospects"]) == 3
    printed = capsys.readouterr()
    assert "certificat non reconnu" in printed.out + printed.err
    assert https_sandbox.rows("Prospects") == []
    shutil.copy(pki["ca"], tmp_path / "ca-entreprise.pem")  # shared next to the workbook
    trusted = _workbook(tmp_path / "avec-ca.xlsx", https_sandbox.url, "ca-entreprise.pem")
    assert main(["import", str(trusted), "--sheet", "Prospects"]) == 0
    assert [r["PCF_CODE"] for r in https_sandbox.rows("Prospects")] == ["P42"]


def test_version_accepts_a_ca_option(https_sandbox: Any, pki: dict[str, Path],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version", "--server", https_sandbox.url, "--certificat-ca",
                 str(pki["ca"])]) == 0
    assert "Web Service Gestimum" in capsys.readouterr().out


def test_a_typed_ca_path_is_relative_to_the_current_folder(
        https_sandbox: Any, pki: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")
    (tmp_path / "classeurs").mkdir()
    book = _workbook(tmp_path / "classeurs" / "b.xlsx", https_sandbox.url, None)
    monkeypatch.chdir(pki["ca"].parent)
    assert main(["import", str(book), "--sheet", "Prospects", "--certificat-ca", "ca.pem"]) == 0
