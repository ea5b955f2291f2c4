"""Headless end-to-end runs: .xlsx → CLI → sandbox on loopback → statuses, Résultats, Journal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.catalog import get_endpoint
from addin.core.layout import JOURNAL_SHEET, RESULTATS_SHEET, STATUS_HEADER
from addin.sandbox import running_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[object]:
    with running_sandbox(faults=True) as sb:  # a test injects a lost answer
        yield sb


pytestmark = pytest.mark.usefixtures("no_password")


def make_book(path: Path, sheets: dict[str, list[list[object]]],
              connexion: dict[str, str] | None = None) -> Path:
    """A plain workbook: one sheet per endpoint, field codes on the first row."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if connexion:
        ws = wb.create_sheet("Connexion")
        for key, value in connexion.items():
            ws.append([key, value])
    wb.save(path)
    return path


def statuses(path: Path, sheet: str) -> dict[int, str]:
    """Excel row → #STATUT text."""
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    col = header.index(STATUS_HEADER) + 1
    return {r: ws.cell(r, col).value for r in range(2, ws.max_row + 1) if ws.cell(r, col).value}


def run(*args: str) -> int:
    return main(list(args))


PROSPECTS = [
    ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"],
    ["P42", "411P42", "DECAT5", "6 rue de la paix", 78120, "RAMBOUILLET"],
]


def test_payload_prints_the_documented_request(tmp_path: Path, capsys) -> None:
    """`payload` of the documented Prospects row prints exactly the documented body."""
    book = make_book(tmp_path / "p.xlsx", {"Prospects": PROSPECTS})
    assert run("payload", str(book), "--sheet", "Prospects") == 0
    bodies = json.loads(capsys.readouterr().out)
    assert bodies == list(get_endpoint("Prospects").examples[:1])


def test_check_reports_every_blocking_issue_with_exit_2(tmp_path: Path, capsys) -> None:
    """A typo in a header and a value too long are both reported; exit code 2."""
    rows = [["PCF_CODE", "PCF_RS", "PCF_VILE"], ["P1", "x" * 61, "Paris"]]
    book = make_book(tmp_path / "bad.xlsx", {"Prospects": rows})
    assert run("check", str(book)) == 2
    printed = capsys.readouterr().out
    assert "« PCF_VILE » n'est pas un champ" in printed and "PCF_VILLE" in printed
    assert "Prospects!B2" in printed and "bloquant" in printed
    # Plain French for people; the stable issue codes are in --json.
    assert "unknown-column" not in printed and "too-long" not in printed
    assert run("check", str(book), "--json") == 2
    codes = {i["code"] for i in json.loads(capsys.readouterr().out)}
    assert codes == {"unknown-column", "too-long"}


def test_import_refuses_blocking_input_and_sends_nothing(tmp_path: Path, sandbox) -> None:
    """Blocking issues: exit 2, nothing reaches the server, the file is untouched."""
    rows = [["PCF_CODE", "PCF_RS"], ["BAD1", "Société A"], ["", "Sans code"]]
    book = make_book(tmp_path / "b.xlsx", {"Prospects": rows})
    before = book.read_bytes()
    assert run("import", str(book), "--server", sandbox.url) == 2
    assert book.read_bytes() == before
    assert not [r for r in sandbox.rows("Prospects") if r.get("PCF_CODE") == "BAD1"]


