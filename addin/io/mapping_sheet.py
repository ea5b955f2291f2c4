"""The `Correspondances` sheet (saved column mapping) written into an .xlsx file.

The sheet is a state, not a log: the rows of the sheets just checked are replaced, the rows of
other sheets are kept (with the user's own decisions). Written by the package writer like every
result, so that nothing else in the workbook changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from addin.core.mapping import MAPPING_SHEET, merged_mapping

__all__ = ["write_mapping"]


def write_mapping(book: Any, sink: Any,
                  rows_by_sheet: Mapping[str, Sequence[Sequence[object]]]) -> None:
    """Buffer into `sink` the `Correspondances` sheet with these sheets' mapping rows."""
    values: list[list[object]] = []
    if MAPPING_SHEET in book.sheet_names():
        grid = book.grid(MAPPING_SHEET)
        values = [list(r) for r in grid.values]
    sink.write_sheet(MAPPING_SHEET, merged_mapping(values, rows_by_sheet), values)
