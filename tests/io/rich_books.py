"""Workbooks holding what users' files hold: a chart, an image, a text box, a sparkline, custom
XML, data validations, conditional formats, defined names, a Table with a filter, formulas with
cached values, a VBA project; built by openpyxl, or re-saved by LibreOffice."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

XLAM_PATH = Path(__file__).resolve().parents[2] / "addin" / "data" / "gestimum.xlam"

ROWS = 6  # data rows, Excel rows 3..8
FIRST_DATA_ROW = 3
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
SPARKLINES = (
    f'<extLst><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{NS_X14}">'
    f'<x14:sparklineGroups xmlns:xm="{NS_XM}"><x14:sparklineGroup displayEmptyCellsAs="gap">'
    '<x14:colorSeries rgb="FF376092"/><x14:sparklines><x14:sparkline><xm:f>Clients!E3:E8</xm:f>'
    "<xm:sqref>G3</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup>"
    "</x14:sparklineGroups></ext></extLst>"
).encode()
CUSTOM_XML = (b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<dossier xmlns="urn:client">Migration 2026</dossier>')
PICTURE_ANCHOR = (
    '<xdr:oneCellAnchor><xdr:from><xdr:col>10</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1'
    "</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx=\"952500\" cy=\"952500\"/>"
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="10" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr>'
    '<xdr:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships" r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
    "<xdr:clientData/></xdr:oneCellAnchor>"
    '<xdr:oneCellAnchor><xdr:from><xdr:col>10</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>12'
    "</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx=\"1905000\" cy=\"476250\"/>"
    '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="11" name="Note"/>'
    '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect"><a:avLst/>'
    "</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>Relu par la "
    "comptabilité</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:oneCellAnchor>"
)


def build_openpyxl(path: Path) -> Path:
    """The rich workbook as openpyxl writes it, plus what openpyxl cannot write (cached values,
    image, text box, sparkline, custom XML) added to the package directly."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["Code", "Compte", "Raison sociale", "Ville", "Montant", "Total"])
    ws.append(["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_VILLE", "#MONTANT", "#TOTAL"])
    for i in range(ROWS):
        r = FIRST_DATA_ROW + i
        ws.append([f"C{i:03d}", f'="411"&A{r}', f"Société {i}", "Paris", 100 + i, f"=E{r}*2"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    last = FIRST_DATA_ROW + ROWS - 1
    ws.add_table(Table(displayName="Clients", ref=f"A2:F{last}"))
    dv = DataValidation(type="list", formula1='"Paris,Lyon,Lille"')
    dv.add(f"D3:D{last}")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add(
        f"E3:E{last}", CellIsRule(operator="greaterThan", formula=["102"],
                                  fill=PatternFill("solid", fgColor="FFC7CE")))
    wb.defined_names["Montants"] = DefinedName("Montants", attr_text=f"Clients!$E$3:$E${last}")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=5, min_row=2, max_row=last), titles_from_data=True)
    ws.add_chart(chart, "K5")
    notes = wb.create_sheet("Notes")
    notes.append(["Ce classeur sert aux tests."])
    wb.save(path)
    parts = _members(path)
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet]
    for i in range(ROWS):  # cached values, as Excel would have saved them
        r = FIRST_DATA_ROW + i
        xml = xml.replace(b'<f>"411"&amp;A%d</f><v />' % r,
                          b'<f>"411"&amp;A%d</f><v>411C%03d</v>' % (r, i))
        xml = xml.replace(b"<f>E%d*2</f><v />" % r, b"<f>E%d*2</f><v>%d</v>" % (r, 2 * (100 + i)))
        xml = xml.replace(b'<c r="B%d"><f>' % r, b'<c r="B%d" t="str"><f>' % r)
    assert b"<v />" not in xml, "openpyxl changed how it writes formulas"
    parts[sheet] = _with_sparkline(xml)
    _add_picture_and_text_box(parts)
    _add_custom_xml(parts)
    _write(path, parts)
    return path


def build_libreoffice(path: Path, work: Path) -> Path:
    """The rich workbook opened and saved by LibreOffice (it recomputes the formulas), plus
    custom XML (LibreOffice keeps none)."""
    source = build_openpyxl(work / "source.xlsx")
    profile = work / "lo-profile"
    out = work / "lo"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    parts = _members(out / "source.xlsx")
    _add_custom_xml(parts)
    _write(path, parts)
    return path


def with_vba(xlsx: Path, xlsm: Path) -> Path:
    """The workbook as an .xlsm holding a VBA project (the add-in's own, a real one)."""
    parts = _members(xlsx)
    with zipfile.ZipFile(XLAM_PATH) as xlam:
        parts["xl/vbaProject.bin"] = xlam.read("xl/vbaProject.bin")
    types = parts["[Content_Types].xml"]
    types = re.sub(rb'(PartName="/xl/workbook.xml" ContentType=")[^"]*"',
                   rb'\1application/vnd.ms-excel.sheet.macroEnabled.main+xml"', types)
    types = types.replace(b"</Types>", b'<Default Extension="bin" '
                          b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    parts["[Content_Types].xml"] = types
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
        b'vbaProject" Target="vbaProject.bin"/></Relationships>')
    _write(xlsm, parts)
    return xlsm


def has_libreoffice() -> bool:
    return shutil.which("soffice") is not None


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _with_sparkline(xml: bytes) -> bytes:
    root = re.search(rb"<worksheet\b[^>]*>", xml)
    assert root is not None
    return xml.replace(b"</worksheet>", SPARKLINES + b"</worksheet>")


def _add_picture_and_text_box(parts: dict[str, bytes]) -> None:
    drawing = "xl/drawings/drawing1.xml"
    xdr = b'<xdr:oneCellAnchor xmlns:xdr="%s"' % NS_XDR.encode()
    anchors = PICTURE_ANCHOR.encode().replace(b"<xdr:oneCellAnchor", xdr)
    parts[drawing] = re.sub(rb"(</(?:xdr:)?wsDr>)", lambda m: anchors + m.group(1), parts[drawing])
    assert b"Logo" in parts[drawing]
    rels = "xl/drawings/_rels/drawing1.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdLogo" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="../media/logo.png"/></Relationships>')
    parts["xl/media/logo.png"] = PNG
    types = parts["[Content_Types].xml"]
    if b'Extension="png"' not in types:
        parts["[Content_Types].xml"] = types.replace(
            b"</Types>", b'<Default Extension="png" ContentType="image/png"/></Types>')


def _add_custom_xml(parts: dict[str, bytes]) -> None:
    parts["customXml/item1.xml"] = CUSTOM_XML
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/customXml" Target="../customXml/item1.xml"/></Relationships>')
