"""What the reader adds to calamine: Table extents (header/totals rows), percent-formatted
cells, sheet visibility — on real files written by openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.worksheet.table import Table

from addin.core.grid import TableExtent
from addin.io.workbook import open_workbook


def test_tables_percent_cells_and_visibility(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prospects"
    for row in (["Titre"], ["PCF_CODE", "PCF_REMVAL", "PCF_REMMIN"], ["P1", 0.2, 0.5],
                ["Total", None, 0.5]):
        ws.append(row)
    ws.add_table(Table(displayName="Prospects", ref="A2:C4", totalsRowCount=1))
    ws["B3"].number_format = "0%"
    ws["C3"].number_format = '0.00" %"'  # a quoted % is text, not a percent format
    ws["C4"].number_format = "0.0%;[Red]-0.0%"
    other = wb.create_sheet("Sans entête")
    other.append(["x"])
    other.append(["y"])
    other.add_table(Table(displayName="T2", ref="A1:A2", headerRowCount=0))
    wb.create_sheet("Cachée").sheet_state = "hidden"
    wb.create_sheet("Très cachée").sheet_state = "veryHidden"
    wb.save(tmp_path / "t.xlsx")

    book = open_workbook(tmp_path / "t.xlsx")
    grid = book.grid("Prospects")
    assert grid.tables == (TableExtent("Prospects", 2, 1, 4, 3, 1, 1),)
    assert grid.percent_cells == frozenset({(3, 2), (4, 3)})
    assert book.grid("Sans entête").tables == (TableExtent("T2", 1, 1, 2, 1, 0, 0),)
    assert [book.sheet_visibility(s) for s in book.sheet_names()] == [
        "visible", "visible", "hidden", "veryHidden"]
