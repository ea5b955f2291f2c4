"""Finance scenarios end to end (issue 12): CLI → sandbox on loopback → workbook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.mapping import MAPPING_HEADERS, MAPPING_SHEET
from addin.sandbox import running_sandbox
from tests.e2e import finance_data as fd


@pytest.fixture(scope="module")
def sandbox() -> Iterator[object]:
    with running_sandbox() as sb:
        yield sb


@pytest.fixture(autouse=True)
def _no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _column(path: Path, sheet: str, header: str, header_row: int) -> dict[int, object]:
    ws = openpyxl.load_workbook(path)[sheet]
    heads = [c.value for c in ws[header_row]]
    col = heads.index(header) + 1
    return {r: ws.cell(r, col).value for r in range(header_row + 1, ws.max_row + 1)}


def test_export_with_its_own_headers_is_imported_through_a_saved_mapping(
    tmp_path: Path, sandbox, capsys
) -> None:
    """Headers matched by label and synonym; the unmatched ones are listed (never dropped) with
    where they belong; the mapping saved in Correspondances, completed by the user, reused."""
    book = _book(tmp_path / "export.xlsx",
                 {"Clients": [fd.EXPORT_TITLE, fd.EXPORT_HEADERS, *fd.EXPORT_ROWS]})
    assert main(["check", str(book)]) == 2
    printed = capsys.readouterr().out
    assert "« CP » → PCF_CP" in printed and "« Code client » → PCF_CODE" in printed
    assert "« IBAN » → aucun champ" in printed and "Banques de tiers" in printed
    assert "« CA 2024 » n'est pas un champ de Clients" in printed

    assert main(["check", str(book), "--enregistrer"]) == 2
    capsys.readouterr()
    wb = openpyxl.load_workbook(book)
    ws = wb[MAPPING_SHEET]
    assert tuple(c.value for c in ws[1]) == MAPPING_HEADERS
    saved = {r[1]: r[2] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert saved["Ville"] == "PCF_VILLE" and saved["Compte"] == "CPT_NUMERO"
    assert saved["IBAN"] is None and saved["CA 2024"] is None
    # The user decides: IBAN goes to a BanquesTiers sheet later, the turnover is not sent.
    for row in ws.iter_rows(min_row=2):
        if row[1].value in ("IBAN", "CA 2024"):
            row[2].value = "#"
    wb.save(book)

    assert main(["check", str(book)]) == 0
    assert "« IBAN » → non envoyée (#)" in capsys.readouterr().out
    assert main(["import", str(book), "--server", sandbox.url]) == 0
    landed = {r["PCF_CODE"]: r for r in sandbox.rows("Clients")
              if str(r.get("PCF_CODE", "")).startswith("MIG")}
    assert sorted(landed) == ["MIG001", "MIG002", "MIG003"]
    assert landed["MIG001"]["PCF_CP"] == "06000"
    assert landed["MIG002"]["PCF_VILLE"] == "Marseille"
    assert landed["MIG001"]["PCF_SIRET"] == "73282932000074"
    assert not any("FR76" in json.dumps(r) for r in landed.values())  # IBAN column not sent
    st = _column(book, "Clients", "#STATUT", 2)
    assert all(str(v).startswith("Importée") for v in st.values())
