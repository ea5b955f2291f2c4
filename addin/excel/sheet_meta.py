"""What a live Excel sheet says beyond its values, in a few calls that do not grow with the
rows: its Tables (ListObjects, with header and totals rows), the numbers it shows as
percentages and its visibility. Used by `book.py`, the only other module touching xlwings."""

from __future__ import annotations

from typing import Any

from addin.core.grid import TableExtent
from addin.core.percents import is_percent_format

__all__ = ["percent_cells", "table_extent", "visibility"]

_XL_SHEET_VERY_HIDDEN = 2


def visibility(visible: object) -> str:
    """"visible", "hidden" or "veryHidden" from `Sheet.visible` (COM gives -1/0/2, other
    engines a bool)."""
    if visible == _XL_SHEET_VERY_HIDDEN and visible is not True:
        return "veryHidden"
    return "visible" if visible else "hidden"


def table_extent(table: Any) -> TableExtent:
    """Where a ListObject lies, with its header and totals rows (a few calls per Table)."""
    rng = table.range
    last = rng.last_cell
    return TableExtent(
        name=str(table.name),
        first_row=rng.row,
        first_col=rng.column,
        last_row=last.row,
        last_col=last.column,
        header_rows=1 if table.show_headers else 0,
        totals_rows=1 if table.show_totals else 0,
    )


def percent_cells(
    sheet: Any, rows: list[list[object]], first_row: int, first_col: int
) -> frozenset[tuple[int, int]]:
    """Numbers shown with a percent format: one NumberFormat read per column holding numbers,
    over the rows from its first to its last number (Excel answers None when they differ: such a
    column of mixed formats is not seen)."""
    cells: set[tuple[int, int]] = set()
    width = max(map(len, rows), default=0)
    for j in range(width):
        numeric = [
            first_row + i for i, row in enumerate(rows)
            if j < len(row) and isinstance(row[j], int | float) and not isinstance(row[j], bool)
        ]
        if not numeric:
            continue
        col = first_col + j
        try:
            fmt = sheet.range((numeric[0], col), (numeric[-1], col)).number_format
        except NotImplementedError:  # engines without number formats: nothing to convert
            return frozenset()
        if isinstance(fmt, str) and is_percent_format(fmt):
            cells.update((r, col) for r in numeric)
    return frozenset(cells)
