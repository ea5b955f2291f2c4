"""The .xlsx adapter: reading values, writing statuses/ledger, atomic saves, French errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from addin.core import errors, layout, status
from addin.core.connexion import CONNEXION_SHEET, KEYS
from addin.core.outcomes import RowOutcome
from addin.io import package_writer
from addin.io.workbook import open_workbook


def make_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["Code", "Raison sociale", "Total"])
    ws.append(["PCF_CODE", "PCF_RS", "#CALC"])
    ws.append(["C1", "Alpha", "=1+1"])
    ws.append(["C2", None, "=C3*2"])
    ws.append(["C3", "Gamma", 3])
    ws["A2"].font = Font(bold=True)
    ws.add_table(Table(displayName="Clients", ref="A2:C5"))
    dv = DataValidation(type="list", formula1='"C1,C2,C3"')
    dv.add("A3:A5")
    ws.add_data_validation(dv)
    ws.merge_cells("E1:F1")
    ws["H4"] = "#N/A"
    ws["H4"].data_type = "e"
    conn = wb.create_sheet(CONNEXION_SHEET)
    conn.append([KEYS["server"], "http://srv:8080"])
    conn.append([KEYS["fichier"], "SOC.Gestimum"])
    conn.append(["Mot de passe", "ne-jamais-lire"])
    wb.save(path)
    # openpyxl writes no cached values: give C3 one, as Excel would, and leave C4 without.
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return make_book(tmp_path / "classeur.xlsx")


def data(header_row: int = 2, status_index: int | None = None) -> SimpleNamespace:
    column = None if status_index is None else SimpleNamespace(index=status_index)
    return SimpleNamespace(header_row=header_row, status_column=column)


def test_reading(book_path: Path):
    book = open_workbook(book_path)
    assert book.sheet_names() == ["Clients", CONNEXION_SHEET]
    assert book.table_names("Clients") == ["Clients"]
    assert book.table_names(CONNEXION_SHEET) == []
    grid = book.grid("Clients")
    assert (grid.first_row, grid.first_col) == (1, 1)
    assert grid.values[2][:3] == ["C1", "Alpha", 2]  # cached value of =1+1
    assert grid.values[3][1] is None  # blank cell
    assert grid.formula_cells == frozenset({(4, 3)})  # =C3*2 has no cached value
    assert grid.values[3][7] == "#N/A"  # error cells are not silently blank
    assert grid.merged == ("E1:F1",)
    assert book.connexion() == {"server": "http://srv:8080", "fichier": "SOC.Gestimum"}


def test_statuses_ledger_and_journal_written_and_appended(book_path: Path):
    book = open_workbook(book_path)
    book.grid("Clients")
    sink = book.sink()
    sink.write_statuses(
        "Clients",
        data(),
        [RowOutcome(3, "imported", pieces=["ARC1"]), RowOutcome(4, "rejected", reasons=["=2+2"])],
    )
    sink.append_results([["run1", "=cmd|' /c calc'!A0", 3]])
    sink.append_journal([["run1", "Clients", "-ligne"]])
    sink.save()

    wb = openpyxl.load_workbook(book_path)
    ws = wb["Clients"]
    # the new column comes right after the used block (H holds the error cell)
    assert ws["I2"].value == layout.STATUS_HEADER
    assert ws["I3"].value == "Importée — pièce ARC1"
    assert ws["I4"].value == "Rejetée : =2+2" and ws["I4"].data_type == "s"
    assert ws["I5"].value is None
    assert ws["C4"].value == "=C3*2" and ws["C4"].data_type == "f"  # formulas kept
    assert ws["A2"].font.bold
    assert len(ws.data_validations.dataValidation) == 1
    results = wb[layout.RESULTATS_SHEET]
    assert [c.value for c in results[1]][:3] == list(layout.RESULTATS_HEADERS[:3])
    assert results["B2"].value == "=cmd|' /c calc'!A0" and results["B2"].data_type == "s"
    assert results["B2"].quotePrefix
    assert wb[layout.JOURNAL_SHEET]["C2"].value == "-ligne"

    # second run: appended under the first, headers not repeated, status column reused
    book = open_workbook(book_path)
    sink = book.sink()
    sink.write_statuses(
        "Clients", data(status_index=8), [RowOutcome(5, "tested"), RowOutcome(3, "skipped")]
    )
    sink.append_results([["run2", "ok", 1]])
    sink.append_journal([["run2", "Clients", "x"], ["run2", "Clients", "y"]])
    sink.save()
    wb = openpyxl.load_workbook(book_path)
    assert [r[0].value for r in wb[layout.RESULTATS_SHEET].iter_rows()] == ["Date", "run1", "run2"]
    assert wb[layout.JOURNAL_SHEET].max_row == 4
    # skipped and untouched rows keep their status, pièce number included
    assert wb["Clients"]["I3"].value == "Importée — pièce ARC1"
    assert wb["Clients"]["I5"].value == "Test OK"
    # one set of colour rules, not one per run
    rules = [r for cf in wb["Clients"].conditional_formatting for r in cf.rules]
    assert len(rules) == len(status.STATE_LABELS)


def test_new_status_column_extends_the_table(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["PCF_CODE", "PCF_RS"])
    ws.append(["C1", "A"])
    ws.add_table(Table(displayName="Clients", ref="A1:B2"))
    wb.save(tmp_path / "t.xlsx")
    book = open_workbook(tmp_path / "t.xlsx")
    book.grid("Clients")
    sink = book.sink()
    sink.write_statuses("Clients", data(header_row=1), [RowOutcome(2, "imported")])
    sink.save()
    table = openpyxl.load_workbook(tmp_path / "t.xlsx")["Clients"].tables["Clients"]
    assert table.ref == "A1:C2"
    assert [c.name for c in table.tableColumns] == ["PCF_CODE", "PCF_RS", "#STATUT"]


def test_out_leaves_the_original_untouched(book_path: Path, tmp_path: Path):
    before = book_path.read_bytes()
    sink = open_workbook(book_path).sink(tmp_path / "copie.xlsx")
    sink.write_statuses("Clients", data(), [RowOutcome(3, "imported")])
    sink.save()
    assert book_path.read_bytes() == before
    assert openpyxl.load_workbook(tmp_path / "copie.xlsx")["Clients"]["I3"].value == "Importée"


def test_failed_save_keeps_the_original_and_the_results(book_path, monkeypatch):
    before = book_path.read_bytes()
    mode = book_path.stat().st_mode
    calls = []
    real_write = package_writer._write_package

    def failing_write(source, plan, fh):
        calls.append(fh)
        if len(calls) == 1:  # half a file, then the disk is full
            fh.write(b"PK\x03\x04partial")
            raise OSError(28, "No space left on device")
        real_write(source, plan, fh)

    monkeypatch.setattr(package_writer, "_write_package", failing_write)
    sink = open_workbook(book_path).sink()
    sink.write_statuses("Clients", data(), [RowOutcome(3, "imported")])
    with pytest.raises(errors.WriteBackError) as info:
        sink.save()
    assert book_path.read_bytes() == before and book_path.stat().st_mode == mode
    assert info.value.exit_code == 3
    assert sink.fallback is not None and str(sink.fallback) in info.value.user_message
    assert openpyxl.load_workbook(sink.fallback)["Clients"]["I3"].value == "Importée"
    leftovers = [p for p in book_path.parent.iterdir() if p.name.startswith(".~gestimum-")]
    assert leftovers == []


def test_saved_file_keeps_its_permissions(book_path: Path):
    os.chmod(book_path, 0o640)
    sink = open_workbook(book_path).sink()
    sink.append_journal([["r", "Clients", "x"]])
    sink.save()
    assert book_path.stat().st_mode & 0o777 == 0o640


def test_open_elsewhere_is_refused_before_sending(book_path: Path):
    (book_path.parent / f"~${book_path.name}").write_bytes(b"")
    with pytest.raises(errors.WorkbookError) as info:
        open_workbook(book_path).sink()
    assert "ouvert" in info.value.user_message and "--out" in info.value.user_message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("absent.xlsx", None, "introuvable"),
        ("texte.xlsx", b"pas un zip", "n'est pas un classeur"),
        ("vieux.xls", b"\xd0\xcf\x11\xe0", "format non pris en charge"),
    ],
)
def test_french_errors(tmp_path: Path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(errors.WorkbookError) as info:
        open_workbook(path)
    assert words in info.value.user_message
    assert info.value.exit_code == 2


def test_missing_sheet(book_path: Path):
    with pytest.raises(errors.WorkbookError, match="Feuille « Nope » introuvable"):
        open_workbook(book_path).grid("Nope")


# UTF-8 CSV, formulas shown as results, one file per sheet (last token -1).
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_libreoffice_reads_formula_looking_text_as_text(book_path: Path, tmp_path: Path):
    sink = open_workbook(book_path).sink()
    sink.write_statuses("Clients", data(), [RowOutcome(3, "rejected", reasons=["=1+1"])])
    sink.append_journal([["r", "Clients", "=2+3"], ["r", "Clients", "+33 1"]])
    sink.save()
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
            "--convert-to", CSV_ALL_SHEETS,
            "--outdir", str(tmp_path / "csv"), str(book_path),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    outputs = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "csv").iterdir()}
    clients = next(t for n, t in outputs.items() if "Clients" in n)
    journal = next(t for n, t in outputs.items() if "Journal" in n)
    assert "Rejetée : =1+1" in clients
    assert "=2+3" in journal
    assert "+33 1" in journal


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_libreoffice_understands_the_status_colours(book_path: Path, tmp_path: Path):
    sink = open_workbook(book_path).sink()
    sink.write_statuses("Clients", data(), [RowOutcome(3, "imported"), RowOutcome(4, "unknown")])
    sink.save()
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
            "--convert-to", "ods", "--outdir", str(tmp_path / "ods"), str(book_path),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with zipfile.ZipFile(tmp_path / "ods" / "classeur.ods") as ods:
        content = ods.read("content.xml").decode("utf-8")
        styles = ods.read("styles.xml").decode("utf-8").lower()
    for state, label in status.STATE_LABELS.items():
        assert f"begins-with(&quot;{label}&quot;)" in content
        assert f'background-color="#{status.STATE_FILLS[state].lower()}"' in styles


def test_sheet_scan_finds_uncached_formulas_and_error_cells():
    from addin.io.xlsx_scan import scan_sheet

    xml = (
        b'<sheetData><row r="1"><c r="A1" t="e"/><c r="B1" t="e"><v>#REF!</v></c>'
        b'<c r="C1"><f>1/0</f></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="E1" t="str"><f>""</f><v></v></c><c r="F1"><f t="shared" si="0"/></c>'
        b'<c r="G1" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>x</t></r></is></c>'
        b"</row></sheetData>"
    )
    formulas, errors_found = scan_sheet(xml)
    assert formulas == [(1, 3), (1, 6)]
    assert errors_found == {(1, 2): "#REF!", (1, 4): "#DIV/0!"}
