"""The package writer on workbooks as users have them: after an import through the CLI and the
sandbox, every member it did not need to change is byte for byte the same, formulas keep their
cached values, LibreOffice reads the statuses; a file it could not write is refused before
anything is sent."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from addin.cli import main
from addin.core import layout
from addin.core.outcomes import RowOutcome
from addin.core.versions import LAST_WRITE_KEY, last_write_stamp
from addin.io.package_zip import raw_chunks
from addin.io.workbook import open_workbook
from tests.io import rich_books

DATA_SHEET = "xl/worksheets/sheet1.xml"
# What an import may change: the data sheet, the parts that list sheets, styles, the Table, and
# the custom document properties (the last-write stamp) with the package relationships.
MAY_CHANGE = {DATA_SHEET, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
              "xl/styles.xml", "xl/tables/table1.xml", "docProps/custom.xml", "_rels/.rels"}


pytestmark = pytest.mark.usefixtures("no_password")


def _openpyxl_book(tmp_path: Path) -> Path:
    return rich_books.build_openpyxl(tmp_path / "clients.xlsx")


def _libreoffice_book(tmp_path: Path) -> Path:
    if not rich_books.has_libreoffice():
        pytest.skip("LibreOffice absent")
    return rich_books.build_libreoffice(tmp_path / "clients.xlsx", tmp_path)


def _xlsm_book(tmp_path: Path) -> Path:
    return rich_books.with_vba(_openpyxl_book(tmp_path), tmp_path / "clients.xlsm")


BUILDERS = [
    pytest.param(_openpyxl_book, id="openpyxl"),
    pytest.param(_libreoffice_book, id="libreoffice", marks=pytest.mark.libreoffice),
    pytest.param(_xlsm_book, id="xlsm-vba"),
]


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's stored (compressed) bytes, as they are in the file."""
    with zipfile.ZipFile(path) as archive:
        return {i.filename: b"".join(raw_chunks(archive, i)) for i in archive.infolist()}


def import_clients(path: Path, server: str) -> int:
    return main(["import", str(path), "--sheet", "Clients", "--server", server, "--yes"])


@pytest.mark.parametrize("build", BUILDERS)
def test_import_keeps_every_other_member_byte_for_byte(build, tmp_path: Path, sandbox) -> None:
    book = build(tmp_path)
    before = raw_members(book)
    assert import_clients(book, sandbox.url) in (0, 1)
    after = raw_members(book)
    untouched = set(before) - MAY_CHANGE
    assert {n for n in untouched if after.get(n) != before[n]} == set()
    assert set(after) - set(before) == {"xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml",
                                        *({"docProps/custom.xml"} - set(before))}
    if "docProps/custom.xml" in before:  # the package relationships already point to it
        assert after["_rels/.rels"] == before["_rels/.rels"]
    props = openpyxl.load_workbook(book, read_only=True).custom_doc_props
    assert props[LAST_WRITE_KEY].value == last_write_stamp()
    if book.suffix == ".xlsm":
        assert "xl/vbaProject.bin" in untouched
        with zipfile.ZipFile(book) as archive:
            assert b"macroEnabled" in archive.read("[Content_Types].xml")
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read(DATA_SHEET)
        assert b"x14:sparklineGroups" in sheet and b"<tableParts" in sheet
        assert b"Montants" in archive.read("xl/workbook.xml")  # defined name
        assert archive.read("customXml/item1.xml") == rich_books.CUSTOM_XML


@pytest.mark.parametrize("build", BUILDERS)
def test_formulas_keep_their_values_and_statuses_are_read_back(build, tmp_path, sandbox) -> None:
    book = build(tmp_path)
    import_clients(book, sandbox.url)
    grid = open_workbook(book).grid("Clients")
    assert grid.formula_cells == frozenset()
    header = grid.values[1]
    assert header[grid.values[1].index(layout.STATUS_HEADER)] == layout.STATUS_HEADER
    status_col = header.index(layout.STATUS_HEADER)
    assert [row[1] for row in grid.values[2:]] == [f"411C{i:03d}" for i in range(rich_books.ROWS)]
    assert [row[5] for row in grid.values[2:]] == [2 * (100 + i) for i in range(rich_books.ROWS)]
    texts = [row[status_col] for row in grid.values[2:]]
    assert all(isinstance(t, str) and t for t in texts), texts
    # the documented sequence goes on: a second check finds no formula without value
    assert main(["check", str(book), "--sheet", "Clients"]) == 0


@pytest.mark.libreoffice
@pytest.mark.parametrize("build", BUILDERS)
def test_libreoffice_opens_the_result_and_shows_the_statuses(build, tmp_path, sandbox) -> None:
    if not rich_books.has_libreoffice():
        pytest.skip("LibreOffice absent")
    book = build(tmp_path)
    import_clients(book, sandbox.url)
    statuses = [t for t in open_workbook(book).grid("Clients").values[2][6:] if t]
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
         "false,-1", "--outdir", str(tmp_path / "csv"), str(book)],
        check=True, capture_output=True, timeout=180,
    )
    clients = next(p for p in (tmp_path / "csv").iterdir() if "Clients" in p.name)
    text = clients.read_text(encoding="utf-8")
    assert statuses and statuses[0] in text
    assert "411C000" in text  # the cached formula value


def test_a_file_openpyxl_refuses_is_written(tmp_path: Path, sandbox) -> None:
    """An invalid date in docProps/core.xml stops openpyxl, not the package writer."""
    import openpyxl

    book = _openpyxl_book(tmp_path)
    parts = rich_books._members(book)
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:created[^>]*>)[^<]*",
                                        rb"\g<1>2026-13-45T99:00:00Z", parts["docProps/core.xml"])
    rich_books._write(book, parts)
    with pytest.raises(ValueError, match="could not read properties"):
        openpyxl.load_workbook(book)
    before = raw_members(book)["docProps/core.xml"]
    assert import_clients(book, sandbox.url) in (0, 1)
    assert raw_members(book)["docProps/core.xml"] == before
    assert open_workbook(book).grid(layout.RESULTATS_SHEET).values[1][0] is not None


