"""No password anywhere in the templates; the public API adds one sheet to any workbook."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from addin.core.catalog import Choice, get_endpoint
from addin.core.connexion import CONNEXION_SHEET, is_password_label
from addin.core.layout import DATA_ROW, HEADER_ROW
from addin.templates import build_sheet, main_templates
from addin.templates.sheets import LISTES_SHEET


def test_no_password_like_value_anywhere(built: Path) -> None:
    files = sorted(built.rglob("*.xlsx"))
    assert len(files) == 39
    for path in files:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                text = archive.read(name).decode("utf-8", "replace").lower()
                # The request key (the GESTIMUM_MOT_PASSE variable may be named), and
                # anything shaped like a credential assignment.
                assert not re.search(r"(?<!gestimum_)mot_passe", text), (path.name, name)
                assert not re.search(r"(password|passwd|pwd|mdp)\s*[=:]", text), (path.name, name)
        wb = load_workbook(path)
        for ws in wb.worksheets:
            if ws.tables:
                # Data sheets ship empty (only the # helper formulas): a password column,
                # such as Utilisateurs.USR_PASSWD, has no value.
                for row in ws.iter_rows(min_row=DATA_ROW):
                    for cell in row:
                        header = str(ws.cell(HEADER_ROW, cell.column).value)
                        assert cell.value is None or header.startswith("#"), (
                            path.name,
                            ws.title,
                            cell.coordinate,
                        )
                continue
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if not isinstance(value, str) or not is_password_label(value):
                        continue
                    # Only the heading and sentences saying it is never stored mention it.
                    assert "Aucun mot de passe" in value or value == "Mot de passe", (
                        path.name,
                        ws.title,
                        cell.coordinate,
                    )
                    right = ws.cell(cell.row, cell.column + 1).value
                    assert right in (None, ""), (path.name, ws.title, cell.coordinate)
        labels = [c.value for c in wb[CONNEXION_SHEET]["A"] if c.value]
        assert not [v for v in labels[:-1] if is_password_label(v)]
        assert not [n for n in wb.defined_names if is_password_label(n)]


def test_build_sheet_adds_one_data_sheet_to_an_existing_workbook() -> None:
    wb = Workbook()
    ws = build_sheet(wb, get_endpoint("Clients"))
    assert ws.title == "Clients" and list(ws.tables) == ["Clients"]
    assert ws.cell(HEADER_ROW, 1).value == "PCF_CODE"
    build_sheet(wb, get_endpoint("SousFamilles"))
    assert "Sous-familles d'articles" in wb.sheetnames
    with pytest.raises(ValueError, match="déjà"):
        build_sheet(wb, get_endpoint("Clients"))
    with pytest.raises(ValueError, match="import"):
        build_sheet(wb, get_endpoint("Outils.Version"))


def test_a_list_too_long_for_a_list_formula_goes_to_the_hidden_listes_sheet(
    tmp_path: Path,
) -> None:
    pays = get_endpoint("Pays")
    codes = [f"Z{i:03d}" for i in range(80)]  # 80 × 5 characters: over Excel's 255
    field = dataclasses.replace(pays.fields[0], choices=tuple(Choice(c, c) for c in codes))
    endpoint = dataclasses.replace(pays, fields=(field, *pays.fields[1:]))
    wb = Workbook()
    ws = build_sheet(wb, endpoint)
    wb.save(tmp_path / "l.xlsx")
    wb = load_workbook(tmp_path / "l.xlsx")
    ws = wb[ws.title]
    (dv,) = [d for d in ws.data_validations.dataValidation if f"A{DATA_ROW}" in d.sqref]
    name = f"Liste_Pays_{field.code}"
    assert (dv.type, dv.formula1) == ("list", name)
    assert wb[LISTES_SHEET].sheet_state == "hidden"
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    assert sheet == LISTES_SHEET
    assert [c.value for (c,) in wb[sheet][ref.replace("$", "")]] == codes


def test_main_templates_writes_and_reports_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main_templates(tmp_path / "modeles") == 0
    out = capsys.readouterr().out
    assert "39 classeurs modèles écrits" in out and "Tiers.xlsx" in out
    assert (tmp_path / "modeles" / "par-endpoint" / "Ecritures.xlsx").is_file()
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    assert main_templates(blocker) == 1
    assert "Impossible d'écrire les modèles" in capsys.readouterr().err
