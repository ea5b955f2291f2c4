"""openpyxl: the `Correspondances` sheet (saved column mapping) written into an .xlsx file.

The sheet is a state, not a log: the rows of the sheets just checked are replaced, the rows of
other sheets are kept (with the user's own decisions), and the file is saved atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from addin.core.mapping import MAPPING_SHEET, merged_mapping
from addin.io.file_errors import mapped
from addin.io.openpyxl_sink import atomic_save, write_text

__all__ = ["save_mapping"]

_WIDTHS = (18, 30, 16, 40, 14, 60)


def save_mapping(path: Path, rows_by_sheet: Mapping[str, Sequence[Sequence[object]]]) -> None:
    """Replace the mapping rows of these sheets in `path`'s `Correspondances` sheet."""
    import openpyxl
    from openpyxl.styles import Font

    with mapped(path):
        book = openpyxl.load_workbook(
            path, keep_vba=path.suffix.lower() in (".xlsm", ".xltm"), keep_links=True,
            rich_text=True,
        )
    values: list[list[object]] = []
    if MAPPING_SHEET in book.sheetnames:
        ws = book[MAPPING_SHEET]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        book.remove(ws)
    ws = book.create_sheet(MAPPING_SHEET)
    for r, row in enumerate(merged_mapping(values, rows_by_sheet), start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            write_text(cell, value)
            cell.number_format = "@"  # field codes and "#" stay text
    for col, width in enumerate(_WIDTHS, start=1):
        ws.cell(1, col).font = Font(bold=True)
        ws.column_dimensions[ws.cell(1, col).column_letter].width = width
    ws.freeze_panes = "A2"
    atomic_save(book, path)
