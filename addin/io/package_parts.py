"""The package parts around the worksheets, read with defusedxml and edited minimally as bytes:
workbook.xml and its relationships, [Content_Types].xml, styles.xml and Table parts."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

from addin.core.errors import WorkbookError

__all__ = ["BookParts", "Styles", "add_sheet", "extend_table", "read_book", "table_parts"]

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = f"{NS_REL}/worksheet"
STYLES_TYPE = f"{NS_REL}/styles"
TABLE_TYPE = f"{NS_REL}/table"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"


@dataclass(slots=True)
class BookParts:
    """Where things are in the package: sheet name → worksheet part, the styles part."""

    worksheets: dict[str, str] = field(default_factory=dict)
    other_sheets: set[str] = field(default_factory=set)  # chart sheets, dialog sheets…
    styles: str | None = None
    date1904: bool = False


def part_path(base: str, target: str) -> str:
    """A relationship target resolved against the folder of the part that holds it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def read_book(workbook: bytes, rels: bytes) -> BookParts:
    """Parse workbook.xml and its relationships (defusedxml: no entity expansion)."""
    root = ElementTree.fromstring(workbook)
    if root.tag != f"{{{NS_MAIN}}}workbook":
        raise WorkbookError(
            "Classeur au format « Open XML strict » ou inconnu, que l'écriture des résultats ne "
            "prend pas en charge : enregistrez-le au format « Classeur Excel (.xlsx) » puis "
            "relancez. Rien n'a été envoyé."
        )
    targets: dict[str, tuple[str, str]] = {}
    book = BookParts()
    for rel in ElementTree.fromstring(rels).iter(f"{{{NS_PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = part_path(WORKBOOK_PART, rel.get("Target", ""))
        targets[rel.get("Id", "")] = (rel.get("Type", ""), target)
        if rel.get("Type") == STYLES_TYPE:
            book.styles = target
    for sheet in root.iter(f"{{{NS_MAIN}}}sheet"):
        kind, target = targets.get(sheet.get(f"{{{NS_REL}}}id", ""), ("", ""))
        name = sheet.get("name", "")
        if kind == WORKSHEET_TYPE:
            book.worksheets[name] = target
        else:
            book.other_sheets.add(name)
    props = root.find(f"{{{NS_MAIN}}}workbookPr")
    book.date1904 = props is not None and props.get("date1904", "0") in ("1", "true")
    return book


def prefix_of(xml: bytes, tag: bytes) -> bytes:
    found = re.search(rb"<(\w+:)?%s\b" % tag, xml)
    if found is None:
        raise WorkbookError(f"Partie du classeur incomplète : <{tag.decode()}> introuvable.")
    return found.group(1) or b""


def insert_before_close(xml: bytes, tag: bytes, element: bytes) -> bytes:
    prefix = prefix_of(xml, tag)
    close = b"</%s%s>" % (prefix, tag)
    at = xml.rfind(close)
    if at < 0:  # <sheets/> or <Relationships/> without children
        empty = re.search(rb"<%s%s\b([^>]*?)/>" % (re.escape(prefix), tag), xml)
        if empty is None:
            raise WorkbookError(f"Partie du classeur incomplète : </{tag.decode()}> introuvable.")
        return (xml[: empty.start()] + b"<%s%s%s>" % (prefix, tag, empty.group(1)) + element
                + close + xml[empty.end() :])
    return xml[:at] + element + xml[at:]


def add_sheet(
    workbook: bytes, rels: bytes, types: bytes, name: str, part: str
) -> tuple[bytes, bytes, bytes]:
    """A new worksheet appended to the workbook: its <sheet>, relationship and content type."""
    ids = {int(n) for n in re.findall(rb"""\bsheetId=["'](\d+)""", workbook)}
    rel_ids = set(re.findall(rb"""\bId=["']([^"']+)""", rels))
    n = 1
    while b"rId%d" % n in rel_ids:
        n += 1
    rel_id = f"rId{n}"
    prefix = prefix_of(workbook, b"sheets").decode()
    r_prefix = re.search(rb'xmlns:(\w+)="%s"' % NS_REL.encode(), workbook)
    r_attr = f"{r_prefix.group(1).decode()}:id" if r_prefix else "r:id"
    declare = "" if r_prefix else f' xmlns:r="{NS_REL}"'
    sheet = (f"<{prefix}sheet name={quoteattr(name)} sheetId=\"{max(ids, default=0) + 1}\" "
             f'{r_attr}="{rel_id}"{declare}/>').encode()
    target = posixpath.relpath(part, "xl")
    relation = (f'<Relationship Id="{rel_id}" Type="{WORKSHEET_TYPE}" '
                f'Target="{target}"/>').encode()
    override = f'<Override PartName="/{part}" ContentType="{WORKSHEET_CT}"/>'.encode()
    return (
        insert_before_close(workbook, b"sheets", sheet),
        insert_before_close(rels, b"Relationships", relation),
        insert_before_close(types, b"Types", override),
    )


def add_styles_part(rels: bytes, types: bytes, part: str) -> tuple[bytes, bytes]:
    """Relationship and content type of a styles part created for a workbook that had none."""
    rel_ids = set(re.findall(rb"""\bId=["']([^"']+)""", rels))
    n = 1
    while b"rId%d" % n in rel_ids:
        n += 1
    relation = (f'<Relationship Id="rId{n}" Type="{STYLES_TYPE}" '
                f'Target="{posixpath.relpath(part, "xl")}"/>').encode()
    override = f'<Override PartName="/{part}" ContentType="{STYLES_CT}"/>'.encode()
    return (
        insert_before_close(rels, b"Relationships", relation),
        insert_before_close(types, b"Types", override),
    )


def table_parts(sheet_part: str, sheet_rels: bytes | None) -> list[str]:
    """The Table parts a worksheet's relationships point to."""
    if sheet_rels is None:
        return []
    return [
        part_path(sheet_part, rel.get("Target", ""))
        for rel in ElementTree.fromstring(sheet_rels).iter(f"{{{NS_PKG_REL}}}Relationship")
        if rel.get("Type") == TABLE_TYPE
    ]


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")


def _col(letters: str) -> int:
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - 64
    return value


def extend_table(xml: bytes, header_row: int, col: int, name: str) -> bytes | None:
    """The Table grown by one column when it ends just left of `col` on `header_row`."""
    from addin.core.issues import column_letter

    root = ElementTree.fromstring(xml)
    found = _REF.match(root.get("ref", ""))
    if found is None or int(found.group(2)) != header_row or _col(found.group(3)) != col - 1:
        return None
    if root.get("headerRowCount", "1") == "0":
        return None
    old = f"{found.group(1)}{found.group(2)}:{found.group(3)}{found.group(4)}".encode()
    new = f"{found.group(1)}{found.group(2)}:{column_letter(col)}{found.group(4)}".encode()
    xml = re.sub(rb"""(\sref=["'])\$?%s(["'])""" % re.escape(old).replace(b":", b":\\$?"),
                 lambda m: m.group(1) + new + m.group(2), xml)
    ids = [int(i) for i in re.findall(rb"""<(?:\w+:)?tableColumn\b[^>]*?\sid=["'](\d+)""", xml)]
    prefix = prefix_of(xml, b"tableColumns")
    column = b'<%stableColumn id="%d" name=%s/>' % (
        prefix, max(ids, default=0) + 1, quoteattr(name).encode("utf-8"))
    xml = insert_before_close(xml, b"tableColumns", column)
    return re.sub(rb"""(<(?:\w+:)?tableColumns\b[^>]*?\scount=["'])(\d+)""",
                  lambda m: m.group(1) + b"%d" % (len(ids) + 1), xml, count=1)


# styleSheet children in schema order (ECMA-376 CT_Stylesheet).
_STYLE_ORDER = (b"numFmts", b"fonts", b"fills", b"borders", b"cellStyleXfs", b"cellXfs",
                b"cellStyles", b"dxfs", b"tableStyles", b"colors", b"extLst")
_ITEM = {b"numFmts": b"numFmt", b"fonts": b"font", b"cellXfs": b"xf", b"dxfs": b"dxf"}

MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    b'<patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    b'</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    b'xfId="0"/></cellXfs></styleSheet>'
)


