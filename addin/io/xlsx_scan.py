"""Byte-level scans of a worksheet's XML for what fast value readers do not report: formulas
without a cached value, error cells, hidden rows; and the sheet-name → XML-part map."""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from xml.etree import ElementTree

__all__ = ["hidden_rows", "scan_sheet", "sheet_parts"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\bt=[\"']e[\"'][^>]*>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*\bhidden=\"(?:1|true)\"[^>]*>")
_ROW_NUMBER = re.compile(rb"\sr=\"(\d+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_REF = re.compile(rb"\br=[\"']([A-Z]{1,3})(\d+)[\"']")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet XML part, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if not target:
            continue
        full = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        parts[sheet.get("name", "")] = full
    return parts


def scan_sheet(xml: bytes) -> tuple[list[tuple[int, int]], dict[tuple[int, int], str]]:
    """Formula cells without a cached value and error cells (`#N/A`…) of a worksheet part."""
    formulas: list[tuple[int, int]] = []
    for match in _FORMULA.finditer(xml):
        start = max(xml.rfind(b"<c ", 0, match.start()), xml.rfind(b":c ", 0, match.start()))
        end = _CELL_END.search(xml, match.end())
        if start < 0 or end is None:
            continue
        if _VALUE.search(xml, match.end(), end.start()) is None and (ref := _cell_ref(xml, start)):
            formulas.append(ref)
    errors: dict[tuple[int, int], str] = {}
    for match in _ERROR_CELL.finditer(xml):
        if match.group().endswith(b"/>"):  # an error cell without value: nothing to show
            continue
        end = _CELL_END.search(xml, match.end())
        value = _VALUE.search(xml, match.end(), end.start()) if end else None
        if value is not None and (ref := _cell_ref(xml, match.start())):
            errors[ref] = value.group(1).decode("utf-8", "replace")
    return formulas, errors


def hidden_rows(xml: bytes) -> frozenset[int]:
    """Rows marked hidden in a worksheet part (hidden by hand or filtered out)."""
    rows = set()
    for match in _HIDDEN_ROW.finditer(xml):
        number = _ROW_NUMBER.search(match.group())
        if number is not None:
            rows.add(int(number.group(1)))
    return frozenset(rows)


def _cell_ref(xml: bytes, start: int) -> tuple[int, int] | None:
    tag_end = xml.find(b">", start)
    found = _REF.search(xml, start, tag_end)
    if found is None:
        return None
    col = 0
    for char in found.group(1):
        col = col * 26 + (char - 64)
    return int(found.group(2)), col
