"""The xlwings adapter on the counting stand-in: bulk reads/writes, text safety, colours, UI."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from addin.core import layout, status
from addin.core.answers import RowOutcome
from addin.core.errors import WorkbookError
from addin.core.issues import column_letter
from addin.excel.book import ExcelWorkbook, StatusBarProgress

from .fakexw import MAX_ROWS, FakeBook


def _data(header_row: int, status_index: int | None) -> SimpleNamespace:
    """The two SheetData attributes the writer uses."""
    status = None if status_index is None else SimpleNamespace(index=status_index)
    return SimpleNamespace(header_row=header_row, status_column=status)


def test_grid_is_one_bulk_read_with_its_excel_origin() -> None:
    book = FakeBook()
    book.add_sheet("Clients").fill([["PCF_CODE", "PCF_RS"], ["C1", "Un"], ["C2", "Deux"]],
                                   top=3, left=2)
    excel = ExcelWorkbook(book)
    grid = excel.grid("Clients")
    assert (grid.first_row, grid.first_col) == (3, 2)
    assert grid.values == [["PCF_CODE", "PCF_RS"], ["C1", "Un"], ["C2", "Deux"]]
    assert excel.grid("Clients") is grid  # cached: statuses are merged into it, not re-read
    assert book.count("Range.value.get") == 1
    assert book.count("Sheet.used_range") == 1


def test_single_cell_sheet_still_reads_as_two_dimensions() -> None:
    book = FakeBook()
    book.add_sheet("Vide")
    assert ExcelWorkbook(book).grid("Vide").values == [[None]]


def test_statuses_are_one_write_and_keep_rows_not_in_this_run() -> None:
    book = FakeBook()
    sheet = book.add_sheet("Prospects", [["PCF_CODE", "#STATUT"], ["A", "Importée"], ["B", None],
                                         [None, None], ["D", "Rejetée : ancien"]])
    excel = ExcelWorkbook(book)
    excel.grid("Prospects")
    before = book.count("Range.value.set")
    excel.write_statuses("Prospects", _data(1, 1), [
        RowOutcome(3, status.RowState.REJECTED, reasons=["code inconnu"]),
        RowOutcome(5, status.RowState.IMPORTED),
    ])
    assert book.count("Range.value.set") - before == 1
    assert sheet.column_values(2) == {1: "#STATUT", 2: "Importée", 3: "Rejetée : code inconnu",
                                      5: "Importée"}


def test_missing_status_column_is_added_after_the_used_block() -> None:
    book = FakeBook()
    sheet = book.add_sheet("Prospects", [["Libellé", "Nom"], ["PCF_CODE", "PCF_RS"], ["A", "x"]])
    excel = ExcelWorkbook(book)
    excel.write_statuses("Prospects", _data(2, None), [RowOutcome(3, "imported")])
    assert sheet.column_values(3) == {2: "#STATUT", 3: "Importée"}


@pytest.mark.parametrize("text", ["=SOMME(A1:A3)", "+33 1 23", "-5", "@cmd", "=1+1"])
def test_text_written_never_becomes_a_formula(text: str) -> None:
    book = FakeBook()
    sheet = book.add_sheet("Prospects", [["PCF_CODE", "#STATUT"], ["A", text]])
    excel = ExcelWorkbook(book)
    excel.write_statuses("Prospects", _data(1, 1), [RowOutcome(2, "rejected", text=text)])
    excel.append_results([["2026", text]])
    excel.append_journal([["run", "Prospects", text]])
    excel.save()
    for name in ("Prospects", layout.RESULTATS_SHEET, layout.JOURNAL_SHEET):
        assert not book.sheet(name).formulas, name
    assert sheet.cells[(2, 2)] == text  # Excel consumed the quote prefix: the text is intact
    assert book.sheet(layout.JOURNAL_SHEET).cells[(2, 3)] == text


@pytest.mark.parametrize("text", ["1/2", "0123", "1E5", "12/11/2026", "'quoted", "250"])
def test_text_excel_would_parse_is_kept_verbatim(text: str) -> None:
    book = FakeBook()
    book.add_sheet("Prospects")
    excel = ExcelWorkbook(book)
    excel.append_results([[text, 42, None]])
    excel.save()
    cells = book.sheet(layout.RESULTATS_SHEET).cells
    assert cells[(2, 1)] == text and type(cells[(2, 1)]) is str
    assert cells[(2, 2)] == 42 and (2, 3) not in cells  # numbers stay numbers


def test_colour_rules_are_installed_once_keyed_on_status_prefixes() -> None:
    book = FakeBook()
    sheet = book.add_sheet("Prospects", [["PCF_CODE", "#STATUT"], ["A", None]])
    excel = ExcelWorkbook(book)
    for _ in range(3):
        excel.write_statuses("Prospects", _data(1, 1), [RowOutcome(2, "imported")])
    rules = sheet.format_conditions[f"2,2:{MAX_ROWS},2"]  # the sheet's own last row
    assert book.count("FormatConditions.Delete") == 1
    assert [r["String"] for r in rules] == sorted(status.STATE_LABELS.values(), key=len,
                                                  reverse=True)
    assert {r["Type"] for r in rules} == {9} and {r["TextOperator"] for r in rules} == {2}
    imported = next(r for r in rules if r["String"] == "Importée")
    assert imported["Color"] == 0xCE * 65536 + 0xEF * 256 + 0xC6  # C6EFCE as Excel's BGR
    # "Importée avec avertissement" starts with "Importée": it must come first (priority).
    strings = [r["String"] for r in rules]
    assert strings.index("Importée avec avertissement") < strings.index("Importée")


def test_no_colours_without_desktop_excel_and_no_failure() -> None:
    book = FakeBook(windows=False)
    sheet = book.add_sheet("Prospects", [["PCF_CODE", "#STATUT"], ["A", None]])
    ExcelWorkbook(book).write_statuses("Prospects", _data(1, 1), [RowOutcome(2, "imported")])
    assert sheet.cells[(2, 2)] == "Importée" and not sheet.format_conditions


def test_ledger_rows_are_buffered_then_appended_in_one_write_per_sheet() -> None:
    book = FakeBook()
    book.add_sheet("Prospects")
    excel = ExcelWorkbook(book)
    for n in range(5):
        excel.append_results([[f"lot {n}"]])
        excel.append_journal([["run", "Prospects", f"ligne {n}"], ["run", "Prospects", "x"]])
    assert book.count("Range.value.set") == 0
    excel.save()
    assert book.count("Range.value.set") == 2
    results = book.sheet(layout.RESULTATS_SHEET)
    assert [results.cells[(1, i + 1)] for i in range(len(layout.RESULTATS_HEADERS))] == list(
        layout.RESULTATS_HEADERS)
    assert [results.cells[(r, 1)] for r in range(2, 7)] == [f"lot {n}" for n in range(5)]
    assert book.sheets.active_name == "Prospects"  # adding the sheets did not move the user
    excel.append_results([["suite"]])
    excel.save()
    assert results.cells[(7, 1)] == "suite"  # appended below, never rewritten
    assert book.sheets.names() == ["Prospects", layout.RESULTATS_SHEET, layout.JOURNAL_SHEET]


def test_empty_existing_ledger_sheet_gets_its_headers() -> None:
    book = FakeBook()
    book.add_sheet(layout.JOURNAL_SHEET)
    excel = ExcelWorkbook(book)
    excel.append_journal([["run", "Clients", "La ligne 1 a été importée"]])
    excel.save()
    cells = book.sheet(layout.JOURNAL_SHEET).cells
    assert cells[(1, 1)] == layout.JOURNAL_HEADERS[0] and cells[(2, 3)].startswith("La ligne")


def test_busy_restores_excel_settings_even_when_the_run_raises() -> None:
    book = FakeBook()
    book.app._calculation = "semiautomatic"
    excel = ExcelWorkbook(book)
    with pytest.raises(RuntimeError), excel.busy():
        assert book.app.screen_updating is False and book.app.calculation == "manual"
        excel.status("Gestimum — en cours")
        raise RuntimeError("boom")
    assert book.app._screen_updating is True
    assert book.app._calculation == "semiautomatic"
    assert book.app.status_history[-1] is False  # status bar handed back to Excel


def test_failed_write_is_a_french_workbook_error(monkeypatch: pytest.MonkeyPatch) -> None:
    book = FakeBook()
    book.add_sheet("Prospects", [["PCF_CODE", "#STATUT"], ["A", None]])

    def refuse(self: object, data: object) -> None:
        raise OSError("(-2147352567, 'Exception occurred.', 'protected')")

    from . import fakexw

    excel = ExcelWorkbook(book)
    excel.grid("Prospects")
    monkeypatch.setattr(fakexw.FakeRange, "value", property(fakexw.FakeRange.value.fget, refuse))
    with pytest.raises(WorkbookError, match="feuille protégée"):
        excel.write_statuses("Prospects", _data(1, 1), [RowOutcome(2, "imported")])


def test_input_box_cancel_is_none_and_text_is_returned() -> None:
    book = FakeBook()
    book.app.inputs = [False, "secret", ""]
    excel = ExcelWorkbook(book)
    assert excel.input_box("Mot de passe ?") is None
    assert excel.input_box("Mot de passe ?") == "secret"
    assert excel.input_box("Mot de passe ?") == ""  # an empty password is a valid answer
    assert ExcelWorkbook(FakeBook(windows=False)).input_box("?") is None


def test_alerts_use_modes_xlwings_accepts_and_stay_readable() -> None:
    book = FakeBook()
    book.app.answers = ["yes", "no"]
    excel = ExcelWorkbook(book)
    assert excel.confirm("Importer en production ?") is True
    assert excel.confirm("Importer en production ?") is False
    excel.alert("x" * 5000)
    assert len(book.app.alerts[-1]["prompt"]) == 1000


def test_message_boxes_come_in_front_of_excel(monkeypatch: pytest.MonkeyPatch) -> None:
    from addin.excel import ui

    shown: list[tuple[int, str, str, int]] = []

    def message_box(owner: int, text: str, title: str, style: int) -> int:
        shown.append((owner, text, title, style))
        return 6  # IDYES

    monkeypatch.setattr(ui, "_native_box", lambda: message_box)
    book = FakeBook()
    book.app.hwnd = 0x5EED  # desktop Excel's main window
    excel = ExcelWorkbook(book)
    assert excel.confirm("Importer ?", "Gestimum — production") is True
    owner, text, title, style = shown[0]
    assert owner == book.app.hwnd and (text, title) == ("Importer ?", "Gestimum — production")
    # MB_YESNO, MB_ICONWARNING (as xlwings' alert), MB_SETFOREGROUND and MB_TOPMOST
    assert style == 0x4 | 0x30 | 0x10000 | 0x40000
    assert not book.app.alerts  # not through xlwings' alert, which has no such flags
    remote = FakeBook(windows=False)
    ExcelWorkbook(remote).alert("Terminé")
    assert remote.app.alerts and len(shown) == 1  # no window handle: xlwings' alert


def test_add_sheet_names_uniquely_and_formats_columns_in_runs() -> None:
    book = FakeBook()
    book.add_sheet("Clients")
    excel = ExcelWorkbook(book)
    name = excel.add_sheet("Clients", [["a", "b", "c", "d"], ["A", "B", "C", "D"]],
                           ["@", "@", "General", "dd/mm/yyyy"], table="Clients")
    assert name == "Clients (2)"
    sheet = book.sheet(name)
    # Formats on the table's one data row only: Excel carries them to rows the table grows by.
    assert sheet.number_formats == {"3,1:3,2": "@", "3,4:3,4": "dd/mm/yyyy"}
    assert [(t.name, t.address) for t in sheet._tables] == [("Clients", "2,1:3,4")]
    assert sheet.cells[(2, 4)] == "D" and book.count("Range.value.set") == 1
    assert sheet.used_bounds() == (1, 1, 3, 4)  # no inflated UsedRange


def test_add_sheet_never_takes_a_chart_sheet_name_nor_a_used_table_name() -> None:
    book = FakeBook()
    book.add_sheet("Data", table="Clients")
    book.add_chart_sheet("Clients")
    excel = ExcelWorkbook(book)
    name = excel.add_sheet("Clients", [["A", "B"]], ["@", "@"], table="Clients")
    assert name == "Clients (2)"
    [table] = book.sheet(name)._tables
    assert table.name != "Clients"  # Excel names it: the sheet name still finds the endpoint


def test_status_bar_progress_says_sheet_batch_and_rows() -> None:
    book = FakeBook()
    progress = StatusBarProgress(ExcelWorkbook(book))
    progress.start("Prospects", 3, 1200)
    progress.advance("Prospects", 2, 3, 1000)
    assert book.app.status_history == [
        "Gestimum — Import Prospects : lot 0/3, 0/1200 lignes",
        "Gestimum — Import Prospects : lot 2/3, 1000/1200 lignes",
    ]


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_tables_and_visibility_come_from_the_book() -> None:
    book = FakeBook()
    sheet = book.add_sheet("Prospects")
    sheet.fill([["PCF_CODE", "PCF_RS"], ["P1", "Un"], ["Total", 1]])
    sheet.add_table("Prospects", "A1:B3", show_totals=True)
    excel = ExcelWorkbook(book)
    [table] = excel.grid("Prospects").tables
    assert (table.first_row, table.last_row, table.header_rows, table.totals_rows) == (1, 3, 1, 1)
    for visible, expected in ((True, "visible"), (-1, "visible"), (0, "hidden"),
                              (False, "hidden"), (2, "veryHidden")):
        sheet.visible = visible
        assert excel.sheet_visibility("Prospects") == expected


def test_percent_formats_are_read_once_per_numeric_column() -> None:
    book = FakeBook()
    sheet = book.add_sheet("Prospects")
    sheet.fill([["PCF_CODE", "PCF_REMVAL", "PCF_REMMIN"], ["P1", 0.2, 0.5], ["P2", 0.1, 7]])
    sheet.range("B2", "B3").number_format = "0.0%"
    sheet.range("C2").number_format = "0%"  # C3 keeps General: a mixed column is not seen
    grid = ExcelWorkbook(book).grid("Prospects")
    assert grid.percent_cells == frozenset({(2, 2), (3, 2)})
    assert book.count("Range.number_format.get") == 2  # the text column A is not asked
