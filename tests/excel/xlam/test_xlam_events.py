"""Application events: links to other copies of gestimum.xlam re-pointed when a workbook opens."""

from __future__ import annotations

import io
import re
import zipfile

import olefile
from oletools.olevba import decompress_stream

from addin.excel.xlam.vba import EVENTS_CLASS

CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'


def _lines(source: str) -> list[str]:
    return [line.strip() for line in source.replace("\r\n", "\n").split("\n")]


def _module_type(directory: bytes, name: str) -> int:
    """MODULETYPE record (0x0021 standard, 0x0022 document/class) of a module in the dir stream."""
    encoded = name.encode("cp1252")
    start = directory.index(b"\x19\x00" + len(encoded).to_bytes(4, "little") + encoded)
    end = directory.index(b"\x2b\x00\x00\x00\x00\x00", start)  # MODULE terminator
    kinds = [kind for kind in (0x21, 0x22)
             if bytes([kind]) + b"\x00\x00\x00\x00\x00" in directory[start:end]]
    assert len(kinds) == 1, kinds
    return kinds[0]


def test_events_module_is_stored_as_a_class_module(committed_bytes: bytes) -> None:
    data = zipfile.ZipFile(io.BytesIO(committed_bytes)).read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    try:
        project = ole.openstream("PROJECT").read().decode("cp1252")
        directory = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    finally:
        ole.close()
    assert f"Class={EVENTS_CLASS}\r\n" in project
    assert f"Module={EVENTS_CLASS}" not in project
    assert _module_type(directory, EVENTS_CLASS) == 0x22
    assert _module_type(directory, "RibbonGestimum") == 0x21
    assert _module_type(directory, "ThisWorkbook") == 0x22


def test_class_listens_to_the_application_and_repoints_links(vba: dict[str, str]) -> None:
    source = vba[EVENTS_CLASS]
    lines = _lines(source)
    assert CLASS_BASE in lines and "Attribute VB_PredeclaredId = False" in lines
    assert "Public WithEvents App As Application" in lines
    # The handler name is <variable>_<event>: VBA binds it by name.
    assert "Private Sub App_WorkbookOpen(ByVal Wb As Workbook)" in lines
    handler = lines[lines.index("Private Sub App_WorkbookOpen(ByVal Wb As Workbook)") + 1]
    assert handler == "Repoint Wb"
    assert "Const XL_EXCEL_LINKS As Long = 1  ' xlExcelLinks, also xlLinkTypeExcelLinks" in lines
    assert "links = Wb.LinkSources(XL_EXCEL_LINKS)" in lines
    assert ("Wb.ChangeLink Name:=CStr(links(i)), NewName:=ThisWorkbook.FullName, "
            "Type:=XL_EXCEL_LINKS") in lines


def test_only_other_copies_of_the_addin_are_repointed(vba: dict[str, str]) -> None:
    lines = _lines(vba[EVENTS_CLASS])
    test = lines.index("If IsOtherCopy(CStr(links(i))) Then")
    assert lines[test + 1].startswith("Wb.ChangeLink")
    function = "\n".join(lines[lines.index(
        "Private Function IsOtherCopy(ByVal source As String) As Boolean"):])
    # Same file name (any folder, any case), but not this very add-in.
    assert 'InStrRev(Replace(source, "/", "\\"), "\\")' in function
    assert 'StrComp(fileName, "gestimum.xlam", vbTextCompare) = 0' in function
    assert "StrComp(source, ThisWorkbook.FullName, vbTextCompare) <> 0" in function


def test_repointing_can_never_break_the_opening_of_a_workbook(vba: dict[str, str]) -> None:
    lines = _lines(vba[EVENTS_CLASS])
    body = lines[lines.index("Public Sub Repoint(ByVal Wb As Workbook)"):]
    body = body[: body.index("End Sub") + 1]
    trap = body.index("On Error GoTo Done  ' opening a workbook must never fail because of this")
    assert trap < body.index("links = Wb.LinkSources(XL_EXCEL_LINKS)")
    assert body.index("On Error Resume Next") < body.index("For i = LBound(links) To UBound(links)")
    assert body[-2:] == ["Done:", "End Sub"]
    assert "If Wb Is ThisWorkbook Then Exit Sub" in body
    # A workbook only looked at does not ask to be saved because of this.
    assert body.index("wasSaved = Wb.Saved") < body.index("If wasSaved Then Wb.Saved = True")


def test_the_addin_hooks_the_events_when_it_opens(vba: dict[str, str]) -> None:
    lines = _lines(vba["ThisWorkbook"])
    assert f"Private appEvents As {EVENTS_CLASS}" in lines
    body = lines[lines.index("Private Sub Workbook_Open()"):]
    body = body[: body.index("End Sub") + 1]
    assert body.index("On Error Resume Next") < body.index(f"Set appEvents = New {EVENTS_CLASS}")
    hook = body.index("Set appEvents.App = Application")
    # Workbooks opened before the add-in (a double-clicked file starting Excel) are fixed too.
    loop = body.index("For Each wb In Application.Workbooks")
    assert hook < loop and body[loop + 1] == "appEvents.Repoint wb"


def test_event_code_declares_nothing(vba: dict[str, str]) -> None:
    for name in (EVENTS_CLASS, "ThisWorkbook"):
        assert not re.search(r"^\s*(Private\s+|Public\s+)?Declare\b", vba[name], re.M | re.I)
