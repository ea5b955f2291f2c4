"""The last-write stamp: an import records, as a custom document property distinct from the
template stamp, which gestimum-excel and catalog last wrote results into the workbook; the
user's own properties are kept, LibreOffice reads it back, a part it cannot edit is left alone."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.versions import LAST_WRITE_KEY, last_write_stamp, template_stamp
from addin.io.doc_props import read_doc_props
from tests.io import rich_books
from tests.io.test_package_writer import import_clients, raw_members

pytestmark = pytest.mark.usefixtures("no_password")


def _with_properties(path: Path) -> Path:
    """The rich workbook with the user's own properties, the template stamp and the stamp of an
    older add-in's import, in docProps/custom.xml as Excel writes it."""
    book = rich_books.build_openpyxl(path)
    values = [("Service", "lpwstr", "Comptabilité &amp; paie"), ("Exercice", "i4", "2026"),
              *((name, "lpwstr", value) for name, value in template_stamp().items()),
              (LAST_WRITE_KEY, "lpwstr", "0.1.0 / catalogue ancien")]
    listed = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{name}">'
        f"<vt:{kind}>{value}</vt:{kind}></property>"
        for pid, (name, kind, value) in enumerate(values, start=2))
    parts = rich_books._members(book)
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Properties xmlns="http://'
        'schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://'
        f'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{listed}</Properties>'
    ).encode()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
    rich_books._write(book, parts)
    return book


def test_an_import_updates_the_stamp_in_place_and_keeps_every_other_property(
    tmp_path: Path, sandbox
) -> None:
    book = _with_properties(tmp_path / "clients.xlsx")
    before = raw_members(book)
    with zipfile.ZipFile(book) as archive:
        custom_before = archive.read("docProps/custom.xml")
    assert import_clients(book, sandbox.url) in (0, 1)
    after = raw_members(book)
    assert after["_rels/.rels"] == before["_rels/.rels"]  # the part was already there
    assert after["docProps/core.xml"] == before["docProps/core.xml"]
    custom, _ = read_doc_props(book)
    assert custom == {"Service": "Comptabilité & paie", "Exercice": "2026", **template_stamp(),
                      LAST_WRITE_KEY: last_write_stamp()}
    props = openpyxl.load_workbook(book, read_only=True).custom_doc_props
    assert [p.name for p in props] == ["Service", "Exercice", *template_stamp(), LAST_WRITE_KEY]
    assert props["Exercice"].value == 2026
    # only the stamp's value changed: every other byte of the part is the same
    with zipfile.ZipFile(book) as archive:
        custom_after = archive.read("docProps/custom.xml")
    old, new = b"0.1.0 / catalogue ancien", last_write_stamp().encode()
    assert custom_after == custom_before.replace(old, new)


def test_a_custom_part_it_cannot_edit_is_left_alone_and_results_are_written(
    tmp_path: Path, sandbox
) -> None:
    book = rich_books.build_openpyxl(tmp_path / "clients.xlsx")
    parts = rich_books._members(book)
    parts["docProps/custom.xml"] = b"<Properties><oups></Properties>"  # malformed
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>')
    rich_books._write(book, parts)
    before = raw_members(book)
    assert import_clients(book, sandbox.url) in (0, 1)
    after = raw_members(book)
    assert after["docProps/custom.xml"] == before["docProps/custom.xml"]
    assert after["_rels/.rels"] == before["_rels/.rels"]
    assert after["xl/worksheets/sheet1.xml"] != before["xl/worksheets/sheet1.xml"]


def test_a_check_stamps_the_workbook_only_when_it_writes_into_it(tmp_path: Path) -> None:
    book = rich_books.build_openpyxl(tmp_path / "clients.xlsx")
    before = book.read_bytes()
    assert main(["check", str(book), "--sheet", "Clients"]) == 0
    assert book.read_bytes() == before
    assert main(["check", str(book), "--sheet", "Clients", "--enregistrer"]) == 0
    assert read_doc_props(book)[0] == {LAST_WRITE_KEY: last_write_stamp()}


@pytest.mark.libreoffice
def test_libreoffice_reads_the_stamp_it_created(tmp_path: Path, sandbox) -> None:
    """The part, relationship and content type created from nothing: LibreOffice opens the
    file, reads the property and writes it back when it saves the workbook again."""
    if not rich_books.has_libreoffice():
        pytest.skip("LibreOffice absent")
    book = rich_books.build_openpyxl(tmp_path / "clients.xlsx")
    assert "docProps/custom.xml" not in raw_members(book)
    assert import_clients(book, sandbox.url) in (0, 1)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "lo"),
         str(book)],
        check=True, capture_output=True, timeout=180,
    )
    custom, _ = read_doc_props(tmp_path / "lo" / book.name)
    assert custom[LAST_WRITE_KEY] == last_write_stamp()
