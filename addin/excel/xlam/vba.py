"""VBA modules of the add-in: the pinned xlwings runtime, the ribbon dispatcher, the UDF wrappers.

Sources are produced as text here and stored by ``ovba`` as cp1252 with CRLF line ends, the
way the VBA editor keeps them.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.resources
import inspect
import io
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass

from addin.excel.xlam.ribbon import (
    ADDIN_FILENAME,
    MACROS_MODULE,
    PROJECT_NAME,
    RIBBON_CALLBACK,
    RIBBON_MODULE,
    UDF_MODULE,
    UDFS,
    Udf,
)

# The version whose VBA module (and DLL name inside it) the add-in embeds; pyproject pins it too.
XLWINGS_VERSION = "0.37.8"
XLWINGS_MODULE = "xlwings"
UDF_VBA_MODULE = "xlwings_udfs"
EVENTS_CLASS = "GestimumEvents"
SETTINGS_SHEET_CODENAME = "Sheet1"
WORKBOOK_CODENAME = "ThisWorkbook"
UDF_CATEGORY = "Gestimum"

# Excel's type GUIDs of a workbook and a worksheet document module (VB_Base attribute).
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"  # a class module

_CODEPAGE = "cp1252"
# Handed to xlwings as XLWINGS_LICENSE_KEY when no trusted key is set: xlwings rejects it, and
# never goes on to read a key from the caller workbook's xlwings.conf sheet.
NO_LICENSE_KEY = "gestimum-sans-licence"


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, its full source text and its kind.

    ``kind`` is ``"module"`` (standard), ``"document"`` (ThisWorkbook, a sheet) or ``"class"``.
    """

    name: str
    source: str
    kind: str = "module"

    @property
    def document(self) -> bool:
        """A document module (its name must be a code name of the workbook or a sheet)."""
        return self.kind == "document"

    def source_bytes(self) -> bytes:
        """The source as VBA stores it: cp1252, CRLF (fails loudly on unstorable characters)."""
        text = self.source.replace("\r\n", "\n").replace("\n", "\r\n")
        return text.encode(_CODEPAGE)


def vba_string(text: str) -> str:
    """A VBA string literal (double quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class VbaPatch:
    """One change to xlwings' VBA module: why, the exact pinned text, and what replaces it."""

    why: str
    old: str
    new: str


def _vba_lines(*lines: str) -> str:
    """VBA source lines joined with line ends (each ends with one, as in the module)."""
    return "".join(line + "\n" for line in lines)


