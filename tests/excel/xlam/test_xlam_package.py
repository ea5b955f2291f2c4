"""The .xlam as an Open XML package: reproducible bytes, parts, content types, relationships."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from addin.excel.xlam.build import build_xlam

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CUSTOMUI_2006 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def test_committed_file_is_a_fresh_build(committed_bytes: bytes, built_bytes: bytes) -> None:
    # Built in another process at another time: equal bytes prove the build is reproducible
    # and that nobody forgot to run `python -m addin.excel.xlam` after changing the tables.
    assert built_bytes == committed_bytes, "run: python -m addin.excel.xlam"


def test_building_twice_gives_identical_files(built_bytes: bytes, tmp_path: Path) -> None:
    written = build_xlam(tmp_path / "again.xlam")
    assert written == tmp_path / "again.xlam"
    assert written.read_bytes() == built_bytes
    assert not list(tmp_path.glob("*.tmp"))


def test_check_command_tells_stale_from_fresh(
    built_bytes: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from addin.excel.xlam import __main__ as command

    # The session's build stands in for a third one: only the command's logic is under test.
    monkeypatch.setattr(command, "xlam_bytes", lambda: built_bytes)
    target = tmp_path / "gestimum.xlam"
    target.write_bytes(b"not an add-in")
    assert command.main(["--check", "--out", str(target)]) == 1
    assert "python -m addin.excel.xlam" in capsys.readouterr().err
    target.write_bytes(built_bytes)
    assert command.main(["--check", "--out", str(target)]) == 0
    assert command.main(["--check", "--out", str(tmp_path / "missing.xlam")]) == 1


def test_zip_entries_have_fixed_order_dates_and_no_compression(
    xlam_zip: zipfile.ZipFile,
) -> None:
    names = [info.filename for info in xlam_zip.infolist()]
    assert names[0] == "[Content_Types].xml"
    assert names == [
        "[Content_Types].xml",
        "_rels/.rels",
        "customUI/customUI.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/vbaProject.bin",
        "docProps/custom.xml",
    ]
    for info in xlam_zip.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_STORED
    assert xlam_zip.testzip() is None


def test_content_types_declare_a_macro_enabled_addin(xlam_zip: zipfile.ZipFile) -> None:
    root = ET.fromstring(xlam_zip.read("[Content_Types].xml"))
    defaults = {el.get("Extension"): el.get("ContentType") for el in root.iter(CT_NS + "Default")}
    overrides = {el.get("PartName"): el.get("ContentType") for el in root.iter(CT_NS + "Override")}
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert defaults["rels"] == "application/vnd.openxmlformats-package.relationships+xml"
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    # Every overridden part exists, every part has a content type.
    names = set(xlam_zip.namelist())
    assert {part.lstrip("/") for part in overrides} <= names
    for name in names - {"[Content_Types].xml"}:
        extension = name.rsplit(".", 1)[-1]
        assert "/" + name in overrides or extension in defaults, name


def _rels(xlam_zip: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    root = ET.fromstring(xlam_zip.read(part))
    rels = root.iter(REL_NS + "Relationship")
    return {el.get("Id"): (el.get("Type"), el.get("Target")) for el in rels}


def test_relationships_point_at_existing_parts(xlam_zip: zipfile.ZipFile) -> None:
    names = set(xlam_zip.namelist())
    package = _rels(xlam_zip, "_rels/.rels")
    types = {rel_type: target for rel_type, target in package.values()}
    assert types[OFFICE_DOC] == "xl/workbook.xml"
    # The 2006 relationship type goes with the 2006/01 customUI namespace (Excel 2007 and later).
    assert types[CUSTOMUI_2006] == "customUI/customUI.xml"
    assert set(types.values()) <= names

    workbook = _rels(xlam_zip, "xl/_rels/workbook.xml.rels")
    targets = {posixpath.join("xl", target) for _, target in workbook.values()}
    assert targets <= names
    vba_targets = [target for rel_type, target in workbook.values() if rel_type == VBA_REL]
    assert vba_targets == ["vbaProject.bin"]

    sheet_ids = [el.get(R_ID) for el in ET.fromstring(xlam_zip.read("xl/workbook.xml")).iter()]
    assert all(rel_id in workbook for rel_id in sheet_ids if rel_id)


def test_code_names_match_the_document_modules(
    xlam_zip: zipfile.ZipFile, vba: dict[str, str]
) -> None:
    # VBA binds ThisWorkbook/sheet modules to the workbook parts by code name.
    workbook = ET.fromstring(xlam_zip.read("xl/workbook.xml"))
    book_code_name = workbook.find(MAIN_NS + "workbookPr").get("codeName")
    sheet = ET.fromstring(xlam_zip.read("xl/worksheets/sheet1.xml"))
    sheet_code_name = sheet.find(MAIN_NS + "sheetPr").get("codeName")
    assert book_code_name == "ThisWorkbook"
    assert book_code_name in vba
    assert sheet_code_name in vba
    assert 'Attribute VB_Base = "0{00020819-' in vba[book_code_name]
    assert 'Attribute VB_Base = "0{00020820-' in vba[sheet_code_name]


def test_committed_file_is_the_one_the_package_ships(committed_path: Path) -> None:
    from addin.excel.install import addin_source

    assert addin_source().read_bytes() == committed_path.read_bytes()
