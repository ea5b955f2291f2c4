"""A spreadsheet program nobody here wrote opens the add-in: headless LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        SOFFICE is None, reason="LibreOffice (soffice) is not on PATH; CI installs it"
    ),
]

# LibreOffice does not recognise .xlam by itself; this filter reads it, VBA included.
FILTER = "Calc MS Excel 2007 VBA XML"


def _convert(source: Path, out_dir: Path, target: str) -> Path:
    profile = out_dir / "profile"
    result = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            f"--infilter={FILTER}",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    produced = out_dir / (source.stem + "." + target.split(":")[0])
    assert produced.is_file(), result.stdout + result.stderr
    return produced


def test_libreoffice_loads_every_vba_module_and_the_settings_sheet(
    committed_path: Path,
    tmp_path: Path,
    vba: dict[str, str],
    vba_reader: Callable[..., dict[str, str]],
) -> None:
    # Re-saving as .xlsm makes LibreOffice write out the VBA it loaded: what it read, we read.
    produced = _convert(committed_path, tmp_path, f"xlsm:{FILTER}")
    modules = vba_reader(produced.read_bytes(), produced.name)
    assert set(modules) == set(vba)
    assert (
        'RunPython("import addin.macros; addin.macros." & control.Tag' in modules["RibbonGestimum"]
    )
    # LibreOffice marks what it loaded as a class module with this line of its own.
    assert "Option ClassModule" in modules["GestimumEvents"]
    assert "Option ClassModule" not in modules["RibbonGestimum"]
    assert "Public Function RunPython(" in modules["xlwings"]
    assert 'XLPy.CallUDF("addin.udfs", "GESTIMUM_LIGNE"' in modules["xlwings_udfs"]

    archive = zipfile.ZipFile(io.BytesIO(produced.read_bytes()))
    assert "customUI/customUI.xml" in archive.namelist()  # the ribbon survives too
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    assert 'name="gestimum.conf"' in workbook


def test_libreoffice_converts_the_addin_to_pdf(committed_path: Path, tmp_path: Path) -> None:
    produced = _convert(committed_path, tmp_path, "pdf")
    assert produced.read_bytes().startswith(b"%PDF")