# The add-in's changes to xlwings_custom_addin.bas 0.37.8, applied in order at build time. Each
# ``old`` must occur exactly once in the pinned module, or the build stops: an xlwings upgrade
# that moves any of these lines has to be looked at, not silently shipped. The theme: settings
# and code come only from the add-in itself (its gestimum.conf sheet) and from the user's
# %USERPROFILE%\.gestimum\gestimum.conf, never from the active workbook or its folder, because
# templates travel between users and the add-in runs trusted (XLSTART) without a macro prompt.
XLWINGS_PATCHES: tuple[VbaPatch, ...] = (
    VbaPatch(
        "PROJECT_NAME names the settings sheet and the user settings file",
        'Public Const PROJECT_NAME As String = "myaddin"',
        f"Public Const PROJECT_NAME As String = {vba_string(PROJECT_NAME)}",
    ),
    VbaPatch(
        "GetConfig never reads a gestimum.conf sheet of the active workbook",
        _vba_lines(
            "            'Workbook Sheet Config",
            '            If SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf") = True Then',
            "                If GetConfigFromSheet(ActiveWorkbook).Exists(configKey) = True Then",
            "                    GetConfig = GetConfigFromSheet(ActiveWorkbook).Item(configKey)",
            "                    GetConfig = ExpandEnvironmentStrings(GetConfig)",
            "                    Exit Function",
            "                End If",
            "            End If",
            "    ",  # sic: xlwings' blank line holds four spaces
        ),
        _vba_lines(
            "            ' Gestimum: no \"Workbook Sheet Config\": a workbook must not choose the",
            "            ' interpreter, Python's path, conda, the licence or the UDF modules.",
            "",
        ),
    ),
    VbaPatch(
        "GetConfig never reads a gestimum.conf file next to the active workbook",
        _vba_lines(
            "    ' Directory Config",
            '    If source = "" Or source = "directory" Then',
            '        #If App = "Microsoft Excel" Then',
            '            If GetFullName(ActiveWorkbook) <> "" Then '
            "' Empty if local dir can't be figured out (e.g. SharePoint)",
            "        #Else",
            '            If InStr(GetDirectoryPath(), "://") = 0 Then '
            "' Other Office apps: skip for synced SharePoint/OneDrive files",
            "        #End If",
            "            If FileExists(GetDirectoryConfigFilePath()) = True Then",
            "                If GetConfigFromFile(GetDirectoryConfigFilePath(), configKey, "
            "configValue) Then",
            "                    GetConfig = configValue",
            "                    GetConfig = ExpandEnvironmentStrings(GetConfig)",
            "                    Exit Function",
            "                End If",
            "            End If",
            "        End If",
            "    End If",
        ),
        _vba_lines(
            "    ' Gestimum: no \"Directory Config\": a gestimum.conf file next to a workbook (a",
            "    ' shared folder, an unzipped download) must not choose settings either.",
        ),
    ),
    VbaPatch(
        "RunPython never looks for embedded code (sheets named *.py) in the workbook",
        _vba_lines(
            "    For i = 1 To 2",
            "        If i = 1 Then",
            "            Set wb = ActiveWorkbook",
            "        Else",
            "            Set wb = ThisWorkbook",
            "        End If",
            "        For Each sht In wb.Worksheets",
            '            If Right$(sht.Name, 3) = ".py" Then',
            "                uses_embedded_code = True",
            "                Exit For",
            "            End If",
            "        Next",
            "    Next i",
        ),
        _vba_lines(
            "    ' Gestimum: never scanned for: a workbook must not bring code to run, nor stop",
            '    \' the add-in with a licence message because one of its sheets ends in ".py".',
        ),
    ),
    VbaPatch(
        "RunPython passes no workbook path to Python: its folder never joins sys.path, and a "
        "path holding ; or ^& cannot reach sys.path or the part of the command line that "
        "cmd.exe reads unquoted",
        '        PYTHONPATH = AddExcelDir & ";" & ActiveFullName & ";" & ThisFullName & ";" & '
        'GetConfig("ONEDRIVE_CONSUMER_WIN")',
        "        ' Gestimum: no workbook paths (in ExecuteWindows this part of the command is\n"
        "        ' not quoted for cmd.exe, and prepare_sys_path splits it on \";\").\n"
        '        PYTHONPATH = AddExcelDir & ";" & "" & ";" & "" & ";" & '
        'GetConfig("ONEDRIVE_CONSUMER_WIN")',
    ),
    VbaPatch(
        "the UDF server gets no workbook path either",
        '        PYTHONPATH = AddExcelDir & ";" & ActiveWorkbook.FullName & ";" & '
        'ThisWorkbook.FullName & ";" & GetConfig("ONEDRIVE_CONSUMER_WIN")',
        "        ' Gestimum: no workbook paths, as in RunPython.\n"
        '        PYTHONPATH = AddExcelDir & ";" & "" & ";" & "" & ";" & '
        'GetConfig("ONEDRIVE_CONSUMER_WIN")',
    ),
    VbaPatch(
        "RunPython's Python gets its licence key from trusted settings only (xlwings would "
        "otherwise read LICENSE_KEY from the workbook's xlwings.conf sheet)",
        '        RunCommand = CondaCmd & PythonInterpreter & " -B -c ""import xlwings.utils;',
        "        ' Gestimum: XLWINGS_LICENSE_KEY set before xlwings is imported, from trusted\n"
        "        ' settings or a value xlwings rejects, so that it never reads one from the\n"
        "        ' workbook.\n"
        '        RunCommand = CondaCmd & PythonInterpreter & " -B -c ""import os;'
        "os.environ['XLWINGS_LICENSE_KEY']='\" & GetConfig(\"LICENSE_KEY\", "
        + vba_string(NO_LICENSE_KEY)
        + ') & "\';import xlwings.utils;',
    ),
    VbaPatch(
        "Python's error box in front of Excel (WScript.Popup has no owner window)",
        '            WScript.Popup Content, AUTO_DISMISS, "Error", OK_BUTTON_ERROR',
        "            ' Gestimum: MB_SETFOREGROUND + MB_TOPMOST, or the box may open behind Excel.\n"
        '            WScript.Popup Content, AUTO_DISMISS, "Gestimum : erreur Python", '
        "OK_BUTTON_ERROR + &H10000 + &H40000",
    ),
)


