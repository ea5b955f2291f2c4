"""`mettre-a-jour`: an old filled workbook brought to the current template, data untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from addin import cli
from addin.core.catalog import get_endpoint
from addin.core.layout import DATA_ROW, HEADER_ROW, LABEL_ROW
from addin.core.versions import template_stamp
from addin.io.doc_props import read_doc_props
from addin.templates.plan import column_plan, field_note

from .make_old_workbook import DROPPED_CODE, FIXTURE, OLD_LABELS, OLD_NOTE, REPLACED, ROWS


def _cells(path: Path) -> dict[tuple[str, int, int], object]:
    """Every stored cell value and formula (openpyxl), except the label row of data sheets."""
    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and not (ws.tables and cell.row == LABEL_ROW):
                    found[(ws.title, cell.row, cell.column)] = cell.value
    return found


def _values(path: Path) -> dict[str, list[list[object]]]:
    """What the add-in's reader (calamine) sees from the data row down, per sheet."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python()[DATA_ROW - 1:]
            for name in book.sheet_names}


def _column(ws: object, code: str) -> int:
    return next(c.column for c in ws[HEADER_ROW] if c.value == code)  # type: ignore[index]


@pytest.fixture()
def upgraded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    out = tmp_path / "clients-a-jour.xlsx"
    assert cli.main(["mettre-a-jour", str(FIXTURE), "--out", str(out)]) == 0
    return out, capsys.readouterr().out


def test_every_data_cell_is_identical_after_the_upgrade(upgraded: tuple[Path, str]) -> None:
    out, _ = upgraded
    assert _cells(out) == _cells(FIXTURE)
    assert _values(out) == _values(FIXTURE)
    assert len([r for r in _values(out)["Clients"] if any(v != "" for v in r)]) == len(ROWS)


def test_labels_notes_and_lists_are_the_current_templates(upgraded: tuple[Path, str]) -> None:
    out, report = upgraded
    endpoint = get_endpoint("Clients")
    plan = {c.code: c for c in column_plan(endpoint) if c.field is not None}
    ws = openpyxl.load_workbook(out)["Clients"]
    checked = 0
    for cell in ws[HEADER_ROW]:
        column = plan.get(cell.value)
        if column is None:
            continue
        assert ws.cell(LABEL_ROW, cell.column).value == column.label
        assert cell.comment is not None
        assert cell.comment.text == field_note(endpoint, column.field)
        checked += 1
    assert checked == len(plan) - 1  # all but the field the old template lacked
    assert ws.data_validations.dataValidation  # the fixture had none
    assert read_doc_props(out)[0] == template_stamp()
    for code, old in OLD_LABELS.items():
        assert f"libellé renommé {code} : « {old} » → « {plan[code].label} »" in report
    assert f"nouveau champ disponible {REPLACED}" in report
    assert f"champ retiré du catalogue : {DROPPED_CODE}" in report
    # At least the older help of PCF_VILLE (more as the catalog's notes move on since).
    assert int(re.search(r"(\d+) note\(s\)", report).group(1)) >= 1
    assert OLD_NOTE[1] not in str(ws.cell(HEADER_ROW, _column(ws, OLD_NOTE[0])).comment.text)


def test_check_warns_before_and_not_after_and_a_second_upgrade_changes_nothing(
    upgraded: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GESTIMUM_JOURNAL", str(tmp_path / "journal.sqlite3"))
    out, _ = upgraded
    cli.main(["check", str(FIXTURE)])
    assert "modèle plus ancien" in capsys.readouterr().out
    cli.main(["check", str(out)])
    assert "modèle plus ancien" not in capsys.readouterr().out
    again = tmp_path / "encore.xlsx"
    shutil.copyfile(out, again)
    assert cli.main(["mettre-a-jour", str(again)]) == 0  # in place
    second = capsys.readouterr().out
    assert "Feuille « Clients » (Clients) : déjà à jour." in second
    assert f"nouveau champ disponible {REPLACED}" in second  # still worth saying
    assert _cells(again) == _cells(FIXTURE)


def test_an_unreadable_file_is_a_french_error_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "pas-un-classeur.xlsx"
    bad.write_bytes(b"bonjour")
    assert cli.main(["mettre-a-jour", str(bad), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "n'est pas un classeur Excel .xlsx lisible" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
