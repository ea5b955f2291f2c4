"""The add-in's copy of xlwings' VBA module: the pinned text with written-down patches.

Each patch is an exact text of ``xlwings_custom_addin.bas`` 0.37.8, its replacement and why;
the build stops when a text no longer occurs exactly once, so an xlwings upgrade that moved a
line cannot ship unnoticed. docs/ADDIN.md explains each patch.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass

from addin.excel.xlam.ribbon import PROJECT_NAME

# The version whose VBA module (and DLL name inside it) the add-in embeds; pyproject pins it too.
XLWINGS_VERSION = "0.37.8"
# Handed to xlwings as XLWINGS_LICENSE_KEY when no trusted key is set: xlwings rejects it, and
# never goes on to read a key from the caller workbook's xlwings.conf sheet.
NO_LICENSE_KEY = "gestimum-sans-licence"


def _quoted(text: str) -> str:
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
        f"Public Const PROJECT_NAME As String = {_quoted(PROJECT_NAME)}",
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
        + _quoted(NO_LICENSE_KEY)
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