def patch_xlwings_module(source: str) -> str:
    """Apply ``XLWINGS_PATCHES`` to the text of xlwings_custom_addin.bas (LF line ends)."""
    for patch in XLWINGS_PATCHES:
        found = source.count(patch.old)
        if found != 1:
            raise RuntimeError(
                f"Le correctif « {patch.why} » ne s'applique plus au module VBA de xlwings "
                f"({found} occurrence(s) au lieu d'une) : revoyez XLWINGS_PATCHES."
            )
        source = source.replace(patch.old, patch.new)
    return source


def pinned_xlwings_module() -> str:
    """xlwings_custom_addin.bas of the installed xlwings, which must be the pinned version."""
    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:
        raise RuntimeError(
            f"xlwings {xlwings.__version__} installé, {XLWINGS_VERSION} attendu : le module VBA "
            "et la DLL doivent venir de la même version."
        )
    source = (
        importlib.resources.files("xlwings")
        .joinpath("xlwings_custom_addin.bas")
        .read_text(encoding="ascii")
    )
    if f"'Version: {XLWINGS_VERSION}" not in source:
        raise RuntimeError("xlwings_custom_addin.bas ne porte pas la version attendue")
    return source.replace("\r\n", "\n")


def xlwings_module_source() -> str:
    """xlwings' custom add-in module of the pinned xlwings, with ``XLWINGS_PATCHES`` applied."""
    return patch_xlwings_module(pinned_xlwings_module())


def _vba_text(text: str) -> str:
    """A VBA string expression for a French text; a line break becomes vbCrLf."""
    return " & vbCrLf & ".join(vba_string(line) for line in text.split("\n"))


def _msgbox(expression: str) -> str:
    """A VBA MsgBox titled Gestimum, brought to the front (Python may have held the focus)."""
    return f"MsgBox {expression}, vbExclamation + vbMsgBoxSetForeground, {vba_string('Gestimum')}"


_RUN_INSTALL = (
    "Lancez « gestimum-excel install-addin » dans l'environnement Python où gestimum-excel "
    "est installé, puis redémarrez Excel."
)