def test_partial_rejection_maps_to_rows(tmp_path: Path, sandbox) -> None:
    """An unknown client in a sales document: its rows are rejected with the reason, the others
    imported with their pièce number; exit code 1; one ledger row per batch; journal kept."""
    articles = [["ART_CODE", "ART_LIB"], ["E2E-ART", "Article de test"]]
    clients = [["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["E2E-CLI", "Client de test", "411E2E"]]
    docs = [
        ["DOC_STYPE", "DOC_DATE", "PCF_CODE", "ART_CODE", "LIG_QTE"],
        ["C", date(2026, 11, 2), "E2E-CLI", "E2E-ART", 1],
        ["C", date(2026, 11, 3), "E2E-NOPE", "E2E-ART", 2],
    ]
    book = make_book(tmp_path / "d.xlsx",
                     {"DocumentsVente": docs, "Articles": articles, "Clients": clients})
    code = run("import", str(book), "--all", "--server", sandbox.url)
    assert code == 1
    st = statuses(book, "DocumentsVente")
    assert st[2].startswith("Importée") and "pièce" in st[2]
    assert st[3].startswith("Rejetée")
    # Gestimum's bare "Code manquant" gets the line's candidate codes.
    assert "Code manquant (tiers E2E-NOPE ? article E2E-ART ?)" in st[3]
    wb = openpyxl.load_workbook(book)
    assert wb[RESULTATS_SHEET].max_row == 1 + 3  # header + one batch per sheet
    assert any("La ligne 2" in str(c.value) for c in wb[JOURNAL_SHEET]["C"])
    # The journal's batch line 2 is the sheet's Excel row 3, in its own column.
    named = [r for r in wb[JOURNAL_SHEET].iter_rows(min_row=2, values_only=True)
             if "La ligne 2" in str(r[2])]
    assert named and all(r[3] == 3 for r in named)


def test_lost_answer_marks_outcome_unknown_and_never_resends(tmp_path: Path, sandbox) -> None:
    """The connection drops after the commit: rows are 'résultat inconnu', exit 3; the re-run
    skips nothing it cannot know about, and the data landed exactly once."""
    rows = [["PCF_CODE", "PCF_RS"], ["LOST1", "Perdue 1"], ["LOST2", "Perdue 2"]]
    book = make_book(tmp_path / "l.xlsx", {"Prospects": rows})
    sandbox.inject("drop_after_commit", times=1, endpoint="Prospects")
    try:
        assert run("import", str(book), "--server", sandbox.url) == 3
    finally:
        sandbox.clear_faults()
    st = statuses(book, "Prospects")
    assert all("inconnu" in text for text in st.values())
    landed = [r for r in sandbox.rows("Prospects") if str(r.get("PCF_CODE", "")).startswith("LOST")]
    assert len(landed) == 2


def test_rerun_skips_rows_already_imported(tmp_path: Path, sandbox) -> None:
    """A second run sends nothing for rows whose #STATUT says they were imported."""
    rows = [["PCF_CODE", "PCF_RS"], ["AGAIN1", "Une fois"]]
    book = make_book(tmp_path / "r.xlsx", {"Prospects": rows})
    assert run("import", str(book), "--server", sandbox.url) == 0
    first = statuses(book, "Prospects")[2]
    assert first.startswith("Importée")
    ledger_rows = openpyxl.load_workbook(book)[RESULTATS_SHEET].max_row
    assert run("import", str(book), "--server", sandbox.url) == 0
    assert openpyxl.load_workbook(book)[RESULTATS_SHEET].max_row == ledger_rows  # nothing sent
    assert statuses(book, "Prospects")[2] == first


def test_test_mode_refused_where_gestimum_has_none(tmp_path: Path, sandbox, capsys) -> None:
    """--test on Articles (no `tester` in Gestimum) is refused, never a silent real import."""
    book = make_book(tmp_path / "t.xlsx", {"Articles": [["ART_CODE", "ART_LIB"], ["T1", "x"]]})
    assert run("import", str(book), "--test", "--server", sandbox.url) == 2
    assert "mode test" in capsys.readouterr().err
    assert not [r for r in sandbox.rows("Articles") if r.get("ART_CODE") == "T1"]


def test_test_mode_writes_nothing(tmp_path: Path, sandbox) -> None:
    """--test on Clients: rows say 'Test', nothing lands in the company."""
    rows = [["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["TST1", "Test seulement", "411TST1"]]
    book = make_book(tmp_path / "c.xlsx", {"Clients": rows})
    assert run("import", str(book), "--test", "--server", sandbox.url) == 0
    assert statuses(book, "Clients")[2].startswith("Test")
    assert not [r for r in sandbox.rows("Clients") if r.get("PCF_CODE") == "TST1"]


@pytest.mark.parametrize("kind", ["production", None, "test"])
def test_production_needs_confirmation(tmp_path: Path, sandbox, capsys, monkeypatch,
                                       kind: str | None) -> None:
    """A real import into a server not marked "recette" (production by default, and the
    ambiguous "test" of older templates) is not sent without --yes when nobody can answer."""
    from addin.io.client import GestimumClient

    # A real Gestimum does not mark its answers as the bundled sandbox does.
    monkeypatch.setattr(GestimumClient, "is_bundled_sandbox", lambda self: False)
    connexion = {"Serveur": sandbox.url, **({"Type de serveur": kind} if kind else {})}
    code = f"PR1{kind or ''}"[:10].upper()
    rows = [["PCF_CODE", "PCF_RS"], [code, "x"]]
    book = make_book(tmp_path / "prod.xlsx", {"Prospects": rows}, connexion=connexion)
    assert run("import", str(book)) == 2
    err = capsys.readouterr().err
    assert "--yes" in err and "Rien n'a été envoyé" in err and "recette" in err
    assert not [r for r in sandbox.rows("Prospects") if r.get("PCF_CODE") == code]
    assert run("import", str(book), "--yes") == 0


def test_recette_and_the_bundled_sandbox_need_no_confirmation(tmp_path: Path, sandbox) -> None:
    rows = [["PCF_CODE", "PCF_RS"], ["PR2", "x"]]
    book = make_book(tmp_path / "s.xlsx", {"Prospects": rows}, connexion={"Serveur": sandbox.url})
    assert run("import", str(book)) == 0  # production by default, but the sandbox says so
    rows = [["PCF_CODE", "PCF_RS"], ["PR3", "x"]]
    book = make_book(tmp_path / "r.xlsx", {"Prospects": rows},
                     connexion={"Serveur": sandbox.url, "Type de serveur": "recette"})
    assert run("import", str(book)) == 0


def test_server_unreachable_is_exit_3_with_french_message(tmp_path: Path, capsys) -> None:
    """Nothing listening: a French message saying nothing was sent; exit 3."""
    book = make_book(tmp_path / "u.xlsx", {"Prospects": [["PCF_CODE", "PCF_RS"], ["U1", "x"]]})
    assert run("import", str(book), "--server", "http://127.0.0.1:9") == 3
    printed = capsys.readouterr()
    assert "injoignable" in printed.out + printed.err


def test_endpoints_lists_all_imports(capsys) -> None:
    """`endpoints` prints the 34 import endpoints."""
    assert run("endpoints") == 0
    printed = capsys.readouterr().out
    assert "DocumentsVente" in printed and "Ecritures" in printed


def test_version_calls_the_two_tools(sandbox, capsys) -> None:
    """`version` prints the web-service and ERP versions."""
    assert run("version", "--server", sandbox.url) == 0
    assert "ERP" in capsys.readouterr().out


def test_delimiter_quotes_values_holding_the_separator(tmp_path: Path, capsys) -> None:
    """A ';' inside a value blocks by default, and is quoted with --delimiteur."""
    rows = [["PCF_CODE", "PCF_RS"], ["D1", "Dupont; Fils"]]
    book = make_book(tmp_path / "sep.xlsx", {"Prospects": rows})
    assert run("payload", str(book), "--sheet", "Prospects") == 2
    capsys.readouterr()
    assert run("payload", str(book), "--sheet", "Prospects", "--delimiteur", '"') == 0
    params = json.loads(capsys.readouterr().out)[0]["importer_prospects"]["parametres"]
    assert params["identificateur_texte"] == '"'
    assert params["fichier_prospects"][1] == 'D1;"Dupont; Fils"'


def test_hidden_rows_are_sent_unless_asked(tmp_path: Path, capsys) -> None:
    """Hidden or filtered rows are sent by default; --ignorer-masquees leaves them out."""
    book = tmp_path / "hidden.xlsx"
    make_book(book, {"Prospects": [["PCF_CODE", "PCF_RS"], ["H1", "Vue"], ["H2", "Masquée"]]})
    wb = openpyxl.load_workbook(book)
    wb["Prospects"].row_dimensions[3].hidden = True
    wb.save(book)

    def sent(*extra: str) -> list[str]:
        assert run("payload", str(book), "--sheet", "Prospects", *extra) == 0
        body = json.loads(capsys.readouterr().out)[0]
        return body["importer_prospects"]["parametres"]["fichier_prospects"][1:]

    assert sent() == ["H1;Vue", "H2;Masquée"]
    assert sent("--ignorer-masquees") == ["H1;Vue"]


def test_auto_batches_make_one_call_where_fixed_ones_make_several(tmp_path: Path, sandbox,
                                                                  capsys) -> None:
    """'auto' (the default) sends 1,200 rows in one request; --batch-size 500 in three; the
    summary says how many calls were made, and the ledger numbers the batches n/N."""
    rows = [["PCF_CODE", "PCF_RS"], *[[f"AUTO{i:04d}", f"Prospect {i}"] for i in range(1200)]]
    auto = make_book(tmp_path / "auto.xlsx", {"Prospects": rows})
    assert run("import", str(auto), "--server", sandbox.url) == 0
    assert "1 appel(s) au serveur Gestimum." in capsys.readouterr().out
    rows = [["PCF_CODE", "PCF_RS"], *[[f"FIXE{i:04d}", f"Prospect {i}"] for i in range(1200)]]
    fixed = make_book(tmp_path / "fixe.xlsx", {"Prospects": rows})
    assert run("import", str(fixed), "--server", sandbox.url, "--batch-size", "500") == 0
    assert "3 appel(s) au serveur Gestimum." in capsys.readouterr().out
    ledger = openpyxl.load_workbook(fixed)[RESULTATS_SHEET]
    lots = [c.value for c in ledger[1]].index("Lot (n/N)") + 1
    assert [ledger.cell(r, lots).value for r in range(2, 5)] == ["1/3", "2/3", "3/3"]
    assert len(statuses(fixed, "Prospects")) == 1200