class Styles:
    """styles.xml with the few formats the writer needs added once (found again next time)."""

    def __init__(self, xml: bytes) -> None:
        ElementTree.fromstring(xml)  # refuse a malformed part before anything is sent
        self.xml = xml
        self.prefix = prefix_of(xml, b"styleSheet")
        self.changed = False

    def _section(self, name: bytes) -> re.Match[bytes] | None:
        p = re.escape(self.prefix)
        return re.search(rb"<%s%s\b[^>]*?(?:/>|>.*?</%s%s>)" % (p, name, p, name), self.xml,
                         re.DOTALL)

    def _items(self, section: bytes, item: bytes) -> list[re.Match[bytes]]:
        found = self._section(section)
        if found is None:
            return []
        p = re.escape(self.prefix)
        pattern = rb"<%s%s\b[^>]*?(?:/>|>.*?</%s%s>)" % (p, item, p, item)
        return list(re.finditer(pattern, found.group(), re.DOTALL))

    def add(self, section: bytes, element: bytes) -> int:
        """Index of `element` in `section`, appended (and the count kept right) if missing."""
        item = _ITEM[section]
        element = element.replace(b"<", b"<" + self.prefix).replace(b"<" + self.prefix + b"/",
                                                                     b"</" + self.prefix)
        items = self._items(section, item)
        for index, match in enumerate(items):
            if match.group() == element:
                return index
        self.changed = True
        p = self.prefix
        found = self._section(section)
        if found is None:
            block = b'<%s%s count="1">%s</%s%s>' % (p, section, element, p, section)
            later = _STYLE_ORDER[_STYLE_ORDER.index(section) + 1 :]
            at = next((m.start() for n in later if (m := self._section(n))), None)
            if at is None:
                at = self.xml.rfind(b"</%sstyleSheet>" % p)
            self.xml = self.xml[:at] + block + self.xml[at:]
            return 0
        whole = found.group()
        if whole.endswith(b"/>"):
            opening = whole[:-2].rstrip() + b">"
            whole = opening + b"</%s%s>" % (p, section)
        close = whole.rfind(b"</")
        whole = whole[:close] + element + whole[close:]
        counted = re.sub(rb"""(\scount=["'])\d+""", lambda m: m.group(1) + b"%d" % (len(items) + 1),
                         whole, count=1)
        self.xml = self.xml[: found.start()] + counted + self.xml[found.end() :]
        return len(items)

    def number_format(self, code: str) -> int:
        """Id of a custom number format (164 and up are the workbook's own)."""
        for match in self._items(b"numFmts", b"numFmt"):
            if re.search(rb"""formatCode=["']%s["']""" % re.escape(code.encode()), match.group()):
                return int(re.search(rb"""numFmtId=["'](\d+)""", match.group()).group(1))
        section = self._section(b"numFmts")
        ids = [int(i) for i in re.findall(rb"""numFmtId=["'](\d+)""", section.group())] if (
            section is not None) else []
        new_id = max([163, *ids]) + 1
        self.add(b"numFmts", b'<numFmt numFmtId="%d" formatCode=%s/>' % (
            new_id, quoteattr(code).encode()))
        return new_id

    def cell_style(self, *, number_format: int = 0, font: int = 0, extra: bytes = b"") -> int:
        """Index of a cell format (`cellXfs`) built on the defaults, added when missing."""
        return self.add(b"cellXfs", b'<xf numFmtId="%d" fontId="%d" fillId="0" borderId="0" '
                        b'xfId="0"%s/>' % (number_format, font, extra))

    def bold_font(self) -> int:
        return self.add(b"fonts", b'<font><b/><sz val="11"/></font>')

    def fill_dxf(self, rgb: str) -> int:
        colour = f"FF{rgb.upper()}".encode()
        return self.add(b"dxfs", b'<dxf><fill><patternFill patternType="solid"><fgColor rgb="%s"/>'
                        b'<bgColor rgb="%s"/></patternFill></fill></dxf>' % (colour, colour))