def ribbon_module_source() -> str:
    """The one ribbon callback: the button's tag names the ``addin.macros`` function to run.

    Around RunPython it keeps what Python cannot guarantee: Python switches Excel to manual
    calculation and hides screen updates during a run and restores them itself, but a killed or
    crashed interpreter restores nothing, so the dispatcher saves both before and puts them back
    after, on every path.
    """
    command = f"import {MACROS_MODULE}; {MACROS_MODULE}."
    lines = [
        f'Attribute VB_Name = "{RIBBON_MODULE}"',
        "' Generated by addin/excel/xlam (python -m addin.excel.xlam): do not edit by hand.",
        "' One callback for every button of the Gestimum tab: control.Tag is the name of the",
        f"' Python function of {MACROS_MODULE} to run (table: addin/excel/xlam/ribbon.py).",
        "Option Explicit",
        "",
        f"Public Sub {RIBBON_CALLBACK}(control As IRibbonControl)",
        "    Dim savedCalculation As Long",
        "    Dim savedScreenUpdating As Boolean",
        "    Dim failed As Boolean",
        "    ' RunPython reads ActiveWorkbook.FullName: without a workbook it fails obscurely.",
        "    If ActiveWorkbook Is Nothing Then",
        "        "
        + _msgbox(_vba_text("Ouvrez ou activez d'abord un classeur : les commandes Gestimum "
                            "travaillent sur le classeur actif.")),
        "        Exit Sub",
        "    End If",
        "    If Not PythonIsSet() Then Exit Sub",
        "    savedCalculation = Application.Calculation",
        "    savedScreenUpdating = Application.ScreenUpdating",
        "    On Error GoTo Interrupted",
        "    ' RunPython answers -1 when Python stopped with an error (xlwings showed it).",
        f"    failed = (RunPython({vba_string(command)} & control.Tag & {vba_string('()')}) = -1)",
        "Restore:",
        "    On Error Resume Next",
        "    If Application.Calculation <> savedCalculation Then "
        "Application.Calculation = savedCalculation",
        "    Application.ScreenUpdating = savedScreenUpdating",
        "    Application.StatusBar = False",
        "    On Error GoTo 0",
        "    If failed Then",
        "        " + _msgbox(_vba_text(
            "L'action Gestimum s'est arrêtée avant la fin. Le mode de calcul et l'affichage "
            "d'Excel ont été rétablis.\n"
            "Avant de relancer un import, consultez la feuille Résultats : les pièces et "
            "écritures déjà envoyées ne seront pas renvoyées."
        )),
        "    End If",
        "    Exit Sub",
        "Interrupted:",
        "    failed = True",
        "    Resume Restore",
        "End Sub",
        "",
        "Private Function PythonIsSet() As Boolean",
        "    ' The interpreter comes from the user settings file written by install-addin (the",
        "    ' patched GetConfig reads nothing from workbooks); say what to do in French rather",
        "    ' than xlwings' \"Could not find Interpreter!\".",
        "    Dim interpreter As String",
        '    interpreter = GetConfig("INTERPRETER_WIN", "")',
        '    If interpreter = "" Then',
        '        If GetConfig("CONDA PATH", "") <> "" And GetConfig("CONDA ENV", "") <> "" Then',
        "            PythonIsSet = True  ' conda: xlwings activates the environment",
        "        Else",
        "            "
        + _msgbox(_vba_text("Python n'est pas configuré pour Gestimum sur ce poste.\n"
                            + _RUN_INSTALL)),
        "        End If",
        "    ElseIf Not FileExists(interpreter) Then",
        "        "
        + _msgbox(vba_string("Python est introuvable : ") + " & interpreter & vbCrLf & "
                  + vba_string(_RUN_INSTALL)),
        "    Else",
        "        PythonIsSet = True",
        "    End If",
        "End Function",
    ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def xlwings_udfs_without_pywin32() -> Iterator[types.ModuleType]:
    """Import ``xlwings.udfs`` on a machine without pywin32, then forget that import again.

    Used by the build (wrapper generation) and by the tests that run the UDFs through the real
    xlwings decorators and converters.
    """
    stubs: dict[str, types.ModuleType] = {}
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        if name not in sys.modules:
            stubs[name] = types.ModuleType(name)
    if "win32com.client" in stubs:
        # Only referenced when Excel is driven; the wrapper generator never calls it.
        stubs["win32com.client"].Dispatch = None  # type: ignore[attr-defined]
    if "pythoncom" in stubs:
        # xlwings.udfs builds (but does not start) a thread pool with this initializer.
        stubs["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    if "pywintypes" in stubs:
        stubs["pywintypes"].com_error = Exception  # type: ignore[attr-defined]
    had_udfs = "xlwings.udfs" in sys.modules
    sys.modules.update(stubs)
    try:
        yield importlib.import_module("xlwings.udfs")
    finally:
        for name in stubs:
            sys.modules.pop(name, None)
        if not had_udfs:
            # Nobody else should get the stub-backed module.
            sys.modules.pop("xlwings.udfs", None)
            xlwings_pkg = sys.modules.get("xlwings")
            if xlwings_pkg is not None and "udfs" in vars(xlwings_pkg):
                delattr(xlwings_pkg, "udfs")


def _signature_carrier(udf: Udf) -> types.FunctionType:
    """A function with the UDF's name, docstring and positional arguments, for xlwings' xlfunc."""

    def carrier(*args: object) -> object:
        raise RuntimeError("signature carrier for VBA generation; never called")

    carrier.__name__ = carrier.__qualname__ = udf.name
    carrier.__doc__ = udf.description
    carrier.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(arg, inspect.Parameter.POSITIONAL_OR_KEYWORD) for arg in udf.args]
    )
    return carrier  # type: ignore[return-value]


