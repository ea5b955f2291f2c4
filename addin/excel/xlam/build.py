"""Assemble ``gestimum.xlam`` (Open XML add-in: ribbon XML, VBA project, settings sheet).

Deterministic: fixed part order, fixed timestamps, stored (uncompressed) zip members so that the
bytes do not depend on the zlib build, and a reproducible vbaProject.bin (see ``ovba``).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

from addin.excel.xlam.ribbon import (
    ADDIN_FILENAME,
    BUTTONS,
    GROUPS,
    RIBBON_CALLBACK,
    RIBBON_MODULE,
    TAB_ID,
    TAB_LABEL,
)
from addin.excel.xlam.settings import SHEET_NAME, SHEET_SETTINGS
from addin.excel.xlam.stamp import (
    CUSTOM_CONTENT_TYPE,
    CUSTOM_PART,
    CUSTOM_REL,
    custom_xml,
    stamp,
)
from addin.excel.xlam.vba import SETTINGS_SHEET_CODENAME, WORKBOOK_CODENAME

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOMUI_PART = "customUI/customUI.xml"
# The relationship type that matches the 2006/01 customUI namespace (every Excel since 2007).
CUSTOMUI_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
VBA_PROJECT_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC_REL = _REL_NS + "/officeDocument"
_WORKSHEET_REL = _REL_NS + "/worksheet"
_STYLES_REL = _REL_NS + "/styles"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# 1980-01-01 is the earliest date a zip entry can hold.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def default_output() -> Path:
    """Where the committed add-in lives: ``addin/data/gestimum.xlam``."""
    return Path(str(resources.files("addin").joinpath("data", ADDIN_FILENAME)))


def _xml(element: ET.Element) -> bytes:
    ET.indent(element, space="  ")
    return (_XML_DECLARATION + ET.tostring(element, encoding="unicode") + "\n").encode("utf-8")


def customui_xml() -> bytes:
    """The ribbon: one Gestimum tab, its groups and buttons, all wired to the one callback."""
    ET.register_namespace("", CUSTOMUI_NS)
    q = "{" + CUSTOMUI_NS + "}"
    root = ET.Element(q + "customUI")
    tabs = ET.SubElement(ET.SubElement(root, q + "ribbon"), q + "tabs")
    tab = ET.SubElement(tabs, q + "tab", id=TAB_ID, label=TAB_LABEL)
    for group in GROUPS:
        group_el = ET.SubElement(tab, q + "group", id=group.id, label=group.label)
        for button in (b for b in BUTTONS if b.group == group.id):
            ET.SubElement(
                group_el,
                q + "button",
                {
                    "id": button.id,
                    "label": button.label,
                    "size": button.size,
                    "imageMso": button.image_mso,
                    "screentip": button.screentip,
                    "supertip": button.supertip,
                    "tag": button.tag,
                    "onAction": f"{RIBBON_MODULE}.{RIBBON_CALLBACK}",
                },
            )
    return _xml(root)


def _plain(tag: str, attrs: dict[str, str] | None = None, ns: str = _MAIN_NS) -> ET.Element:
    return ET.Element("{" + ns + "}" + tag, attrs or {})


def _relationships(rels: list[tuple[str, str, str]]) -> bytes:
    ET.register_namespace("", _PKG_REL_NS)
    root = _plain("Relationships", ns=_PKG_REL_NS)
    for rel_id, rel_type, target in rels:
        ET.SubElement(
            root,
            "{" + _PKG_REL_NS + "}Relationship",
            {"Id": rel_id, "Type": rel_type, "Target": target},
        )
    return _xml(root)


def content_types_xml() -> bytes:
    """``[Content_Types].xml``: an add-in workbook with a VBA project."""
    ns = "http://schemas.openxmlformats.org/package/2006/content-types"
    ET.register_namespace("", ns)
    root = _plain("Types", ns=ns)
    defaults = (
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("xml", "application/xml"),
        ("bin", VBA_CONTENT_TYPE),
    )
    for extension, content_type in defaults:
        ET.SubElement(
            root, "{" + ns + "}Default", {"Extension": extension, "ContentType": content_type}
        )
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    overrides = (
        ("/xl/workbook.xml", ADDIN_CONTENT_TYPE),
        ("/xl/worksheets/sheet1.xml", sml + "worksheet+xml"),
        ("/xl/styles.xml", sml + "styles+xml"),
        ("/" + CUSTOM_PART, CUSTOM_CONTENT_TYPE),
    )
    for part, content_type in overrides:
        ET.SubElement(root, "{" + ns + "}Override", {"PartName": part, "ContentType": content_type})
    return _xml(root)


def workbook_xml() -> bytes:
    """The workbook: code name ThisWorkbook, one settings sheet."""
    ET.register_namespace("", _MAIN_NS)
    ET.register_namespace("r", _REL_NS)
    root = _plain("workbook")
    m = "{" + _MAIN_NS + "}"
    ET.SubElement(root, m + "workbookPr", codeName=WORKBOOK_CODENAME)
    ET.SubElement(ET.SubElement(root, m + "bookViews"), m + "workbookView")
    sheets = ET.SubElement(root, m + "sheets")
    ET.SubElement(
        sheets, m + "sheet", {"name": SHEET_NAME, "sheetId": "1", "{" + _REL_NS + "}id": "rId1"}
    )
    return _xml(root)


def settings_sheet_xml() -> bytes:
    """The ``gestimum.conf`` sheet: keys in column A from A1 without gaps, values in column B."""
    ET.register_namespace("", _MAIN_NS)
    m = "{" + _MAIN_NS + "}"
    root = _plain("worksheet")
    ET.SubElement(root, m + "sheetPr", codeName=SETTINGS_SHEET_CODENAME)
    ET.SubElement(root, m + "dimension", ref=f"A1:B{len(SHEET_SETTINGS)}")
    cols = ET.SubElement(root, m + "cols")
    ET.SubElement(cols, m + "col", min="1", max="1", width="32", customWidth="1")
    ET.SubElement(cols, m + "col", min="2", max="2", width="24", customWidth="1")
    data = ET.SubElement(root, m + "sheetData")
    for row_number, (key, value) in enumerate(SHEET_SETTINGS, start=1):
        row = ET.SubElement(data, m + "row", r=str(row_number))
        for column, cell_value in (("A", key), ("B", value)):
            ref = f"{column}{row_number}"
            if isinstance(cell_value, bool):
                # A real boolean cell, as in xlwings' own settings sheets.
                cell = ET.SubElement(row, m + "c", r=ref, t="b")
                ET.SubElement(cell, m + "v").text = "1" if cell_value else "0"
            else:
                cell = ET.SubElement(row, m + "c", r=ref, t="inlineStr")
                ET.SubElement(ET.SubElement(cell, m + "is"), m + "t").text = cell_value
    return _xml(root)


def styles_xml() -> bytes:
    """The smallest style sheet Excel accepts (one font, the two mandatory fills, one border)."""
    ET.register_namespace("", _MAIN_NS)
    m = "{" + _MAIN_NS + "}"
    root = _plain("styleSheet")
    fonts = ET.SubElement(root, m + "fonts", count="1")
    font = ET.SubElement(fonts, m + "font")
    ET.SubElement(font, m + "sz", val="11")
    ET.SubElement(font, m + "name", val="Calibri")
    fills = ET.SubElement(root, m + "fills", count="2")
    for pattern in ("none", "gray125"):
        ET.SubElement(ET.SubElement(fills, m + "fill"), m + "patternFill", patternType=pattern)
    borders = ET.SubElement(root, m + "borders", count="1")
    border = ET.SubElement(borders, m + "border")
    for side in ("left", "right", "top", "bottom", "diagonal"):
        ET.SubElement(border, m + side)
    xf = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"}
    ET.SubElement(ET.SubElement(root, m + "cellStyleXfs", count="1"), m + "xf", xf)
    ET.SubElement(ET.SubElement(root, m + "cellXfs", count="1"), m + "xf", {**xf, "xfId": "0"})
    styles = ET.SubElement(root, m + "cellStyles", count="1")
    ET.SubElement(styles, m + "cellStyle", name="Normal", xfId="0", builtinId="0")
    return _xml(root)


def xlam_parts() -> list[tuple[str, bytes]]:
    """Every part of the add-in, in the order they are written."""
    from addin.excel.xlam.ovba import build_vba_project
    from addin.excel.xlam.vba import vba_modules

    return [
        ("[Content_Types].xml", content_types_xml()),
        (
            "_rels/.rels",
            _relationships(
                [
                    ("rId1", _OFFICE_DOC_REL, "xl/workbook.xml"),
                    ("rId2", CUSTOMUI_REL, CUSTOMUI_PART),
                    ("rId3", CUSTOM_REL, CUSTOM_PART),
                ]
            ),
        ),
        (CUSTOMUI_PART, customui_xml()),
        ("xl/workbook.xml", workbook_xml()),
        (
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    ("rId1", _WORKSHEET_REL, "worksheets/sheet1.xml"),
                    ("rId2", _STYLES_REL, "styles.xml"),
                    ("rId3", VBA_PROJECT_REL, "vbaProject.bin"),
                ]
            ),
        ),
        ("xl/worksheets/sheet1.xml", settings_sheet_xml()),
        ("xl/styles.xml", styles_xml()),
        ("xl/vbaProject.bin", build_vba_project(vba_modules())),
        (CUSTOM_PART, custom_xml(stamp())),
    ]


def xlam_bytes() -> bytes:
    """The complete add-in file as bytes (same input, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in xlam_parts():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            # ZipInfo defaults depend on the OS that builds; pin them.
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, data)
    return buffer.getvalue()


def build_xlam(output: Path | None = None) -> Path:
    """Build the add-in and write it to ``output`` (default ``addin/data/gestimum.xlam``)."""
    target = Path(output) if output is not None else default_output()
    data = xlam_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(target)
    return target
