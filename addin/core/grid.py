"""A sheet's cell values as one 2-D block, as the adapters read it (pure data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Grid", "TableExtent"]


@dataclass(frozen=True, slots=True)
class TableExtent:
    """Where an Excel Table (ListObject) lies on its sheet, in Excel row/column numbers.

    `last_row` includes the totals row when there is one: `header_rows` (0 or 1) and
    `totals_rows` (0 or 1) say how many rows at each end are not data.
    """

    name: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    header_rows: int = 1
    totals_rows: int = 0

    @property
    def body(self) -> tuple[int, int]:
        """First and last Excel rows of the data body (last < first when it is empty)."""
        return self.first_row + self.header_rows, self.last_row - self.totals_rows


@dataclass(frozen=True, slots=True)
class Grid:
    """Cell values of a sheet's used block, plus what the reader could not turn into values.

    `first_row`/`first_col` are the Excel row and column numbers (1-based) of `values[0][0]`;
    `formula_cells` are (row, col) Excel coordinates of formulas without a cached value and
    `merged` the Excel ranges (e.g. "B3:C3") of merged cells inside the block, and
    `hidden_rows` the Excel rows hidden by hand or by a filter, `tables` the Excel Tables of
    the sheet and `percent_cells` the (row, col) of cells shown with a percent number format.
    """

    values: list[list[object]]
    first_row: int = 1
    first_col: int = 1
    formula_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    merged: tuple[str, ...] = ()
    hidden_rows: frozenset[int] = field(default_factory=frozenset)
    tables: tuple[TableExtent, ...] = ()
    percent_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)
