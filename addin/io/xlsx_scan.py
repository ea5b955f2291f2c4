"""Byte-level scans of a worksheet's XML for what fast value readers do not report: formulas
without a cached value, error cells, hidden rows, stray far cells; the sheet-name → XML-part
map and each sheet's Tables. Every scan is linear in the size of the part."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import PurePosixPath

from defusedxml import ElementTree

__all__ = ["far_cells", "hidden_rows", "scan_sheet", "sheet_parts", "table_names"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\bt=[\"']e[\"'][^>]*>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_HIDDEN_VALUE = re.compile(rb"""hidden=(?:"(?:1|true)"|'(?:1|true)')""")  # literal start: fast
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_NUMBER = re.compile(rb"""\sr=["'](\d+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_REF = re.compile(rb"\br=[\"']([A-Z]{1,3})(\d+)[\"']")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>]")
_TAG_LOOKBACK = 4096


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


def _prefix(xml: bytes) -> bytes:
    """The namespace prefix of the worksheet's elements (b"" for the usual default namespace)."""
    found = _ROOT.search(xml, 0, 8192)
    return (found.group(1) or b"") if found else b""


def _literal_hits(xml: bytes, needles: tuple[bytes, ...]) -> list[int]:
    """Positions of literal byte strings: C-speed searching, Python only per hit."""
    hits: list[int] = []
    for needle in needles:
        pos = xml.find(needle)
        while pos >= 0:
            hits.append(pos)
            pos = xml.find(needle, pos + 1)
    return sorted(hits)


def scan_sheet(xml: bytes) -> tuple[list[tuple[int, int]], dict[tuple[int, int], str]]:
    """Formula cells without a cached value and error cells (`#N/A`…) of a worksheet part.

    Linear: literal searches for `<f` and `t="e"`, then a bounded look at each hit (searching
    back for "<c " from the start of the part made every formula cost the whole sheet)."""
    prefix = _prefix(xml)
    formulas: list[tuple[int, int]] = []
    # One C-level pass skips the usual formula, followed by its cached value; the others are
    # looked at one by one.
    for hit in _formula_not_followed_by_value(prefix).finditer(xml):
        at = hit.start()
        after = at + 2 + len(prefix)
        start = xml.rfind(b"<", max(0, at - _TAG_LOOKBACK), at)
        if start < 0 or not _CELL_START.match(xml, start):
            continue
        end = _CELL_END.search(xml, after)
        if end is None:
            continue
        if _VALUE.search(xml, after, end.start()) is None and (ref := _cell_ref(xml, start)):
            formulas.append(ref)
    errors: dict[tuple[int, int], str] = {}
    for at in _literal_hits(xml, (b' t="e"', b" t='e'")):
        start = xml.rfind(b"<", max(0, at - _TAG_LOOKBACK), at)
        match = _ERROR_CELL.match(xml, start) if start >= 0 else None
        if match is None or match.group().endswith(b"/>"):  # no value: nothing to show
            continue
        end = _CELL_END.search(xml, match.end())
        value = _VALUE.search(xml, match.end(), end.start()) if end else None
        if value is not None and (ref := _cell_ref(xml, match.start())):
            errors[ref] = value.group(1).decode("utf-8", "replace")
    return formulas, errors


_FORMULAS: dict[bytes, re.Pattern[bytes]] = {}


def _formula_not_followed_by_value(prefix: bytes) -> re.Pattern[bytes]:
    """`<f …/>` or `<f …>text</f>` not directly followed by `<v>` (formula text holds no `<`)."""
    if prefix not in _FORMULAS:
        p = re.escape(prefix)
        _FORMULAS[prefix] = re.compile(
            rb"<%sf(?:\s[^>]*)?(?:/>|>[^<]*</%sf>)(?!<%sv>)" % (p, p, p))
    return _FORMULAS[prefix]


def hidden_rows(xml: bytes) -> frozenset[int]:
    """Rows marked hidden in a worksheet part (hidden by hand or filtered out)."""
    rows = set()
    # One pass (LibreOffice writes hidden="false" on every row): the rare hits are checked.
    for hit in _HIDDEN_VALUE.finditer(xml):
        at = hit.start()
        start = xml.rfind(b"<", max(0, at - _TAG_LOOKBACK), at)
        match = _HIDDEN_ROW.match(xml, start) if start >= 0 else None
        number = _ROW_NUMBER.search(match.group()) if match else None
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


MAX_ROW = 1_048_576
MIN_AREA = 2_000_000  # cells a sheet may always span (≈ 100 MB once loaded densely)
_ANY_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_LAST_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=[\"'](\d+)[\"']")


def far_cells(xml: bytes) -> tuple[list[str], int] | None:
    """The cells holding a value that would make a dense read of the sheet far bigger than its
    data (a stray value at XFD1048576 asks for 17 billion cells), with that read's size; None
    when the sheet is safe to load. Linear, and nearly free for ordinary sheets."""
    cells = xml.count(b"<c ") or xml.count(b":c ")
    limit = max(MIN_AREA, 4 * cells)
    last_row = 0
    at = max(xml.rfind(b"<row "), xml.rfind(b":row "))
    if at >= 0 and (found := _LAST_ROW.match(xml, xml.rfind(b"<", 0, at + 1))):
        last_row = int(found.group(1))
    col_bound = 26  # one letter
    if re.search(rb"r=[\"'][A-Z]{2}", xml):
        col_bound = 16_384 if re.search(rb"r=[\"'][A-Z]{3}", xml) else 702
    if last_row and last_row * col_bound <= limit:
        return None
    # Suspicious: measure what calamine will really load (cells holding something).
    rows = [(0, 0), (0, 0)]  # the two cells furthest down, furthest first
    cols = [(0, 0), (0, 0)]  # the two cells furthest right
    for match in _ANY_CELL.finditer(xml):
        if match.group(2):  # <c …/>: formatting only, calamine skips it
            continue
        ref = _REF.search(match.group(1))
        if ref is None:
            continue
        cell = (int(ref.group(2)), _column(ref.group(1)))
        if cell[0] > rows[1][0]:
            rows = [cell, rows[0]] if cell[0] > rows[0][0] else [rows[0], cell]
        if cell[1] > cols[1][1]:
            cols = [cell, cols[0]] if cell[1] > cols[0][1] else [cols[0], cell]
    area = rows[0][0] * cols[0][1]
    if area <= limit:
        return None
    # Name the cell(s) whose removal shrinks the read the most.
    without_row = max(rows[1][0], 1) * cols[0][1]
    without_col = rows[0][0] * max(cols[1][1], 1)
    names = {_name(*rows[0])} if without_row <= without_col else {_name(*cols[0])}
    if min(without_row, without_col) > limit:
        names |= {_name(*rows[0]), _name(*cols[0])}
    return sorted(names), area


def _column(letters: bytes) -> int:
    col = 0
    for char in letters:
        col = col * 26 + (char - 64)
    return col


def _name(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def table_names(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Names of the Excel Tables of a worksheet part, from its relationships (no cell loaded)."""
    folder, name = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{name}.rels"
    if rels_name not in archive.namelist():
        return []
    names = []
    for rel in ElementTree.fromstring(archive.read(rels_name)).iter(f"{_NS_PKG_REL}Relationship"):
        if not rel.get("Type", "").endswith("/table") or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        table = target.lstrip("/") if target.startswith("/") else str(
            PurePosixPath(folder, target))
        table = posixpath.normpath(table)
        if table in archive.namelist():
            root = ElementTree.fromstring(archive.read(table))
            names.append(root.get("displayName") or root.get("name") or "")
    return [n for n in names if n]