class _AddinBook:
    """The one attribute of an Excel workbook that xlwings' wrapper generator reads."""

    Name = ADDIN_FILENAME


def udf_module_source(udfs: tuple[Udf, ...] = UDFS) -> str:
    """The ``xlwings_udfs`` module, generated by xlwings' own ``generate_vba_wrapper``."""
    with xlwings_udfs_without_pywin32() as xlwings_udfs:
        module = types.ModuleType(UDF_MODULE)
        for udf in udfs:
            function = xlwings_udfs.xlfunc(volatile=udf.volatile)(_signature_carrier(udf))
            setattr(module, udf.name, function)
        buffer = io.StringIO()
        # Same header as xlwings' import_udfs(), then the wrappers (ActiveWorkbook: .xlam).
        buffer.write(f'Attribute VB_Name = "{UDF_VBA_MODULE}"\n')
        buffer.write(
            "'Autogenerated code by xlwings - changes will be lost with next import!\n"
            "' Generated at build time by addin/excel/xlam with xlwings "
            f"{XLWINGS_VERSION} generate_vba_wrapper.\n"
        )
        buffer.write('#Const App = "Microsoft Excel" \'Adjust when using outside of Excel\n')
        xlwings_udfs.generate_vba_wrapper(UDF_MODULE, module, buffer, _AddinBook())
    return buffer.getvalue()


def _document_header(name: str, base: str) -> list[str]:
    return [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]


def events_class_source() -> str:
    """Application events: links to other copies of gestimum.xlam re-pointed to this add-in.

    A formula using GESTIMUM_* is saved with the full path of the add-in on the machine that
    wrote it ('C:\\Users\\alice\\…\\XLSTART\\gestimum.xlam'!GESTIMUM_CHAMPS(…)); on any other
    machine it is an external link Excel offers to update, and the function is not found. When
    a workbook opens, every link to a file named gestimum.xlam other than this add-in is
    changed to this add-in (Workbook.ChangeLink), the way Excel's "Modifier la source" does.
    """
    lines = [
        f'Attribute VB_Name = "{EVENTS_CLASS}"',
        f'Attribute VB_Base = "{_CLASS_BASE}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = False",
        "Attribute VB_Exposed = False",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
        "' Generated by addin/excel/xlam (python -m addin.excel.xlam): do not edit by hand.",
        "' Hooked by ThisWorkbook.Workbook_Open: GESTIMUM_* formulas saved on another machine",
        "' point to that machine's copy of the add-in; they are re-pointed to this one.",
        "Option Explicit",
        "",
        "Public WithEvents App As Application",
        "",
        "Private Sub App_WorkbookOpen(ByVal Wb As Workbook)",
        "    Repoint Wb",
        "End Sub",
        "",
        "Public Sub Repoint(ByVal Wb As Workbook)",
        "    Const XL_EXCEL_LINKS As Long = 1  ' xlExcelLinks, also xlLinkTypeExcelLinks",
        "    Dim links As Variant",
        "    Dim i As Long",
        "    Dim wasSaved As Boolean",
        "    On Error GoTo Done  ' opening a workbook must never fail because of this",
        "    If Wb Is ThisWorkbook Then Exit Sub",
        "    links = Wb.LinkSources(XL_EXCEL_LINKS)",
        "    If IsEmpty(links) Then Exit Sub",
        "    wasSaved = Wb.Saved",
        "    ' A link that cannot change (protected workbook…) must not stop the others.",
        "    On Error Resume Next",
        "    For i = LBound(links) To UBound(links)",
        "        If IsOtherCopy(CStr(links(i))) Then",
        "            Wb.ChangeLink Name:=CStr(links(i)), NewName:=ThisWorkbook.FullName, "
        "Type:=XL_EXCEL_LINKS",
        "        End If",
        "    Next i",
        "    ' Not an edit of the user's: a workbook only looked at closes without a save prompt.",
        "    If wasSaved Then Wb.Saved = True",
        "Done:",
        "End Sub",
        "",
        "Private Function IsOtherCopy(ByVal source As String) As Boolean",
        "    Dim fileName As String",
        '    fileName = Mid$(source, InStrRev(Replace(source, "/", "\\"), "\\") + 1)',
        f"    IsOtherCopy = (StrComp(fileName, {vba_string(ADDIN_FILENAME)}, vbTextCompare) = 0) _",
        "        And (StrComp(source, ThisWorkbook.FullName, vbTextCompare) <> 0)",
        "End Function",
    ]
    return "\n".join(lines) + "\n"