def test_an_unwritable_file_is_refused_before_sending(tmp_path: Path, capsys) -> None:
    """A chart sheet named Résultats: the values read fine, but the ledger could not be
    written; the run stops with exit 2 before any request (the server named does not exist)."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    book = tmp_path / "clients.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    for row in (["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["C1", "Alpha", "411C1"],
                ["C2", "Beta", "411C2"]):
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    wb.create_chartsheet(layout.RESULTATS_SHEET).add_chart(chart)
    wb.save(book)
    before = book.read_bytes()
    assert main(["check", str(book), "--sheet", "Clients"]) == 0
    capsys.readouterr()
    code = main(["import", str(book), "--sheet", "Clients", "--server", "http://127.0.0.1:9",
                 "--yes"])
    assert code == 2
    message = capsys.readouterr().err
    assert "n'est pas une feuille de calcul" in message and "Rien n'a été envoyé" in message
    assert book.read_bytes() == before


def test_hidden_hash_columns_are_written_like_the_status(tmp_path: Path) -> None:
    book = _openpyxl_book(tmp_path)
    source = open_workbook(book)
    sink = source.sink(sheets=["Clients"])
    data = SimpleNamespace(header_row=2, status_column=None)
    sink.write_statuses("Clients", data, [RowOutcome(3, "imported")])
    sink.write_columns("Clients", data, {"#EMPREINTE": {3: "ab12", 4: "=cd"}},
                       hidden=["#EMPREINTE"])
    sink.save()
    grid = open_workbook(book).grid("Clients")
    assert grid.values[1][6:8] == [layout.STATUS_HEADER, "#EMPREINTE"]
    assert grid.values[2][6:8] == ["Importée", "ab12"] and grid.values[3][7] == "=cd"
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read(DATA_SHEET)
        table = archive.read("xl/tables/table1.xml")
    assert b'<col min="8" max="8" width="12.0" customWidth="1" hidden="1"/>' in sheet
    assert b'ref="A2:H8"' in table and b'name="#EMPREINTE"' in table


def test_leftover_of_an_interrupted_save_is_removed(tmp_path: Path) -> None:
    book = _openpyxl_book(tmp_path)
    leftover = tmp_path / f".~gestimum-{book.name}.k2j3.tmp"
    leftover.write_bytes(b"PK\x03\x04half")
    other = tmp_path / ".~gestimum-autre.xlsx.k2j3.tmp"
    other.write_bytes(b"")
    open_workbook(book).sink()
    assert not leftover.exists() and other.exists()


@pytest.mark.parametrize("far", ["XFD1048576", "XFD20000", "A1048576"])
def test_a_stray_far_cell_is_named_in_french_within_bounded_memory(tmp_path: Path, far) -> None:
    """calamine would allocate the whole rectangle (512 GiB for XFD1048576) and abort; the
    reader names the cell instead. Run in a child process with 1 GB of address space."""
    import openpyxl

    path = tmp_path / "loin.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["PCF_CODE", "PCF_RS"])
    ws.append(["C1", "Alpha"])
    ws[far] = "oubli"
    ws["Z5"].number_format = "0.00"  # formatting only: never counted
    wb.save(path)
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from addin.cli import main\n"
        f"sys.exit(main(['check', {str(path)!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"la cellule {far} contient une valeur très loin" in done.stdout + done.stderr


def test_formatted_far_cells_and_a_bogus_dimension_read_normally(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = tmp_path / "format.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["PCF_CODE", "PCF_RS"])
    ws.append(["C1", "Alpha"])
    ws["XFD1048576"].font = Font(bold=True)
    wb.save(path)
    parts = rich_books._members(path)
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
        parts["xl/worksheets/sheet1.xml"])
    rich_books._write(path, parts)
    assert open_workbook(path).grid("Sheet").values == [["PCF_CODE", "PCF_RS"], ["C1", "Alpha"]]


def test_a_workbook_with_prefixed_elements_is_written(tmp_path: Path) -> None:
    """Some generators (the Open XML SDK) write `<x:c>` instead of `<c>`: same result."""
    book = _openpyxl_book(tmp_path)
    parts = rich_books._members(book)
    for name in (DATA_SHEET, "xl/styles.xml"):
        xml = re.sub(rb"<(/?)(?!\?)(\w+)([\s/>])", rb"<\1x:\2\3", parts[name])
        parts[name] = xml.replace(b' xmlns="http://schemas', b' xmlns:x="http://schemas', 1)
    rich_books._write(book, parts)
    source = open_workbook(book)
    assert source.grid("Clients").values[2][0] == "C000"
    sink = source.sink(sheets=["Clients"])
    data = SimpleNamespace(header_row=2, status_column=None)
    sink.write_statuses("Clients", data, [RowOutcome(3, "rejected", reasons=["=1"])])
    sink.append_journal([["r", "Clients", "=2"]])
    sink.save()
    grid = open_workbook(book).grid("Clients")
    assert grid.values[1][6] == layout.STATUS_HEADER and grid.values[2][6] == "Rejetée : =1"
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read(DATA_SHEET)
        styles = archive.read("xl/styles.xml")
    assert b"<x:conditionalFormatting" in sheet and b"<conditionalFormatting" not in sheet
    assert b'quotePrefix="1"' in styles and b"<x:xf " in styles and b"<xf " not in styles
