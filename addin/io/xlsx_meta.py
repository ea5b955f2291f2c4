"""What python-calamine does not say about a workbook package: where each Excel Table's header
and totals rows are, and which cells are shown with a percent number format.

Every XML part is parsed with defusedxml (no entity expansion, no external entities, no DTD),
so a hostile workbook cannot exhaust memory or reach files whatever the Python patch level.
Called by the reader (`io/workbook.py`), which puts the results into each sheet's `Grid`.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeTree

from addin.core.grid import TableExtent
from addin.core.percents import is_percent_format

__all__ = ["parse_xml", "percent_cells", "percent_styles", "table_extents"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TABLE_REL = "/table"
# Built-in number formats that are percentages: 9 = "0%", 10 = "0.00%".
_BUILTIN_PERCENT = frozenset({9, 10})
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s[^>]*>")
_STYLE = re.compile(rb"\ss=[\"'](\d+)[\"']")
_REF = re.compile(rb"\sr=[\"']([A-Z]{1,3})(\d+)[\"']")


def parse_xml(data: bytes) -> Element:
    """One XML part, parsed safely (defusedxml raises on entities and DTDs)."""
    return SafeTree.fromstring(data)


def table_extents(
    archive: zipfile.ZipFile, sheet_parts: dict[str, str]
) -> dict[str, tuple[TableExtent, ...]]:
    """Sheet name → its Excel Tables, with their header and totals row counts."""
    names = set(archive.namelist())
    found: dict[str, tuple[TableExtent, ...]] = {}
    for sheet, part in sheet_parts.items():
        path = PurePosixPath(part)
        rels = str(path.parent / "_rels" / f"{path.name}.rels")
        if rels not in names:
            continue
        tables = []
        for rel in parse_xml(archive.read(rels)).iter(f"{_NS_PKG_REL}Relationship"):
            if not rel.get("Type", "").endswith(_TABLE_REL) or rel.get("TargetMode") == "External":
                continue
            target = _resolve(path.parent, rel.get("Target", ""))
            if target in names:
                extent = _extent(parse_xml(archive.read(target)))
                if extent is not None:
                    tables.append(extent)
        if tables:
            found[sheet] = tuple(tables)
    return found


def percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles (`cellXfs`) whose number format shows a percentage."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    root = parse_xml(archive.read("xl/styles.xml"))
    percent_ids = set(_BUILTIN_PERCENT)
    for fmt in root.iter(f"{_NS_MAIN}numFmt"):
        number = _int(fmt.get("numFmtId"))
        if number is not None and is_percent_format(fmt.get("formatCode", "")):
            percent_ids.add(number)
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(
        i for i, xf in enumerate(xfs.iter(f"{_NS_MAIN}xf"))
        if _int(xf.get("numFmtId")) in percent_ids
    )


def percent_cells(sheet_xml: bytes, styles: frozenset[int]) -> frozenset[tuple[int, int]]:
    """(row, col) of the cells of a worksheet part whose style is a percent format."""
    if not styles:
        return frozenset()
    cells = set()
    for tag in _CELL_TAG.finditer(sheet_xml):
        style = _STYLE.search(tag.group())
        if style is None or int(style.group(1)) not in styles:
            continue
        ref = _REF.search(tag.group())
        if ref is not None:
            cells.add((int(ref.group(2)), _column_number(ref.group(1).decode("ascii"))))
    return frozenset(cells)


def _extent(root: Element) -> TableExtent | None:
    first, _, last = (root.get("ref") or "").partition(":")
    start, end = _cell(first), _cell(last or first)
    if start is None or end is None:
        return None
    return TableExtent(
        name=root.get("displayName") or root.get("name") or "",
        first_row=start[0],
        first_col=start[1],
        last_row=end[0],
        last_col=end[1],
        header_rows=_count(root.get("headerRowCount"), 1),
        totals_rows=_count(root.get("totalsRowCount"), 0),
    )


def _count(text: str | None, default: int) -> int:
    """A header/totals row count: 0 or 1 (Excel writes nothing else), default when absent."""
    number = _int(text)
    return default if number is None else min(max(number, 0), 1)


def _resolve(base: PurePosixPath, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (*base.parts, *PurePosixPath(target).parts):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _cell(ref: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref.strip())
    if match is None:
        return None
    return int(match.group(2)), _column_number(match.group(1).upper())


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
