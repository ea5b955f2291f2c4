"""A sheet's cell values as one 2-D block, as the adapters read it (pure data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Grid"]


@dataclass(frozen=True, slots=True)
class Grid:
    """Cell values of a sheet's used block, plus what the reader could not turn into values.

    `first_row`/`first_col` are the Excel row and column numbers (1-based) of `values[0][0]`;
    `formula_cells` are (row, col) Excel coordinates of formulas without a cached value and
    `merged` the Excel ranges (e.g. "B3:C3") of merged cells inside the block, and
    `hidden_rows` the Excel rows hidden by hand or by a filter.
    """

    values: list[list[object]]
    first_row: int = 1
    first_col: int = 1
    formula_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    merged: tuple[str, ...] = ()
    hidden_rows: frozenset[int] = field(default_factory=frozenset)
