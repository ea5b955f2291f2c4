"""The macros where real Excel is stricter than a friendly stand-in: big sheets read in chunks,
.xls limits, UsedRange, chart sheets, protection, and Excel's settings after a killed run."""

from __future__ import annotations

from typing import Any

import pytest

from addin import macros
from addin.excel import cells as excel_cells
from addin.excel.book import ExcelWorkbook
from addin.io import user_config

from .conftest import PROSPECT_CODES, BookFactory, prospect
from .fakexw import JAGGED, XLS_ROWS, FakeBook


# ── the stand-in itself is as strict as xlwings ─────────────────────────────────────────
def test_stand_in_refuses_what_xlwings_and_excel_refuse() -> None:
    book = FakeBook("ancien.xls")
    sheet = book.add_sheet("Feuil1")
    with pytest.raises(Exception, match=JAGGED):
        sheet.range((1, 1)).value = [[1, 2], [3]]
    assert not sheet.cells and not book.calls  # refused before any call, like xlwings
    with pytest.raises(Exception, match="outside"):
        sheet.range((XLS_ROWS + 1, 1))
    assert sheet.cells.last_cell.row == XLS_ROWS
    sheet.range((5, 1), (9, 2)).number_format = "@"
    assert sheet.used_range.shape == (5, 2)  # formatted cells count in UsedRange
    sheet.protected = True
    with pytest.raises(Exception, match="protected"):
        sheet.range((1, 1)).value = "x"
    book.add_chart_sheet("Graphique1")
    assert [s.name for s in book.sheets] == ["Feuil1"]  # Worksheets: no chart sheet