def workbook_module_source(udfs: tuple[Udf, ...] = UDFS) -> str:
    """ThisWorkbook: French function-wizard help of the UDFs, and the application events.

    Both under ``On Error Resume Next``: nothing here may ever block Excel's start-up.
    """
    lines = _document_header(WORKBOOK_CODENAME, _WORKBOOK_BASE)
    lines += [
        "Option Explicit",
        "",
        f"Private appEvents As {EVENTS_CLASS}",
        "",
        "Private Sub Workbook_Open()",
        "    Dim wb As Workbook",
        "    On Error Resume Next",
        "    ' Function wizard help (what ImportPythonUDFs would register).",
    ]
    for udf in udfs:
        docs = ", ".join(vba_string(doc) for doc in udf.arg_docs)
        lines += [
            '    Application.MacroOptions Macro:="\'" & ThisWorkbook.Name & '
            + vba_string("'!" + udf.name)
            + ", _",
            f"        Description:={vba_string(udf.description)}, _",
            f"        Category:={vba_string(UDF_CATEGORY)}, _",
            f"        ArgumentDescriptions:=Array({docs})",
        ]
    lines += [
        "    ' Links to other copies of the add-in: in workbooks opened from now on, and in those",
        "    ' already open (a file double-clicked while Excel starts).",
        f"    Set appEvents = New {EVENTS_CLASS}",
        "    Set appEvents.App = Application",
        "    For Each wb In Application.Workbooks",
        "        appEvents.Repoint wb",
        "    Next wb",
        "    ThisWorkbook.Saved = True",
        "    On Error GoTo 0",
        "End Sub",
    ]
    return "\n".join(lines) + "\n"


def settings_sheet_module_source() -> str:
    """The (empty) document module of the settings sheet; its name is the sheet's code name."""
    return "\n".join(_document_header(SETTINGS_SHEET_CODENAME, _WORKSHEET_BASE)) + "\n"


def vba_modules() -> list[VbaModule]:
    """Every module of the add-in's VBA project, in project order."""
    return [
        VbaModule(WORKBOOK_CODENAME, workbook_module_source(), kind="document"),
        VbaModule(SETTINGS_SHEET_CODENAME, settings_sheet_module_source(), kind="document"),
        VbaModule(XLWINGS_MODULE, xlwings_module_source()),
        VbaModule(RIBBON_MODULE, ribbon_module_source()),
        VbaModule(UDF_VBA_MODULE, udf_module_source()),
        VbaModule(EVENTS_CLASS, events_class_source(), kind="class"),
    ]
