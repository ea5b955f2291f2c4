"""Exactly-once imports: whatever stops a run, re-running the same command never doubles a
document and never leaves a false status.

Each scenario interrupts or breaks an import of invoices (creation-only), then re-runs the same
command up to three times, as a careful user would, and checks the company in the sandbox:
every document at most once; "Importée" only for documents present; "Rejetée", "Non envoyée" or
blank only for documents absent ("À vérifier" may be either: it says so).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from addin.cli import main
from addin.core.layout import STAMP_HEADER, STATUS_HEADER
from addin.core.status import RowState, status_state
from addin.io.run_journal import RunJournal
from addin.sandbox import running_sandbox

INVOICES = 6  # one per batch (batch size 2, two lines each)
HEADER = ["DOC_STYPE", "DOC_DATE", "PCF_CODE", "DOC_REFPCF", "ART_CODE", "LIG_QTE"]


@pytest.fixture
def sandbox() -> Iterator[Any]:
    with running_sandbox(faults=True) as sb:  # fault injection and latency on purpose
        yield sb


pytestmark = pytest.mark.usefixtures("no_password")


def invoices_book(path: Path, n: int = INVOICES, sheet: str = "DocumentsVente") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEADER)
    for i in range(n):
        for article in ("A10", "A20"):
            ws.append(["F", f"0{1 + i % 9}/11/2026", "C25", f"REF-{i}", article, 1 + i])
    wb.save(path)
    return path


def sheet_cells(path: Path, header: str, sheet: str = "DocumentsVente") -> dict[int, Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    names = [c.value for c in ws[1]]
    if header not in names:
        return {}
    col = names.index(header) + 1
    return {r: ws.cell(r, col).value for r in range(2, ws.max_row + 1)}


def created(sandbox: Any) -> Counter[str]:
    """DOC_REFPCF → number of documents created for it."""
    counts: Counter[str] = Counter()
    for piece in sandbox.pieces():
        refs = {line.get("DOC_REFPCF") for line in piece["lines"]}
        for ref in refs:
            counts[ref] += 1
    return counts


def assert_exactly_once(sandbox: Any, path: Path, *, complete: bool = False) -> None:
    """No document twice; no status contradicting the company (DESIGN §4)."""
    counts = created(sandbox)
    doubled = {ref: n for ref, n in counts.items() if n > 1}
    assert not doubled, f"documents created twice: {doubled}"
    refs = sheet_cells(path, "DOC_REFPCF")
    for row, text in sheet_cells(path, STATUS_HEADER).items():
        state = status_state(text)
        present = counts[refs[row]] == 1
        if state in (RowState.IMPORTED, RowState.WARNING, RowState.SKIPPED):
            assert present, f"row {row} says {text!r} but {refs[row]} is not in Gestimum"
        elif state is not RowState.UNKNOWN:
            assert not present, f"row {row} says {text!r} but {refs[row]} is in Gestimum"
    if complete:
        assert set(counts) == {f"REF-{i}" for i in range(INVOICES)}


def import_args(path: Path, sandbox: Any, *extra: str) -> list[str]:
    return ["import", str(path), "--server", sandbox.url, "--batch-size", "2", *extra]


def rerun_three_times(path: Path, sandbox: Any, *extra: str) -> list[int]:
    codes = []
    for _ in range(3):
        codes.append(main(import_args(path, sandbox, *extra)))
        assert_exactly_once(sandbox, path)
    return codes


def start_cli(path: Path, sandbox: Any, journal: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "GESTIMUM_MOT_PASSE": "", "GESTIMUM_JOURNAL": str(journal)}
    return subprocess.Popen(
        [sys.executable, "-m", "addin", *import_args(path, sandbox)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_pieces(sandbox: Any, n: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(sandbox.pieces()) < n:
        assert time.monotonic() < deadline, "the import did not progress"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_run_stopped_by_a_signal_never_doubles_on_rerun(
    tmp_path: Path, sandbox: Any, private_run_journal: Path, sig: signal.Signals
) -> None:
    path = invoices_book(tmp_path / "factures.xlsx")
    sandbox.latency = 0.3  # the company "opens" slowly: the signal lands mid-request
    proc = start_cli(path, sandbox, private_run_journal)
    try:
        wait_for_pieces(sandbox, 2)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert "Traceback" not in err
    if sig is not signal.SIGKILL:
        # Stopped early, never a silent 0: 3 when sending stopped, 130 when the signal came
        # during the final save (the journal then holds the statuses).
        assert proc.returncode in (3, 130), err
        assert "interrompu" in (out + err).lower()
        assert_exactly_once(sandbox, path)  # what the stopped run wrote is already true
    sandbox.latency = 0.0
    codes = rerun_three_times(path, sandbox)
    assert_exactly_once(sandbox, path)
    # What the killed run created is now shown as imported, from the journal.
    texts = sheet_cells(path, STATUS_HEADER)
    assert sum(status_state(t) in (RowState.IMPORTED, RowState.SKIPPED) for t in texts.values()) \
        >= 2 * (len(created(sandbox)) - 1)
    assert codes[-1] == codes[-2]  # stable once everything that could be sent was


def test_an_unknown_outcome_is_resent_only_on_explicit_request(tmp_path: Path,
                                                               sandbox: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx")
    sandbox.inject("error", endpoint="DocumentsVente")  # HTTP 500 {"error"} after the POST
    assert main(import_args(path, sandbox)) == 3
    first = sheet_cells(path, STATUS_HEADER)
    assert status_state(first[2]) is RowState.UNKNOWN  # not "Rejetée": it may have landed
    assert rerun_three_times(path, sandbox) == [3, 3, 3]  # held back, never re-sent blindly
    assert "REF-0" not in created(sandbox)
    # The user checked in Gestimum that REF-0 is absent: now, and only now, it is sent.
    assert main(import_args(path, sandbox, "--renvoyer-inconnues")) == 0
    assert_exactly_once(sandbox, path, complete=True)


def test_a_lost_answer_after_commit_is_never_resent(tmp_path: Path, sandbox: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx")
    sandbox.inject("drop_after_commit", endpoint="DocumentsVente")
    assert main(import_args(path, sandbox)) == 3
    rerun_three_times(path, sandbox)
    # --reimport is about master data: it never re-sends a document.
    main(import_args(path, sandbox, "--reimport"))
    assert_exactly_once(sandbox, path)
    assert created(sandbox)["REF-0"] == 1


def test_the_original_is_protected_after_an_import_into_a_copy(tmp_path: Path,
                                                               sandbox: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx")
    copy = tmp_path / "copie.xlsx"
    assert main(import_args(path, sandbox, "--out", str(copy))) == 0
    assert not any(sheet_cells(path, STATUS_HEADER).values())  # the original was not written
    assert main(import_args(path, sandbox)) == 0
    assert_exactly_once(sandbox, path, complete=True)
    texts = list(sheet_cells(path, STATUS_HEADER).values())
    assert all(t.startswith("Importée le ") for t in texts), texts  # restored from the journal
    assert all(sheet_cells(path, STAMP_HEADER).values())


def test_a_failed_save_keeps_the_results_in_the_journal(
    tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = invoices_book(tmp_path / "f.xlsx")
    before = path.read_bytes()
    real_replace = os.replace

    def disk_full(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    code = main(import_args(path, sandbox))
    monkeypatch.setattr(os, "replace", real_replace)
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert "reprendre" in err and "journal" in err
    assert path.read_bytes() == before  # never a half-written workbook
    assert len(created(sandbox)) == INVOICES
    rerun_three_times(path, sandbox)  # "Fermez-le et relancez" is now safe
    assert_exactly_once(sandbox, path, complete=True)


def test_reprendre_writes_the_journal_statuses_into_the_workbook(tmp_path: Path,
                                                                 sandbox: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx")
    copy = tmp_path / "copie.xlsx"
    assert main(import_args(path, sandbox, "--out", str(copy))) == 0
    assert main(["reprendre", str(path), "--server", sandbox.url]) == 0
    texts = list(sheet_cells(path, STATUS_HEADER).values())
    assert len(texts) == 2 * INVOICES and all(t.startswith("Importée le ") for t in texts)


def test_rows_sent_with_a_text_delimiter_are_recognised_by_check_and_reprendre(
    tmp_path: Path, sandbox: Any, capsys: Any
) -> None:
    """A value holding « ; » is sent quoted with --delimiteur: its fingerprint follows the
    quoting, so check and reprendre must compute it the same way as the import did."""
    path = invoices_book(tmp_path / "f.xlsx", n=2)
    wb = openpyxl.load_workbook(path)
    for row in wb.active.iter_rows(min_row=2):
        row[3].value = f"{row[3].value};lot"  # DOC_REFPCF « REF-0;lot »
    wb.save(path)
    copy = tmp_path / "copie.xlsx"
    assert main(import_args(path, sandbox, "--delimiteur", '"', "--out", str(copy))) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--server", sandbox.url, "--delimiteur", '"']) == 0
    assert "4 ligne(s) déjà importée(s) ne seront pas renvoyées" in capsys.readouterr().out
    assert main(["reprendre", str(path), "--server", sandbox.url, "--delimiteur", '"']) == 0
    texts = list(sheet_cells(path, STATUS_HEADER).values())
    assert len(texts) == 4 and all(t.startswith("Importée le ") for t in texts), texts


def test_a_changed_document_is_refused_and_a_changed_client_updated(tmp_path: Path,
                                                                    sandbox: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx", n=2)
    assert main(import_args(path, sandbox)) == 0
    wb = openpyxl.load_workbook(path)
    wb["DocumentsVente"]["F2"] = 99  # quantity of REF-0 changed after its import
    wb.save(path)
    assert main(import_args(path, sandbox)) == 1
    texts = sheet_cells(path, STATUS_HEADER)
    assert texts[2].startswith("Non envoyée") and "second" in texts[2]
    assert texts[3].startswith("Non envoyée")  # the whole pièce, never half of it
    assert created(sandbox)["REF-0"] == 1

    clients = tmp_path / "clients.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["PCF_CODE", "PCF_RS", "CPT_NUMERO"])
    ws.append(["UPD1", "Première", "411UPD1"])
    wb.save(clients)
    assert main(["import", str(clients), "--server", sandbox.url]) == 0
    assert main(["import", str(clients), "--server", sandbox.url]) == 0  # unchanged: skipped
    wb = openpyxl.load_workbook(clients)
    wb["Clients"]["B2"] = "Seconde"
    wb.save(clients)
    assert main(["import", str(clients), "--server", sandbox.url]) == 0
    assert "mise à jour envoyée" in sheet_cells(clients, STATUS_HEADER, "Clients")[2]
    names = [r["PCF_RS"] for r in sandbox.rows("Clients") if r["PCF_CODE"] == "UPD1"]
    assert names == ["Seconde"]


def test_dupliquer_is_the_explicit_way_to_create_a_document_again(tmp_path: Path,
                                                                   sandbox: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx", n=1)
    assert main(import_args(path, sandbox)) == 0
    assert main(import_args(path, sandbox, "--dupliquer")) == 2  # no terminal, no --yes
    assert created(sandbox)["REF-0"] == 1
    assert main(import_args(path, sandbox, "--dupliquer", "--yes")) == 0
    assert created(sandbox)["REF-0"] == 2


def test_a_test_run_never_blocks_the_real_import(tmp_path: Path, sandbox: Any) -> None:
    clients = tmp_path / "clients.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["PCF_CODE", "PCF_RS", "CPT_NUMERO"])
    ws.append(["TST9", "Essai", "411TST9"])
    wb.save(clients)
    assert main(["import", str(clients), "--test", "--server", sandbox.url]) == 0
    assert main(["import", str(clients), "--server", sandbox.url]) == 0
    assert [r["PCF_CODE"] for r in sandbox.rows("Clients") if r["PCF_CODE"] == "TST9"]


def test_a_refused_password_says_not_sent_and_a_rerun_sends(tmp_path: Path, sandbox: Any,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    path = invoices_book(tmp_path / "f.xlsx", n=1)
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "faux")
    assert main(import_args(path, sandbox)) == 3
    texts = sheet_cells(path, STATUS_HEADER)
    assert texts[2].startswith("Non envoyée") and "mot de passe" in texts[2]
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")
    assert main(import_args(path, sandbox)) == 0
    assert_exactly_once(sandbox, path, complete=False)
    assert created(sandbox)["REF-0"] == 1


def test_two_imports_at_once_the_second_is_refused(tmp_path: Path, sandbox: Any,
                                                   private_run_journal: Path,
                                                   capsys: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx")
    sandbox.latency = 0.3
    proc = start_cli(path, sandbox, private_run_journal)
    try:
        wait_for_pieces(sandbox, 1)
        assert main(import_args(path, sandbox)) == 2
        err = capsys.readouterr().err
        assert "Un autre import" in err and "Rien n'a été envoyé" in err
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert_exactly_once(sandbox, path, complete=True)


def test_a_lock_left_by_a_dead_process_is_cleared(tmp_path: Path, sandbox: Any,
                                                  private_run_journal: Path) -> None:
    path = invoices_book(tmp_path / "f.xlsx", n=1)
    RunJournal(private_run_journal).close()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    import socket

    with sqlite3.connect(private_run_journal) as db:
        db.execute("INSERT INTO locks VALUES (?,?,?,?,?,?)",
                   (f"classeur:{os.path.normcase(str(path.resolve()))}", "20260101-000000-dead",
                    int(dead.stdout), socket.gethostname(), "2026-01-01T00:00:00", "x"))
    assert main(import_args(path, sandbox)) == 0
    assert created(sandbox)["REF-0"] == 1


def test_the_journal_holds_no_line_and_no_password(tmp_path: Path, sandbox: Any,
                                                   private_run_journal: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "u.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Utilisateurs"
    ws.append(["USR_NAME", "USR_PASSWD"])
    ws.append(["CANARIUSR", "Kanar1-42"])
    wb.save(users)
    assert main(["import", str(users), "--server", sandbox.url]) == 0
    raw = b"".join(p.read_bytes() for p in private_run_journal.parent.glob("journal*"))
    assert raw and b"Kanar1-42" not in raw and b"CANARIUSR" not in raw
    if os.name == "posix":
        assert private_run_journal.stat().st_mode & 0o077 == 0
    assert main(["journal"]) == 0


def test_check_says_what_the_journal_knows(tmp_path: Path, sandbox: Any, capsys: Any) -> None:
    path = invoices_book(tmp_path / "f.xlsx", n=2)
    copy = tmp_path / "copie.xlsx"
    assert main(import_args(path, sandbox, "--out", str(copy))) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--server", sandbox.url]) == 0
    assert "4 ligne(s) déjà importée(s)" in capsys.readouterr().out


def test_a_journal_from_a_newer_version_is_refused_before_sending(
    tmp_path: Path, sandbox: Any, private_run_journal: Path, capsys: Any
) -> None:
    RunJournal(private_run_journal).close()
    with sqlite3.connect(private_run_journal) as db:
        db.execute("PRAGMA user_version=99")
    path = invoices_book(tmp_path / "f.xlsx", n=1)
    assert main(import_args(path, sandbox)) == 2
    assert "plus récente" in capsys.readouterr().err
    assert not created(sandbox)


def test_marks_of_an_import_into_another_company_do_not_hold_rows_back(
    tmp_path: Path, sandbox: Any
) -> None:
    """Recette first, then production: the workbook's marks name the company they were for."""
    path = invoices_book(tmp_path / "f.xlsx", n=2)
    sandbox.add_company("RECETTE.Gestimum")
    # The seeded client and articles exist in the demo company only: copy what the lines need.
    assert main(import_args(path, sandbox)) == 0  # into DEMO.Gestimum
    assert all(t.startswith("Importée") for t in sheet_cells(path, STATUS_HEADER).values())
    assert main(import_args(path, sandbox)) == 0  # same company: nothing sent again
    assert created(sandbox) == Counter({"REF-0": 1, "REF-1": 1})
    main(import_args(path, sandbox, "--societe", "RECETTE.Gestimum"))
    texts = sheet_cells(path, STATUS_HEADER).values()
    # Sent to the other company (where the client is unknown: rejected there, not held back).
    assert not any(t.startswith("Importée le") for t in texts), list(texts)
    assert created(sandbox) == Counter({"REF-0": 1, "REF-1": 1})  # DEMO untouched
