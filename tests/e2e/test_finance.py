"""Finance scenarios end to end (issue 12): CLI → sandbox on loopback → workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.layout import RESULTATS_SHEET
from addin.core.mapping import MAPPING_HEADERS, MAPPING_SHEET
from tests.e2e import finance_data as fd

from .test_cli import make_book

pytestmark = pytest.mark.usefixtures("no_password")


def _column(path: Path, sheet: str, header: str, header_row: int) -> dict[int, object]:
    ws = openpyxl.load_workbook(path)[sheet]
    heads = [c.value for c in ws[header_row]]
    col = heads.index(header) + 1
    return {r: ws.cell(r, col).value for r in range(header_row + 1, ws.max_row + 1)}


def test_export_with_its_own_headers_is_imported_through_a_saved_mapping(
    tmp_path: Path, sandbox, capsys
) -> None:
    """Headers matched by label and synonym; the unmatched ones are listed (never dropped) with
    where they belong; the mapping saved in Correspondances, completed by the user, reused."""
    book = make_book(tmp_path / "export.xlsx",
                 {"Clients": [fd.EXPORT_TITLE, fd.EXPORT_HEADERS, *fd.EXPORT_ROWS]})
    assert main(["check", str(book)]) == 2
    printed = capsys.readouterr().out
    assert "« CP » → PCF_CP" in printed and "« Code client » → PCF_CODE" in printed
    assert "« IBAN » → aucun champ" in printed and "Banques de tiers" in printed
    assert "« CA 2024 » n'est pas un champ de Clients" in printed

    assert main(["check", str(book), "--enregistrer"]) == 2
    capsys.readouterr()
    wb = openpyxl.load_workbook(book)
    ws = wb[MAPPING_SHEET]
    assert tuple(c.value for c in ws[1]) == MAPPING_HEADERS
    saved = {r[1]: r[2] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert saved["Ville"] == "PCF_VILLE" and saved["Compte"] == "CPT_NUMERO"
    assert saved["IBAN"] is None and saved["CA 2024"] is None
    # The user decides: IBAN goes to a BanquesTiers sheet later, the turnover is not sent.
    for row in ws.iter_rows(min_row=2):
        if row[1].value in ("IBAN", "CA 2024"):
            row[2].value = "#"
    wb.save(book)

    assert main(["check", str(book)]) == 0
    assert "« IBAN » → non envoyée (#)" in capsys.readouterr().out
    assert main(["import", str(book), "--server", sandbox.url]) == 0
    landed = {r["PCF_CODE"]: r for r in sandbox.rows("Clients")
              if str(r.get("PCF_CODE", "")).startswith("MIG")}
    assert sorted(landed) == ["MIG001", "MIG002", "MIG003"]
    assert landed["MIG001"]["PCF_CP"] == "06000"
    assert landed["MIG002"]["PCF_VILLE"] == "Marseille"
    assert landed["MIG001"]["PCF_SIRET"] == "73282932000074"
    assert not any("FR76" in json.dumps(r) for r in landed.values())  # IBAN column not sent
    st = _column(book, "Clients", "#STATUT", 2)
    assert all(str(v).startswith("Importée") for v in st.values())


def _close_book(path: Path, rows: list[list[object]], period: str) -> Path:
    book = make_book(path, {"Ecritures": [fd.CLOSE_HEADERS, *rows]})
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("Connexion")
    ws.append(["Période attendue", period])
    wb.save(book)
    return book


def test_month_end_close_with_debit_credit_columns_and_journal_totals(
    tmp_path: Path, sandbox, capsys
) -> None:
    """Débit/Crédit columns become Montant + Sens; check and import print debit, credit and
    count per journal and for the run; the entries land balanced in the sandbox."""
    book = _close_book(tmp_path / "close.xlsx", fd.CLOSE_ROWS, "janvier 2025")
    assert main(["check", str(book)]) == 0
    printed = capsys.readouterr().out
    assert "« Débit » → ECR_MONTANT (Montant) [débit]" in printed
    assert "Journal ACH : débit 500,50, crédit 500,50, 2 ligne(s)" in printed
    assert "Journal VTE : débit 1\u202f200,00, crédit 1\u202f200,00, 3 ligne(s)" in printed
    assert "Total : débit 1\u202f700,50, crédit 1\u202f700,50, 5 ligne(s), équilibré" in printed
    assert "Ecritures : 2 pièce(s) prévue(s) : lignes 2 à 4 ; 5 à 6" in printed

    assert main(["import", str(book), "--server", sandbox.url]) == 0
    printed = capsys.readouterr().out
    assert "Ecritures — écritures importées, par journal :" in printed
    assert "Total : débit 1\u202f700,50, crédit 1\u202f700,50, 5 ligne(s), équilibré" in printed
    # The same totals in Résultats, after the batch rows: what is reconciled with the balance.
    ws = openpyxl.load_workbook(book)[RESULTATS_SHEET]
    headers = [c.value for c in ws[1]]
    lot, result = headers.index("Lot (n/N)"), headers.index("Résultat")
    totals = {r[lot]: r[result] for r in ws.iter_rows(min_row=2, values_only=True)
              if str(r[lot]).startswith(("journal", "total"))}
    assert totals == {
        "journal ACH": "Journal ACH : débit 500,50, crédit 500,50, 2 ligne(s)",
        "journal VTE": "Journal VTE : débit 1\u202f200,00, crédit 1\u202f200,00, 3 ligne(s)",
        "total": "Total : débit 1\u202f700,50, crédit 1\u202f700,50, 5 ligne(s), équilibré",
    }
    landed = [r for r in sandbox.rows("Ecritures") if r.get("piece") in ("F1", "A1")]
    sens = sorted((r["compte"], r["montant"], r["sens"]) for r in landed)
    assert sens == [("401HU0001", "500.5", "C"), ("411C25", "1200", "D"),
                    ("445710", "200.00", "C"), ("607100", "500.5", "D"), ("707100", "1000", "C")]


def test_entries_outside_the_expected_period_are_refused(tmp_path: Path, sandbox,
                                                         capsys) -> None:
    """An entry dated 31/12/2023 in a January 2025 close is named, and nothing is sent."""
    book = _close_book(tmp_path / "stray.xlsx", fd.CLOSE_ROWS + fd.STRAY_ROWS,
                       "01/01/2025 - 31/01/2025")
    assert main(["check", str(book)]) == 2
    printed = capsys.readouterr().out
    assert "Ecritures!A7 [ECR_DATE] bloquant : Écriture datée du 31/12/2023, hors de la " \
           "période attendue (01/01/2025 au 31/01/2025" in printed
    assert main(["import", str(book), "--server", sandbox.url]) == 2
    assert not [r for r in sandbox.rows("Ecritures") if r.get("piece") == "R1"]


def test_partial_import_sends_valid_rows_and_holds_whole_pieces(tmp_path: Path, sandbox,
                                                                capsys) -> None:
    """Without the option nothing is sent; with --lignes-valides the good rows and pièces go,
    the bad ones (the whole unbalanced pièce) stay 'Non envoyée' with their reason; exit 1.
    The Journal sheet names the Excel row of each line Gestimum mentions."""
    book = make_book(tmp_path / "partial.xlsx",
                 {"Clients": fd.CUSTOMERS, "Ecritures": fd.PARTIAL_ENTRIES})
    assert main(["import", str(book), "--all", "--server", sandbox.url]) == 2
    assert "--lignes-valides" in capsys.readouterr().err
    assert not [r for r in sandbox.rows("Clients") if r["PCF_CODE"].startswith("PART")]

    assert main(["import", str(book), "--all", "--lignes-valides", "--server", sandbox.url]) == 1
    printed = capsys.readouterr().out
    assert "Clients : 1 ligne(s) non envoyée(s)" in printed
    assert "Ecritures : 2 ligne(s) non envoyée(s)" in printed
    clients = sorted(r["PCF_CODE"] for r in sandbox.rows("Clients")
                     if r["PCF_CODE"].startswith("PART"))
    assert clients == ["PART1", "PART3"]
    pieces = sorted({r["piece"] for r in sandbox.rows("Ecritures")
                     if r["piece"] in ("P1", "P2", "P3")})
    assert pieces == ["P1", "P3"]
    st = _column(book, "Clients", "#STATUT", 1)
    assert st[2].startswith("Importée") and st[4].startswith("Importée")
    assert st[3].startswith("Non envoyée : ")
    st = _column(book, "Ecritures", "#STATUT", 1)
    assert st[4].startswith("Non envoyée : La pièce P2")
    assert st[5] == ("Non envoyée : sa pièce est bloquée par la ligne Excel 4 (une pièce n'est "
                     "jamais envoyée en partie)")
    assert all(st[r].startswith("Importée") for r in (2, 3, 6, 7))
    journal = openpyxl.load_workbook(book)["Journal"]
    assert [c.value for c in journal[1]][-1] == "Ligne Excel"


def test_test_mode_tests_every_testable_row(tmp_path: Path, sandbox, capsys) -> None:
    """A test run does not stop at one bad customer: the others are tested."""
    book = make_book(tmp_path / "test.xlsx", {"Clients": fd.CUSTOMERS})
    assert main(["import", str(book), "--test", "--server", sandbox.url]) == 1
    st = _column(book, "Clients", "#STATUT", 1)
    assert st[2].startswith("Test OK") and st[4].startswith("Test OK")
    assert st[3].startswith("Non envoyée")


def test_multi_sheet_test_run_does_not_reject_rows_that_depend_on_a_tested_sheet(
    tmp_path: Path, sandbox, capsys
) -> None:
    """import --all --test: the entries on 706500 (defined only by the Comptes sheet, tested,
    not imported) are 'Non vérifiable en test', their whole pièce too; the other pièce is
    tested normally; the summary says to import Comptes first; no exit 3."""
    book = make_book(tmp_path / "deps.xlsx",
                 {"Comptes": fd.NEW_ACCOUNTS, "Ecritures": fd.ENTRIES_ON_NEW_ACCOUNT})
    code = main(["import", str(book), "--all", "--test", "--server", sandbox.url])
    printed = capsys.readouterr().out
    assert code == 0, printed
    st = _column(book, "Ecritures", "#STATUT", 1)
    assert st[3] == ("Non vérifiable en test : dépend de la feuille Comptes (compte 706500), "
                     "testée mais pas encore importée")
    assert st[2].startswith("Non vérifiable en test : sa pièce dépend de la feuille Comptes")
    assert st[4].startswith("Test OK") and st[5].startswith("Test OK")
    assert _column(book, "Comptes", "#STATUT", 1)[2].startswith("Test OK")
    assert ("Ecritures : 2 ligne(s) non vérifiable(s) en test : elles dépendent de Comptes, "
            "testée(s) mais pas importée(s). Importez d'abord Comptes, puis testez Ecritures."
            ) in printed
    assert not [r for r in sandbox.rows("Ecritures") if r.get("piece") in ("F9", "F10")]
