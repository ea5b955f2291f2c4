"""Canaries: a known USR_PASSWD value and a known ERP password never appear in any CLI output,
log record, workbook part written by a run, Résultats or Journal row — even when the server
echoes them back in its journal, its message or an HTTP error."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.layout import JOURNAL_SHEET, RESULTATS_HEADERS, RESULTATS_SHEET
from addin.udfs import GESTIMUM_LIGNE
from tests.e2e.corpus.cases import USR_PASSWD

ERP_PASSWORD = "ErpCanary-93"
CANARIES = (USR_PASSWD, ERP_PASSWORD)


class _Echo(BaseHTTPRequestHandler):
    """A server that repeats everything it is sent: lines and password, in journal and message
    (mode "ok"), or in an HTTP 500 error body (mode "error")."""

    mode = "ok"

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        root = next(iter(body.values()))
        password = root["societe"]["mot_passe"]
        lines = next(v for k, v in root["parametres"].items() if k.startswith("fichier_"))
        if self.mode == "error":
            payload = {"error": f"Mot de passe {password} refusé pour {lines!r}"}
            status = 500
        else:
            journal = [f"La ligne {n} : {line} refusée (mot de passe ERP {password})"
                       for n, line in enumerate(lines[1:], start=1)]
            payload = {"result": [{
                "resultat": "succès", "message": f"terminé {password} {lines[-1]}",
                "journal": [*journal, "Nombre de lignes importées : 0",
                            f"Nombre de lignes non importées : {len(lines) - 1}"],
                "statistiques": {"nombre_lignes_importées": "0",
                                 "nombre_lignes_non_importées": str(len(lines) - 1)},
            }]}
            status = 200
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[tuple[str, type[_Echo]]]:
    handler = type("Echo", (_Echo,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def _erp_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", ERP_PASSWORD)


def _users(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Utilisateurs"
    ws.append(["USR_NAME", "USR_PASSWD", "USR_GROUPE"])
    ws.append(["JDUPONT", USR_PASSWD, "COMPTA"])
    wb.save(path)
    return path


def _occurrences(path: Path, text: str) -> int:
    """How often `text` appears in the package, part by part (XML-escaped form included)."""
    with zipfile.ZipFile(path) as archive:
        return sum(archive.read(n).count(text.encode()) for n in archive.namelist())


def _journal_bytes() -> bytes:
    path = Path(os.environ["GESTIMUM_JOURNAL"])
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _assert_clean(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} leaked:\n{text}"


def test_check_and_payload_never_print_the_secrets(tmp_path: Path, capsys) -> None:
    book = _users(tmp_path / "u.xlsx")
    assert main(["check", str(book)]) == 0
    checked = capsys.readouterr()
    _assert_clean(checked.out + checked.err)
    assert main(["payload", str(book), "--sheet", "Utilisateurs"]) == 0
    printed = capsys.readouterr()
    _assert_clean(printed.out + printed.err)
    lines = json.loads(printed.out)[0]["importer_utilisateurs"]["parametres"]
    assert lines["fichier_utilisateurs"][1] == "JDUPONT;********;COMPTA"


def test_import_scrubs_what_the_server_echoes(
    tmp_path: Path, capsys, caplog: pytest.LogCaptureFixture, echo_server
) -> None:
    url, _ = echo_server
    book = _users(tmp_path / "u.xlsx")
    before = _occurrences(book, USR_PASSWD)
    out = tmp_path / "out.xlsx"
    with caplog.at_level(logging.DEBUG):
        code = main(["import", str(book), "--server", url, "--yes", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 1, printed  # the server rejected the line
    _assert_clean(printed.out + printed.err + caplog.text)
    # The user's own cell still holds the password; no other part gained a copy of it.
    assert _occurrences(out, USR_PASSWD) == before == 1
    assert _occurrences(out, ERP_PASSWORD) == 0
    wb = openpyxl.load_workbook(out)
    journal = [r[2] for r in wb[JOURNAL_SHEET].iter_rows(min_row=2, values_only=True)]
    assert any("La ligne 1 : JDUPONT;********;COMPTA refusée" in j for j in journal), journal
    results = list(wb[RESULTATS_SHEET].iter_rows(min_row=2, values_only=True))
    digest = results[0][RESULTATS_HEADERS.index("SHA-256 des lignes")]
    plain = hashlib.sha256(
        f"USR_NAME;USR_PASSWD;USR_GROUPE\nJDUPONT;{USR_PASSWD};COMPTA".encode()
    ).hexdigest()
    assert digest.startswith("HMAC ") and plain not in digest
    # The run journal (sqlite, with its write-ahead log) holds neither.
    stored = _journal_bytes()
    assert stored and all(c.encode() not in stored for c in CANARIES)


def test_server_error_echoing_the_password_is_scrubbed(
    tmp_path: Path, capsys, echo_server
) -> None:
    url, handler = echo_server
    handler.mode = "error"
    book = _users(tmp_path / "u.xlsx")
    out = tmp_path / "out.xlsx"
    code = main(["import", str(book), "--server", url, "--yes", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 3, printed
    _assert_clean(printed.out + printed.err)
    if out.exists():
        assert _occurrences(out, ERP_PASSWORD) == 0
        assert _occurrences(out, USR_PASSWD) == 1
    assert all(c.encode() not in _journal_bytes() for c in CANARIES)


def test_line_preview_udf_masks_the_password() -> None:
    line = GESTIMUM_LIGNE("Utilisateurs", ["USR_NAME", "USR_PASSWD"], ["JDUPONT", USR_PASSWD])
    assert line == "JDUPONT;********"


def test_issue_messages_never_quote_a_secret(tmp_path: Path, capsys) -> None:
    """A rule or a duplicate quoting a row's values: the secret is masked there too."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Utilisateurs"
    ws.append(["USR_NAME", "USR_PASSWD"])
    ws.append(["JDUPONT", USR_PASSWD + "é€→"])  # unsupported character and too long
    wb.save(tmp_path / "bad.xlsx")
    assert main(["check", str(tmp_path / "bad.xlsx")]) == 2
    printed = capsys.readouterr().out
    _assert_clean(printed)
    assert "Utilisateurs!B2" in printed and "********" in printed


def test_a_real_import_into_the_sandbox_keeps_the_user_password_in_its_cell_only(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end against the real sandbox (demo company, empty ERP password): the user is
    created, and USR_PASSWD shows nowhere but in the cell it was typed in."""
    from addin.sandbox import running_sandbox

    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")
    book = _users(tmp_path / "u.xlsx")
    with running_sandbox() as sandbox:
        assert main(["import", str(book), "--server", sandbox.url, "--yes"]) == 0
        stored = sandbox.rows("Utilisateurs")
    printed = capsys.readouterr()
    assert USR_PASSWD not in printed.out + printed.err
    assert [r["USR_NAME"] for r in stored] == ["JDUPONT"] and USR_PASSWD not in str(stored)
    assert _occurrences(book, USR_PASSWD) == 1
    assert USR_PASSWD.encode() not in _journal_bytes()
