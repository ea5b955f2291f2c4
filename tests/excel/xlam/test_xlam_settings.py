"""The settings sheet inside the add-in, read the way xlwings' GetConfigFromSheet reads it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _cell_value(cell: ET.Element) -> str | bool | None:
    kind = cell.get("t")
    if kind == "b":
        return cell.findtext(MAIN + "v") == "1"
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(MAIN + "t"))
    return cell.findtext(MAIN + "v")


@pytest.fixture(scope="module")
def sheet_cells(xlam_zip: zipfile.ZipFile) -> dict[str, str | bool | None]:
    sheet = ET.fromstring(xlam_zip.read("xl/worksheets/sheet1.xml"))
    return {cell.get("r"): _cell_value(cell) for cell in sheet.iter(MAIN + "c")}


def _settings(cells: dict[str, str | bool | None]) -> dict[str, str | bool | None]:
    """Keys from A1 down to the first blank cell, as ``Range("A1").End(xlDown)`` does."""
    settings: dict[str, str | bool | None] = {}
    row = 1
    while cells.get(f"A{row}"):
        settings[str(cells[f"A{row}"]).upper()] = cells.get(f"B{row}")
        row += 1
    return settings


def test_sheet_is_named_after_the_project(xlam_zip: zipfile.ZipFile) -> None:
    workbook = ET.fromstring(xlam_zip.read("xl/workbook.xml"))
    assert [s.get("name") for s in workbook.iter(MAIN + "sheet")] == ["gestimum.conf"]


def test_sheet_holds_the_expected_keys_without_gaps(
    sheet_cells: dict[str, str | bool | None],
) -> None:
    settings = _settings(sheet_cells)
    assert settings == {"UDF MODULES": "addin.udfs", "ADD_WORKBOOK_TO_PYTHONPATH": False}
    # Nothing below the first gap (xlwings would never read it).
    rows = {int(re.sub(r"\D", "", ref)) for ref in sheet_cells}
    assert rows == set(range(1, len(settings) + 1))


def test_sheet_leaves_per_user_keys_to_the_user_file(
    sheet_cells: dict[str, str | bool | None],
) -> None:
    # The add-in's sheet is read before the user file: a key here would hide the value that
    # install-addin writes for this machine, and diagnostics switches could not be turned on.
    settings = _settings(sheet_cells)
    for key in ("INTERPRETER_WIN", "INTERPRETER", "SHOW CONSOLE", "USE UDF SERVER", "PYTHONPATH"):
        assert key not in settings


def test_sheet_holds_no_secret(sheet_cells: dict[str, str | bool | None]) -> None:
    for value in sheet_cells.values():
        text = str(value).upper()
        for word in ("PASS", "MOT_DE", "MOT DE", "LICENSE", "KEY"):
            assert word not in text


def test_workbook_parts_hold_no_credentials(xlam_zip: zipfile.ZipFile) -> None:
    for name in xlam_zip.namelist():
        if name.endswith(".xml") or name.endswith(".rels"):
            text = xlam_zip.read(name).decode("utf-8").lower()
            assert "mot_passe" not in text and "password" not in text, name
