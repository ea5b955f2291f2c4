"""The templates open in a spreadsheet program nobody here wrote: headless LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from addin.core.layout import DATA_ROW, HEADER_ROW
from addin.templates import WORKBOOKS

pytestmark = pytest.mark.libreoffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _start(files: list[Path], target: str, out: Path, profile: Path) -> subprocess.Popen:
    """One soffice process for many files (its start-up is most of the cost)."""
    return subprocess.Popen(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _filled_entries(built: Path, base: Path) -> Path:
    """A copy of the Écritures template with two pièces, the first unbalanced by 600."""
    wb = load_workbook(built / "par-endpoint" / "Ecritures.xlsx")
    for name in wb.sheetnames:  # print the data sheet only
        if name != "Écritures":
            del wb[name]
    ws = wb["Écritures"]
    cols = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    day = datetime(2019, 2, 19)
    lines = [
        ("VTE", "411C25", "FAC19-1100425", 12000, "D"),
        ("VTE", "445710", "FAC19-1100425", 2400, "C"),
        ("VTE", "707100", "FAC19-1100425", 9000, "C"),
        ("ACH", "401000", "F2", 100, "C"),
        ("ACH", "607000", "F2", 100, "D"),
    ]
    for row, (journal, account, piece, amount, sens) in enumerate(lines, start=DATA_ROW):
        values = {
            "ECR_DATE": day,
            "JOU_CODE": journal,
            "CPT_NUMERO": account,
            "ECR_PIECE": piece,
            "ECR_MONTANT": amount,
            "ECR_SENS": sens,
        }
        for code, value in values.items():
            ws.cell(row, cols[code], value)
    ws.print_area = f"A1:AE{DATA_ROW + len(lines)}"
    path = base / "ecritures-remplies.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def converted(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) absent : apt-get install libreoffice-calc-nogui")
    base = tmp_path_factory.mktemp("libreoffice")
    files = [*sorted(built.rglob("*.xlsx")), _filled_entries(built, base)]
    grouped = [built / f"{book}.xlsx" for book in WORKBOOKS]
    # Two profiles, two processes side by side: PDF of every file, xlsx re-save of the groups.
    jobs = [
        _start(files, "pdf", base / "pdf", base / "profile-pdf"),
        _start(grouped, "xlsx:Calc MS Excel 2007 XML", base / "xlsx", base / "profile-xlsx"),
    ]
    for job in jobs:
        _, err = job.communicate(timeout=300)
        assert job.returncode == 0, err.decode(errors="replace")
    return {"pdf": base / "pdf", "xlsx": base / "xlsx", "built": built}


def test_every_template_converts_to_pdf(converted: dict[str, Path]) -> None:
    built = converted["built"]
    for path in sorted(built.rglob("*.xlsx")):
        pdf = converted["pdf"] / f"{path.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice could not open {path.name}"
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, "-layout", str(converted["pdf"] / "Tiers.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for expected in ("Code client *", "PCF_CODE", "Serveur", "SHA-256 des lignes"):
            assert expected in text


def test_ecritures_piece_and_balance_formulas_compute(converted: dict[str, Path]) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext absent (poppler-utils)")
    pdf = converted["pdf"] / "ecritures-remplies.pdf"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert text.count("VTE 19/02/2019 FAC19-1100425") == 3
    assert text.count("écart : 600") == 3
    assert text.count("ACH 19/02/2019 F2") == 2 and text.count("équilibrée") == 2


def _columns(ws: Worksheet) -> dict[int, tuple[str, bool]]:
    """Column index → (format, hidden); LibreOffice writes runs of alike columns as one span."""
    spans: dict[int, tuple[str, bool]] = {}
    for dim in ws.column_dimensions.values():
        for index in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
            # LibreOffice escapes literal characters: "dd/mm/yyyy\ hh:mm" is the same format.
            spans[index] = (dim.number_format.replace("\\", ""), bool(dim.hidden))
    return spans


def test_libreoffice_keeps_tables_validations_and_formats(converted: dict[str, Path]) -> None:
    for book, names in WORKBOOKS.items():
        original = load_workbook(converted["built"] / f"{book}.xlsx")
        saved = load_workbook(converted["xlsx"] / f"{book}.xlsx")
        assert saved.sheetnames == original.sheetnames
        for ws in original.worksheets:
            if not ws.tables:
                continue
            again = saved[ws.title]
            (name,) = ws.tables
            assert name in names and name in again.tables
            assert [c.value for c in again[2]] == [c.value for c in ws[2]]
            assert [c.value for c in again[1]] == [c.value for c in ws[1]]
            lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
            kept = {
                dv.formula1 for dv in again.data_validations.dataValidation if dv.type == "list"
            }
            assert lists <= kept, (book, ws.title)
            spans = _columns(again)
            for letter, dim in ws.column_dimensions.items():  # formats live on the columns
                index = column_index_from_string(letter)
                assert spans[index] == (dim.number_format, dim.hidden), (ws.title, letter)
