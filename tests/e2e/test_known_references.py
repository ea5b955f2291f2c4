"""`check` warns about references neither in the workbook nor imported from this machine (#12)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from addin.cli import main
from addin.io.run_journal import RunJournal
from addin.sandbox import running_sandbox

from .test_cli import make_book

ACCOUNTS = [["CPT_NUMERO", "CPT_LIB", "CPT_TYPE"], ["706600", "Ventes de licences", "G"]]
BOOK_ACCOUNTS = [["CPT_NUMERO", "CPT_LIB", "CPT_TYPE"], ["706700", "Ventes de formations", "G"]]
ENTRIES = [
    ["Date", "Journal", "Compte", "Pièce", "Débit", "Crédit"],
    [date(2025, 1, 20), "VTE", "706600", "F1", 100, None],  # imported from this machine
    [date(2025, 1, 20), "VTE", "706700", "F1", None, 60],  # in the workbook's Comptes sheet
    [date(2025, 1, 20), "VTE", "709999", "F1", None, 40],  # neither
]
UNKNOWN = ("Compte 709999 : absent du classeur et jamais importé depuis ce poste dans "
           "DEMO.Gestimum — vérifiez qu'il existe dans Gestimum")


@pytest.fixture
def sandbox() -> Iterator[object]:
    with running_sandbox() as sb:
        yield sb


pytestmark = pytest.mark.usefixtures("no_password")


def _warnings(book: Path, server: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert main(["check", str(book), "--server", server, "--json"]) == 0
    return [i for i in json.loads(capsys.readouterr().out) if i["code"] == "unknown-reference"]


def test_check_warns_only_about_references_nobody_vouches_for(
    tmp_path: Path, sandbox, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = make_book(tmp_path / "comptes.xlsx", {"Comptes": ACCOUNTS})
    book = make_book(tmp_path / "close.xlsx", {"Comptes": BOOK_ACCOUNTS, "Ecritures": ENTRIES})

    # A machine that never imported into the company knows nothing: no warning at all.
    assert _warnings(book, sandbox.url, capsys) == []

    assert main(["import", str(imported), "--server", sandbox.url]) == 0
    capsys.readouterr()
    found = _warnings(book, sandbox.url, capsys)
    assert [(w["feuille"], w["ligne"], w["colonne"], w["valeur"], w["gravite"])
            for w in found] == [("Ecritures", 4, "C", "709999", "avertissement")]
    assert found[0]["message"] == UNKNOWN

    # Checking the entries sheet alone: the Comptes sheet still vouches for 706700.
    assert main(["check", str(book), "--sheet", "Ecritures", "--server", sandbox.url,
                 "--json"]) == 0
    assert [i["valeur"] for i in json.loads(capsys.readouterr().out)
            if i["code"] == "unknown-reference"] == ["709999"]

    # The console says it in plain French; the check still passes (a warning, never blocking).
    assert main(["check", str(book), "--server", sandbox.url]) == 0
    printed = capsys.readouterr().out
    assert UNKNOWN in printed and "706600" not in printed.split("Correspondance")[0]

    # Another company on the same server: what was imported into DEMO says nothing of it.
    assert main(["check", str(book), "--server", sandbox.url, "--societe", "AUTRE.Gestimum",
                 "--json"]) == 0
    assert not [i for i in json.loads(capsys.readouterr().out)
                if i["code"] == "unknown-reference"]

    # A fresh journal (another machine, or a new user profile): nothing is said.
    monkeypatch.setenv("GESTIMUM_JOURNAL", str(tmp_path / "fresh.sqlite3"))
    assert _warnings(book, sandbox.url, capsys) == []


def test_a_journal_of_schema_1_is_upgraded_in_place(tmp_path: Path) -> None:
    """The codes table is added and the version bumped; earlier imports make the knowledge
    incomplete, so nothing is claimed about codes imported before the upgrade."""
    path = tmp_path / "old.sqlite3"
    RunJournal(path).close()
    import sqlite3

    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE codes; DELETE FROM meta WHERE key='codes_since'; PRAGMA user_version=1;"
        "INSERT INTO scopes VALUES (1, 'http://x', 'DEMO.Gestimum', 'Comptes');"
        "INSERT INTO batches(run_id, sheet, batch_index, scope, test, sent_at, row_states) "
        "VALUES ('r1', 'Comptes', 1, 1, 0, '2020-01-01T00:00:00', 'i');")
    db.close()
    with RunJournal(path) as journal:
        (version,) = journal._db.execute("PRAGMA user_version").fetchone()
        assert version == 2
        assert journal.known_codes("http://x", "DEMO.Gestimum", ["Comptes"]) is None
        assert journal.known_codes("http://x", "DEMO.Gestimum", ["Clients"]) == {"Clients": set()}


def test_only_rows_imported_for_real_leave_their_code(tmp_path: Path) -> None:
    """Rejected rows and test runs record no code."""
    from addin.core.fingerprints import RowPrint
    from addin.core.outcomes import BatchOutcome, RowOutcome
    from addin.core.rerun import Intent, Scope
    from addin.core.status import RowState

    scope = Scope("http://x", "DEMO.Gestimum", "Comptes")
    prints = [RowPrint(r, f"{r:032x}", f"{r:032x}", "", "", r) for r in (2, 3)]
    answer = BatchOutcome("partial", 1, 1, 0, [], [], [RowOutcome(2, RowState.IMPORTED, line=1),
                                                       RowOutcome(3, RowState.REJECTED, line=2)],
                          "")
    with RunJournal(tmp_path / "j.sqlite3") as journal:
        for run, test in (("t1", True), ("r1", False), ("r2", False)):
            intent = Intent(run, scope, test, "b.xlsx", "Comptes", 1, 1, "d", prints,
                            codes={2: "706600", 3: "706601"})
            journal.record_intent(intent)
            journal.record_outcome(intent, answer)
            if test:
                assert journal.known_codes("http://x", "DEMO.Gestimum", ["Comptes"]) is None
        assert journal.known_codes("http://x", "DEMO.Gestimum", ["Comptes"]) == {
            "Comptes": {"706600"}}