# ── big sheets ──────────────────────────────────────────────────────────────────────────
def test_a_big_sheet_is_read_in_bounded_chunks_and_read_whole() -> None:
    book = FakeBook()
    rows = [PROSPECT_CODES] + [prospect(i) for i in range(60_000)]
    book.add_sheet("Prospects", rows)
    grid = ExcelWorkbook(book).grid("Prospects")
    assert grid.values == rows
    chunk_rows = excel_cells.CHUNK_CELLS // len(PROSPECT_CODES)
    assert book.count("Range.value.get") == -(-len(rows) // chunk_rows) == 2
    assert book.largest_call <= excel_cells.CHUNK_CELLS


def test_import_with_small_chunks_reads_and_writes_everything(
        make_book: BookFactory, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_cells, "CHUNK_CELLS", 60)  # 10 rows of Prospects per call
    book = make_book(25)
    assert macros.importer(book).ok
    assert len(sandbox.rows("Prospects")) == 25
    statuses = book.sheet("Prospects").column_values(len(PROSPECT_CODES) + 1)
    assert [statuses[r] for r in range(3, 28)] == ["Importée"] * 25
    assert book.largest_call <= 60 * 2  # Résultats rows are wider than 6 columns: 1 row/call


# ── .xls books and UsedRange ────────────────────────────────────────────────────────────
def test_nouvelle_feuille_on_a_xls_book_works_without_inflating_used_range(
        sandbox: Any) -> None:
    book = FakeBook("ancien.xls")
    book.add_sheet("Connexion", [["Serveur", sandbox.url]])
    book.app.inputs = ["Prospects"]
    result = macros.nouvelle_feuille(book)
    assert result.ok, result.message
    sheet = book.sheet("Prospects")
    top, left, bottom, right = sheet.used_bounds()
    assert (top, bottom) == (1, 3)  # labels, codes, one formatted table row: nothing below
    [table] = sheet._tables
    assert table.name == "Prospects" and table.address == f"2,1:3,{right}"
    assert book.count("Range.number_format.set") <= right  # one call per run of formats
    codes = [sheet.cells.get((2, c)) for c in range(1, right + 1)]
    values = dict(zip(PROSPECT_CODES, prospect(1), strict=True))
    sheet.fill([[values.get(code) for code in codes]], top=3)
    result = macros.importer(book)
    assert result.ok, result.message  # status colours installed down to row 65,536
    assert any(address.endswith(f"{XLS_ROWS},{right}") for address in sheet.format_conditions)


def test_status_colours_follow_the_sheet_last_row_on_xls(sandbox: Any) -> None:
    book = FakeBook("ancien.xls")
    book.add_sheet("Connexion", [["Serveur", sandbox.url]])
    sheet = book.add_sheet("Prospects", [PROSPECT_CODES, prospect(1)])
    book.activate("Prospects")
    assert macros.controler(book).ok
    assert list(sheet.format_conditions) == [f"2,7:{XLS_ROWS},7"]


# ── chart sheets ────────────────────────────────────────────────────────────────────────
def test_an_active_chart_sheet_gets_a_french_message(make_book: BookFactory) -> None:
    book = make_book(2)
    book.add_chart_sheet("Graphique1")
    book.activate("Graphique1")
    for macro in (macros.controler, macros.effacer_statuts, macros.importer):
        result = macro(book)
        assert not result.ok and "graphique" in result.message, macro.__name__
        assert "inattendue" not in result.message


def test_a_chart_sheet_named_like_a_ledger_sheet_stops_before_sending(
        make_book: BookFactory, sandbox: Any) -> None:
    book = make_book(2)
    book.add_chart_sheet("Résultats")  # Excel will not give its name to a new worksheet
    result = macros.importer(book)
    assert not result.ok and "Renommez-le" in result.message
    assert sandbox.rows("Prospects") == []  # refused before sending, not after


def test_chart_sheets_elsewhere_do_not_disturb_an_import(make_book: BookFactory,
                                                        sandbox: Any) -> None:
    book = make_book(2)
    book.add_chart_sheet("Graphique1")
    assert macros.importer(book).ok and len(sandbox.rows("Prospects")) == 2
    assert "Résultats" in book.sheets.names()


# ── protection ──────────────────────────────────────────────────────────────────────────
def test_protected_data_sheet_is_refused_before_anything_is_sent(
        make_book: BookFactory, sandbox: Any) -> None:
    book = make_book(3)
    book.sheet("Prospects").protected = True
    result = macros.importer(book)
    assert not result.ok and "protégée" in result.message
    assert "rien n'a été envoyé" in result.message
    assert sandbox.rows("Prospects") == []
    result = macros.controler(book)
    assert not result.ok and "Ôtez la protection" in result.message


def test_protected_structure_is_explained_by_nouvelle_feuille_and_import(
        make_book: BookFactory, sandbox: Any) -> None:
    book = make_book(2)
    book.protect_structure = True
    book.app.inputs = ["Clients"]
    result = macros.nouvelle_feuille(book)
    assert not result.ok and "structure du classeur est protégée" in result.message
    assert "feuille protégée" not in result.message  # not the misleading old wording
    result = macros.importer(book)  # Résultats/Journal could not be created afterwards
    assert not result.ok and "structure" in result.message
    assert sandbox.rows("Prospects") == []


# ── Excel's settings after a crash ──────────────────────────────────────────────────────
def test_settings_left_by_a_killed_run_are_restored_by_the_next_action(
        make_book: BookFactory) -> None:
    book = make_book(2)
    book.app._calculation = "semiautomatic"
    killed = ExcelWorkbook(book).busy()
    killed.__enter__()  # the process dies here: no `finally` ever runs
    assert book.app._calculation == "manual" and book.app._screen_updating is False
    assert user_config.read_state() == {"screen_updating": True, "calculation": "semiautomatic"}
    assert macros.controler(book).ok  # the next action, in a new process
    assert book.app._calculation == "semiautomatic" and book.app._screen_updating is True
    assert user_config.read_state() is None
    del killed


def test_a_normal_run_leaves_no_saved_state(make_book: BookFactory) -> None:
    book = make_book(1)
    assert macros.controler(book).ok
    assert user_config.read_state() is None


def test_a_sheet_formatted_down_to_the_last_row_is_read_down_to_its_last_value(
        make_book: BookFactory, sandbox: Any) -> None:
    # Whole-column formats, or a sheet made by an older "Nouvelle feuille": UsedRange is a
    # million rows high, the data is not.
    book = make_book(3)
    sheet = book.sheet("Prospects")
    sheet.range((3, 1), (sheet.max_rows, len(PROSPECT_CODES))).number_format = "@"
    assert sheet.used_range.shape[0] == sheet.max_rows
    book.calls.clear()
    assert macros.importer(book).ok and len(sandbox.rows("Prospects")) == 3
    assert book.largest_call <= 6 * len(PROSPECT_CODES)  # never the million formatted rows
    results = book.sheet("Résultats")
    results.range((2, 1), (results.max_rows, 3)).number_format = "0"
    sheet.fill([prospect(3)], top=6)
    assert macros.importer(book).ok  # appended right below the ledger's last row, not at 1M+1
    assert max(r for r, _ in results.cells) == 3 and results.cells[(3, 1)] is not None
