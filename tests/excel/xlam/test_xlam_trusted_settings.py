"""Settings come only from the add-in and the user's file: the xlwings VBA patch, read back.

xlwings' GetConfig looks a key up in the active workbook's ``gestimum.conf`` sheet first, then
in a ``gestimum.conf`` file next to it; RunPython scans the workbook for embedded code and hands
its path to Python; and xlwings' Python reads a licence key from the workbook's
``xlwings.conf`` sheet. A shared template could thus choose the interpreter or Python's path.
``xlwings_patch.XLWINGS_PATCHES`` removes all of that; these tests read the built add-in back with
olevba and also check that the patch still fits the pinned xlwings text.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import subprocess
import sys

import pytest

from addin.excel.xlam import xlwings_patch
from addin.excel.xlam.xlwings_patch import (
    NO_LICENSE_KEY,
    XLWINGS_PATCHES,
    patch_xlwings_module,
)


def _pinned() -> str:
    text = importlib.resources.files("xlwings").joinpath("xlwings_custom_addin.bas").read_text()
    return text.replace("\r\n", "\n")


def _procedure(source: str, name: str) -> str:
    """One Sub or Function of a module, header to End line."""
    lines = source.replace("\r\n", "\n").split("\n")
    start = next(i for i, line in enumerate(lines)
                 if re.match(rf"(Public |Private )?(Sub|Function) {name}\(", line))
    end = next(i for i in range(start, len(lines)) if re.match(r"End (Sub|Function)\b", lines[i]))
    return "\n".join(lines[start : end + 1])


def _code(source: str) -> list[str]:
    """Code lines without comments (a comment may name what it removed)."""
    lines = (line.split(" '")[0].strip() for line in source.replace("\r\n", "\n").split("\n"))
    return [line for line in lines if line and not line.startswith("'")]


@pytest.fixture(scope="module")
def xlwings_vba(vba: dict[str, str]) -> str:
    return vba["xlwings"].replace("\r\n", "\n")


# ── the patch against the pinned text ───────────────────────────────────────────────────────


@pytest.mark.parametrize("patch", XLWINGS_PATCHES, ids=lambda p: p.why[:40])
def test_each_patch_matches_the_pinned_module_exactly_once(patch: xlwings_patch.VbaPatch) -> None:
    assert _pinned().count(patch.old) == 1
    assert patch.old != patch.new and patch.why


def test_a_patch_that_no_longer_applies_stops_the_build() -> None:
    # What an xlwings upgrade that reworded GetConfig would look like.
    moved = _pinned().replace("'Workbook Sheet Config", "' Workbook sheet config")
    with pytest.raises(RuntimeError, match="Workbook|gestimum.conf sheet"):
        patch_xlwings_module(moved)
    doubled = _pinned() + "\n" + XLWINGS_PATCHES[-1].old + "\n"
    with pytest.raises(RuntimeError, match="2 occurrence"):
        patch_xlwings_module(doubled)


def test_build_refuses_another_xlwings_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings

    monkeypatch.setattr(xlwings, "__version__", "0.38.0")
    with pytest.raises(RuntimeError, match="0.37.8"):
        xlwings_patch.xlwings_module_source()


def test_the_built_module_is_the_patched_pinned_one(xlwings_vba: str) -> None:
    assert _code(xlwings_vba) == _code(patch_xlwings_module(_pinned()))


# ── what the built add-in does ─────────────────────────────────────────────────────────────


def test_getconfig_reads_the_addin_sheet_then_the_user_file_then_the_default(
    xlwings_vba: str,
) -> None:
    code = _code(_procedure(xlwings_vba, "GetConfig"))
    assert not [line for line in code if "ActiveWorkbook" in line or "Directory" in line]
    sheet = code.index('If SheetExists(ThisWorkbook, PROJECT_NAME & ".conf") = True Then')
    user = code.index("If FileExists(GetConfigFilePath()) = True Then")
    default = code.index("GetConfig = default")
    assert sheet < user < default
    # Every other way to a settings sheet or file goes through GetConfig's two layers.
    calls = re.findall(r"GetConfigFromSheet\((\w+)\)", "\n".join(_code(xlwings_vba)))
    assert calls == ["ThisWorkbook", "ThisWorkbook"]
    callers = [line for line in _code(xlwings_vba)
               if "GetDirectoryConfigFilePath()" in line and not line.startswith("Function ")]
    assert callers == []


def test_user_file_is_the_one_install_addin_writes(xlwings_vba: str) -> None:
    path = _code(_procedure(xlwings_vba, "GetConfigFilePath"))
    assert ('GetConfigFilePath = Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & '
            'PROJECT_NAME & ".conf"') in path
    assert 'Public Const PROJECT_NAME As String = "gestimum"' in xlwings_vba


def test_runpython_never_looks_for_embedded_code_in_the_workbook(xlwings_vba: str) -> None:
    code = _code(_procedure(xlwings_vba, "RunPython"))
    assert not [line for line in code if ".py" in line or "Worksheets" in line]
    assert "uses_embedded_code = False" in code


def test_no_workbook_path_reaches_python(xlwings_vba: str) -> None:
    # prepare_sys_path(<add dir>;<active fullname>;<this fullname>;<3 OneDrive settings>;<path>)
    for procedure in ("RunPython", "XLPyCommand"):
        windows = [line for line in _code(_procedure(xlwings_vba, procedure))
                   if line.startswith("PYTHONPATH = AddExcelDir") and "_WIN" in line]
        assert windows == ['PYTHONPATH = AddExcelDir & ";" & "" & ";" & "" & ";" & '
                           'GetConfig("ONEDRIVE_CONSUMER_WIN") & ";" & '
                           'GetConfig("ONEDRIVE_COMMERCIAL_WIN") & ";" & '
                           'GetConfig("SHAREPOINT_WIN") & ";" & GetConfig("PYTHONPATH")'], procedure


def test_only_known_lines_touch_the_active_workbook(xlwings_vba: str) -> None:
    # Reviewed one by one; an xlwings upgrade that adds a use of ActiveWorkbook fails here.
    expected = {
        # RunPython: the Mac branch, and a variable no longer passed on (see above).
        'If InStr(ActiveWorkbook.FullName, "://") = 0 Then',
        "ActiveFullName = ToPosixPath(ActiveWorkbook.FullName)",
        "ActiveFullName = ActiveWorkbook.FullName",
        # RunPython with the UDF server: xw.Book.caller() is this workbook (its data, no code).
        'XLPy.SetAttr XLPy.Module("xlwings._xlwindows"), "BOOK_CALLER", ActiveWorkbook',
        # ExecuteMac (not compiled on Windows).
        'ParameterString = ParameterString + "|" + ActiveWorkbook.Name',
        # ExecuteWindows: --wb="<name>" inside quotes, so that xw.Book.caller() finds it.
        '" --wb=" & """" & ActiveWorkbook.Name & """ --from_xl=1" & " --app=" & Chr(34) & _',
        # "Import Functions" of xlwings' own ribbon: no button of ours calls these.
        "Set wb = ActiveWorkbook",
        'ActiveWorkbook.VBProject.VBComponents.Remove ActiveWorkbook.VBProject.VBComponents'
        '("xlwings_udfs")',
        "ActiveWorkbook.VBProject.VBComponents.Import tf",
        # GetDirectoryConfigFilePath: defined, no longer called (see GetConfig).
        'GetDirectoryConfigFilePath = GetDirectoryPath(ActiveWorkbook) & pathSeparator & '
        'PROJECT_NAME & ".conf"',
        # ShowError with SHOW_ERROR_POPUPS = False (a trusted setting): error text to a sheet.
        'If SheetExists(ActiveWorkbook, "Error") = False Then',
        "Set ErrorSheet = ActiveWorkbook.Sheets.Add()",
        'Set ErrorSheet = ActiveWorkbook.Sheets("Error")',
    }
    found = {line for line in _code(xlwings_vba) if "ActiveWorkbook" in line}
    assert found == expected


def test_runpython_hands_python_a_trusted_licence_key(xlwings_vba: str) -> None:
    code = _code(_procedure(xlwings_vba, "ExecuteWindows"))
    [command] = [line for line in code if line.startswith("RunCommand = CondaCmd")]
    license_at = command.index("os.environ['XLWINGS_LICENSE_KEY']='\" & GetConfig(\"LICENSE_KEY\", "
                               f'"{NO_LICENSE_KEY}") & "\';')
    assert license_at < command.index("import xlwings.utils")


@pytest.mark.parametrize(("key", "pro"), [(NO_LICENSE_KEY, False), ("noncommercial", True)])
def test_the_placeholder_key_keeps_xlwings_pro_off(key: str, pro: bool) -> None:
    # With XLWINGS_LICENSE_KEY set, xlwings never reads LICENSE_KEY from the caller workbook's
    # xlwings.conf sheet; the placeholder is rejected, so no PRO code path opens. The second
    # case shows that the variable is what decides (any workbook could carry that key).
    env = {**os.environ, "XLWINGS_LICENSE_KEY": key}
    result = subprocess.run(
        [sys.executable, "-c", "import xlwings; print(xlwings.__pro__)"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    assert result.stdout.strip() == str(pro)
