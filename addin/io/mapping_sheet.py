"""openpyxl: the `Correspondances` sheet (saved column mapping) written into an .xlsx file.

The sheet is a state, not a log: the rows of the sheets just checked are replaced, the rows of
other sheets are kept (with the user's own decisions), and the file is saved atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from addin.core.catalog import normalise_name
from addin.core.mapping import MAPPING_HEADERS, MAPPING_SHEET
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
    replaced = {normalise_name(s) for s in rows_by_sheet}
    kept: list[list[object]] = []
    if MAPPING_SHEET in book.sheetnames:
        ws = book[MAPPING_SHEET]
        for row in ws.iter_rows(min_row=2, values_only=True):
            if row and row[0] and normalise_name(str(row[0])) not in replaced:
                kept.append(list(row[: len(MAPPING_HEADERS)]))
        book.remove(ws)
    ws = book.create_sheet(MAPPING_SHEET)
    for col, (header, width) in enumerate(zip(MAPPING_HEADERS, _WIDTHS, strict=True), start=1):
        cell = ws.cell(1, col)
        write_text(cell, header)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    rows = kept + [list(r) for rows in rows_by_sheet.values() for r in rows]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            write_text(cell, value)
            cell.number_format = "@"  # field codes and "#" stay text
    atomic_save(book, path)
