"""Finance macros on the counting stand-in, against the real sandbox: column mapping from the
ribbon, partial import."""

from __future__ import annotations

from typing import Any

from addin import macros
from addin.core.mapping import MAPPING_HEADERS, MAPPING_SHEET
from tests.e2e import finance_data as fd

from .fakexw import FakeBook


def _book(sandbox: Any, sheet: str, rows: list[list[Any]]) -> FakeBook:
    book = FakeBook()
    book.add_sheet("Connexion", [["Paramètre", "Valeur"], ["Serveur", sandbox.url]])
    book.add_sheet(sheet, rows)
    book.activate(sheet)
    return book


def _rows(book: FakeBook, name: str) -> list[list[Any]]:
    cells = book.sheet(name).cells
    height = max(r for r, _ in cells)
    width = max(c for _, c in cells)
    return [[cells.get((r, c)) for c in range(1, width + 1)] for r in range(1, height + 1)]


def test_associer_colonnes_saves_the_mapping_the_import_then_uses(sandbox: Any) -> None:
    book = _book(sandbox, "Clients", [fd.EXPORT_TITLE, fd.EXPORT_HEADERS, *fd.EXPORT_ROWS])
    result = macros.associer_colonnes(book)
    assert not result.ok  # two columns still to decide
    assert "C « Adresse » → PCF_RUE" in result.message and "2 colonne(s) sans champ" in \
        result.message
    saved = _rows(book, MAPPING_SHEET)
    assert tuple(saved[0]) == MAPPING_HEADERS
    assert saved[5][:3] == ["Clients", "Ville", "PCF_VILLE"]
    # The user writes "#" for IBAN and CA 2024, in the sheet the add-in wrote.
    sheet = book.sheet(MAPPING_SHEET)
    for r, row in enumerate(saved, start=1):
        if row[1] in ("IBAN", "CA 2024"):
            sheet.cells[(r, 3)] = "#"
    assert macros.associer_colonnes(book).ok
    assert len(_rows(book, MAPPING_SHEET)) == 1 + len(fd.EXPORT_HEADERS)  # replaced, not added
    assert macros.importer(book).ok
    codes = {r["PCF_CODE"] for r in sandbox.rows("Clients")}
    assert {"MIG001", "MIG002", "MIG003"} <= codes


def test_importer_lignes_valides_holds_only_the_bad_rows(sandbox: Any) -> None:
    book = _book(sandbox, "Clients", fd.CUSTOMERS)
    assert not macros.importer(book).ok  # all or nothing by default
    assert not {"PART1", "PART3"} & {r["PCF_CODE"] for r in sandbox.rows("Clients")}
    result = macros.importer_lignes_valides(book)
    assert "1 ligne(s) non envoyée(s)" in result.message
    assert {"PART1", "PART3"} <= {r["PCF_CODE"] for r in sandbox.rows("Clients")}
    status = book.sheet("Clients").column_values(4)
    assert str(status[3]).lstrip("'").startswith("Non envoyée")
    assert str(status[2]).lstrip("'").startswith("Importée")
