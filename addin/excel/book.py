"""xlwings adapter: the pipeline's grid source and result sink over a live Excel book.

With `sheet_meta.py`, the only module that touches the xlwings Book/Range API for data. Every
sheet is read and written in bulk, so a macro costs the same number of Excel round trips for 10
rows as for 10,000 (each COM call is a round trip: per-cell loops are what makes add-ins slow);
big sheets go in chunks of a bounded cell count (one huge call fails on 32-bit Excel). Row limits
come from each sheet (a .xls sheet has 65,536 rows), never from a constant.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from addin.core import layout, status
from addin.core.connexion import CONNEXION_SHEET, KEYS, connexion_row, parse_connexion
from addin.core.errors import WorkbookError
from addin.core.grid import Grid
from addin.excel.cells import (
    cell,
    chunk_rows,
    protected_message,
    rectangle,
    runs,
    structure_message,
    writing,
)
from addin.excel.desktop import hide_column, install_colours, record_last_write
from addin.excel.sheet_meta import percent_cells, table_extent, visibility
from addin.excel.ui import ExcelUI, StatusBarProgress

__all__ = ["ExcelWorkbook", "StatusBarProgress"]

log = logging.getLogger(__name__)

# Excel constants (no pywin32 import: this module loads on Linux too).
_XL_FORMULAS, _XL_PART, _XL_BY_ROWS, _XL_PREVIOUS = -4123, 2, 1, 2  # Range.Find
_TABLE_STYLE = "TableStyleLight9"  # the templates' style


class ExcelWorkbook(ExcelUI):
    """`GridSource` and `ResultSink` over an `xw.Book`, with the few UI calls the macros need."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._grids: dict[str, Grid] = {}
        self._last_rows: dict[str, int] = {}
        self._results: list[list[object]] = []
        self._journal: list[list[object]] = []
        self._coloured: set[tuple[str, int]] = set()  # status columns whose rules are installed
        self._wrote = False  # results written since the last save: the last-write stamp is due

    # ── GridSource ─────────────────────────────────────────────────────────
    def identity(self) -> str:
        """The workbook's full path (its name while never saved): the run journal's key."""
        return str(getattr(self.book, "fullname", "") or self.book.name)

    def sheet_names(self) -> list[str]:
        """Worksheets only: xlwings' `book.sheets` leaves chart sheets out (Windows engine)."""
        return [sheet.name for sheet in self.book.sheets]

    def table_names(self, sheet: str) -> list[str]:
        return [table.name for table in self.book.sheets[sheet].tables]

    def sheet_visibility(self, sheet: str) -> str:
        """"visible", "hidden" or "veryHidden" of a sheet of the book."""
        return visibility(self.book.sheets[sheet].visible)

    def grid(self, sheet: str) -> Grid:
        """The used block of the sheet down to its last value, read in bounded chunks (cached:
        statuses are merged into it)."""
        if sheet not in self._grids:
            used = self._value_block(self.book.sheets[sheet])
            # err_to_str: "#N/A" and friends arrive as text the core flags, not as silent blanks;
            # chunksize: xlwings' remedy for big ranges, a bounded number of cells per COM call.
            rows = used.options(ndim=2, err_to_str=True, chunksize=chunk_rows(used.shape[1]))
            values = rows.value
            # Excel computes every formula, so live books never have formulas without a value.
            xl_sheet = self.book.sheets[sheet]
            rows = [list(r) for r in values]
            tables = tuple(table_extent(t) for t in xl_sheet.tables)
            percent = percent_cells(xl_sheet, rows, used.row, used.column)
            self._grids[sheet] = Grid(
                rows, used.row, used.column, tables=tables, percent_cells=percent
            )
        return self._grids[sheet]

    def connexion(self) -> dict[str, str]:
        if CONNEXION_SHEET not in self.sheet_names():
            return {}
        return parse_connexion(self.grid(CONNEXION_SHEET).values)

    def set_connexion(self, key: str, value: str) -> None:
        """Write one value of the Connexion sheet (its row found by label, else a new row)."""
        grid = self.grid(CONNEXION_SHEET)
        index = connexion_row(grid.values, key)
        row = grid.first_row + (len(grid.values) if index is None else index)
        cells = [[KEYS[key], value]] if index is None else [[value]]
        col = grid.first_col + (0 if index is None else 1)
        with writing(CONNEXION_SHEET):
            self.book.sheets[CONNEXION_SHEET].range((row, col)).value = rectangle(cells)
        if index is None:  # the cache mirrors the write (remote engines re-read stale values)
            grid.values.append([KEYS[key], value])
        else:
            grid.values[index] = [grid.values[index][0], value, *grid.values[index][2:]]

    def active_sheet(self) -> str:
        """The active worksheet's name; a chart sheet is not one (it has no cells to read)."""
        name = str(self.book.sheets.active.name)
        if name not in self.sheet_names():
            raise WorkbookError(
                f"La feuille active « {name} » est un graphique, pas une feuille de calcul : "
                "activez la feuille de données à traiter, puis relancez.")
        return name

    def folder(self) -> str | None:
        """The workbook's folder on disk; None when unsaved or stored online (OneDrive URL)."""
        full = str(getattr(self.book, "fullname", "") or "")
        if "://" in full or not any(sep in full for sep in "\\/"):
            return None
        kind = PureWindowsPath if "\\" in full else PurePosixPath
        return str(kind(full).parent)

    def ensure_writable(self, sheets: Sequence[str]) -> None:
        """Refuse *before sending* what could not be written back afterwards: a protected data
        sheet (statuses), or a protected structure when Résultats/Journal must be created."""
        for sheet in sheets:
            if self._protected(sheet):
                raise WorkbookError(protected_message(sheet))
        missing = {layout.RESULTATS_SHEET, layout.JOURNAL_SHEET} - set(self.sheet_names())
        for name in sorted(missing & set(self._all_tab_names())):
            raise WorkbookError(
                f"L'onglet « {name} » n'est pas une feuille de calcul (graphique ?) : le "
                "complément ne pourrait pas y écrire les résultats. Renommez-le, puis relancez "
                "(rien n'a été envoyé).")
        if missing and self._structure_protected():
            raise WorkbookError(structure_message(
                "créer les feuilles " + " et ".join(sorted(missing)) + " (rien n'a été envoyé)"))

    def find_status_column(self, sheet: str) -> tuple[int, int, list[object]] | None:
        """Header row, column and current values below it of the #STATUT column (searched in
        the first 20 rows, so that it works on any sheet, even one no endpoint matches)."""
        grid = self.grid(sheet)
        for offset, values in enumerate(grid.values[:20]):
            for index, value in enumerate(values):
                if isinstance(value, str) and value.strip().upper() == layout.STATUS_HEADER:
                    below = grid.values[offset + 1 :]
                    statuses = [r[index] if index < len(r) else None for r in below]
                    return grid.first_row + offset, grid.first_col + index, statuses
        return None

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()

    # ── ResultSink ─────────────────────────────────────────────────────────
    def write_statuses(self, sheet: str, data: Any, rows: Sequence[Any]) -> None:
        """Write each row's `#STATUT` text in one block; other rows keep their current status.

        The column is created after the used block when missing; colours come from conditional
        formats installed once on the column, so their cost does not depend on the row count.
        """
        # Skipped rows keep their earlier status (and its pièce numbers).
        texts = {r.row: r.text for r in rows if r.state != status.RowState.SKIPPED}
        self._write_status_column(sheet, data, texts)
        stamps = {r.row: r.stamp for r in rows if getattr(r, "stamp", "")}
        if stamps:  # hidden #EMPREINTE: a saved copy elsewhere still knows what was imported
            self._write_status_column(sheet, data, stamps, header=layout.STAMP_HEADER)

    def clear_statuses(self, sheet: str, header_row: int, col: int) -> int:
        """Empty the status cells below `header_row` in column `col` in one call; the count."""
        grid = self.grid(sheet)
        last = grid.first_row + len(grid.values) - 1
        if last <= header_row:
            return 0
        if self._protected(sheet):
            raise WorkbookError(protected_message(sheet))
        rng = self.book.sheets[sheet].range((header_row + 1, col), (last, col))
        with writing(sheet):
            rng.clear_contents()
        self._set_cached(sheet, col, dict.fromkeys(range(header_row + 1, last + 1)))
        return last - header_row

    def append_results(self, rows: list[list[object]]) -> None:
        self._results.extend(rows)

    def append_journal(self, rows: list[list[object]]) -> None:
        self._journal.extend(rows)

    def save(self) -> None:
        """Flush the buffered Résultats and Journal rows: one bulk append per sheet.

        The book itself is not saved: in Excel the user decides when to save (the final message
        says so); an unsaved new book would otherwise open a "Save as" dialog mid-run.
        """
        self.flush()
        if self._wrote:
            self._wrote = False
            record_last_write(self.book)

    def flush(self) -> None:
        """Append buffered ledger and journal rows (also used on the error path)."""
        results, self._results = self._results, []
        journal, self._journal = self._journal, []
        if results:
            self._append(layout.RESULTATS_SHEET, layout.RESULTATS_HEADERS, results)
        if journal:
            self._append(layout.JOURNAL_SHEET, layout.JOURNAL_HEADERS, journal)
        self._wrote = self._wrote or bool(results or journal)

    # ── sheets for new templates ───────────────────────────────────────────
    def add_sheet(self, name: str, rows: list[list[object]], formats: Sequence[str] = (), *,
                  table: str | None = None) -> str:
        """A new sheet after the last one, `rows` written from A1 in one call; its final name.

        With `table`, the last row of `rows` (the field codes) heads an Excel Table of one empty
        data row: `formats[i]` (text "@" keeps codes and postcodes as typed) is set on that row
        and Excel carries it to every row the table grows by, so no empty row is formatted
        (formatting rows 3 to 1,048,576 would make every later read pull a million rows).
        """
        if self._structure_protected():
            raise WorkbookError(structure_message("ajouter une feuille"))
        taken = {n.casefold() for n in self._all_tab_names()}
        final, n = name[:31], 2
        while final.casefold() in taken:
            final, n = f"{name[:26]} ({n})", n + 1
        sheets = self.book.sheets
        block = rectangle(rows)
        with writing(final):
            sheet = sheets.add(final, after=sheets[len(sheets) - 1])
            sheet.range((1, 1)).value = block
            data_row = len(block) + 1
            if table is not None and block:
                self._add_table(sheet, table, len(block), data_row, len(block[0]))
            for first, last, fmt in runs(formats):
                if fmt and fmt != "General":
                    sheet.range((data_row, first), (data_row, last)).number_format = fmt
        return final

    def replace_sheet(self, name: str, rows: list[list[object]]) -> None:
        """`name` holds exactly `rows` from A1 (created at the end if missing): one clear and
        one write, whatever the number of rows; every cell as text (codes, "#")."""
        sheets = self.book.sheets
        with writing(name):
            if name in self.sheet_names():
                sheet = sheets[name]
                sheet.used_range.clear_contents()
            else:
                active = self.active_sheet()  # adding a sheet activates it: the user stays put
                sheet = sheets.add(name, after=sheets[len(sheets) - 1])
                self.activate(active)
            block = rectangle(rows) or [[None]]
            sheet.range((1, 1), (len(block), len(block[0]) or 1)).number_format = "@"
            sheet.range((1, 1)).value = block
        self._grids.pop(name, None)

    # ── internals ──────────────────────────────────────────────────────────
    def _write_status_column(
        self, sheet: str, data: Any, texts: dict[int, object], header: str = layout.STATUS_HEADER
    ) -> None:
        if data.header_row is None or not texts:
            return
        self._wrote = True
        grid = self.grid(sheet)
        known = data.status_column if header == layout.STATUS_HEADER else data.stamp_column
        if known is not None:
            col = grid.first_col + known.index
        else:  # one this run created earlier (e.g. by the check), else a new one after the block
            cells = grid.values[data.header_row - grid.first_row]
            found = [i for i, v in enumerate(cells) if v == header]
            width = max((len(r) for r in grid.values), default=0)
            col = grid.first_col + (found[0] if found else width)
        top, bottom = data.header_row, max(max(texts), data.header_row)
        current = self._column(grid, col, top, bottom)
        block = []
        for row in range(top, bottom + 1):
            value = header if row == top else texts.get(row, current.get(row))
            block.append([cell(value)])
        target = self.book.sheets[sheet]
        if self._protected(sheet):
            raise WorkbookError(protected_message(sheet))
        with writing(sheet):
            target.range((top, col)).options(chunksize=chunk_rows(1)).value = block
        if header != layout.STATUS_HEADER:
            hide_column(target, col)
        elif (sheet, col) not in self._coloured:
            install_colours(target, col, top + 1, lambda: self._last_row(target))
            self._coloured.add((sheet, col))
        self._set_cached(sheet, col, {top + i: v[0] for i, v in enumerate(block)})

    def _value_block(self, sheet: Any) -> Any:
        """UsedRange cut at the last row holding a value or formula: UsedRange also counts
        formatted cells, and a sheet formatted down to row 1,048,576 (whole columns, or an
        older "Nouvelle feuille") would otherwise make every read pull a million empty rows."""
        used = sheet.used_range
        try:  # Cells.Find("*", xlFormulas, xlPart, xlByRows, xlPrevious): hidden rows included
            found = sheet.api.Cells.Find(What="*", LookIn=_XL_FORMULAS, LookAt=_XL_PART,
                                         SearchOrder=_XL_BY_ROWS, SearchDirection=_XL_PREVIOUS)
        except Exception:  # remote engines: their used range is values only
            return used
        bottom = used.row if found is None else int(found.Row)
        if not used.row <= bottom < used.row + used.shape[0] - 1:
            return used
        return sheet.range((used.row, used.column), (bottom, used.column + used.shape[1] - 1))

    def _last_row(self, sheet: Any) -> int:
        """The sheet's last row (1,048,576, or 65,536 for a .xls sheet), asked once per sheet."""
        name = sheet.name
        if name not in self._last_rows:
            self._last_rows[name] = int(sheet.cells.last_cell.row)
        return self._last_rows[name]

    def _protected(self, sheet: str) -> bool:
        """Whether the sheet's cells are protected (desktop Excel only; elsewhere: try)."""
        try:
            return bool(self.book.sheets[sheet].api.ProtectContents)
        except Exception:  # no COM object (remote engine) or no such sheet yet
            return False

    def _structure_protected(self) -> bool:
        try:
            return bool(self.book.api.ProtectStructure)
        except Exception:
            return False

    def _all_tab_names(self) -> list[str]:
        """Every tab, chart sheets included (a new sheet may not take a chart sheet's name)."""
        try:
            return [str(tab.Name) for tab in self.book.api.Sheets]
        except Exception:  # remote engines: worksheets are all there is
            return self.sheet_names()

    def _add_table(self, sheet: Any, name: str, header_row: int, data_row: int,
                   width: int) -> None:
        """An Excel Table over the header row and one empty data row, named after the endpoint
        when that name is free in the workbook (the name is how a sheet finds its endpoint)."""
        taken = {t.casefold() for s in self.sheet_names() for t in self.table_names(s)}
        source = sheet.range((header_row, 1), (data_row, width))
        try:
            sheet.tables.add(source=source, name=None if name.casefold() in taken else name,
                             table_style_name=_TABLE_STYLE)
        except Exception:  # a plain sheet still works (resolved by its name): never fail here
            log.info("no table on the new sheet %s", name, exc_info=True)

    @staticmethod
    def _column(grid: Grid, col: int, top: int, bottom: int) -> dict[int, object]:
        index = col - grid.first_col
        found: dict[int, object] = {}
        for offset, values in enumerate(grid.values):
            row = grid.first_row + offset
            if top <= row <= bottom and 0 <= index < len(values) and values[index] is not None:
                found[row] = values[index]
        return found

    def _set_cached(self, sheet: str, col: int, cells: dict[int, object]) -> None:
        """Mirror a write into the cached grid, so later steps of the run see it without a
        re-read (remote engines do not reflect writes in reads)."""
        grid = self._grids.get(sheet)
        if grid is None:
            return
        index = col - grid.first_col
        for row, value in cells.items():
            offset = row - grid.first_row
            if offset < 0 or index < 0:
                continue
            while len(grid.values) <= offset:
                grid.values.append([])
            values = grid.values[offset]
            if len(values) <= index:
                values.extend([None] * (index + 1 - len(values)))
            values[index] = value

    def _append(self, name: str, headers: Sequence[str], rows: list[list[object]]) -> None:
        """Append rows below the last used row, creating the sheet with its headers if missing."""
        sheets = self.book.sheets
        with writing(name):
            if name in self.sheet_names():
                sheet = sheets[name]
                last = self._value_block(sheet).last_cell.row
                if last == 1 and sheet.range((1, 1)).value is None:
                    block, start = [list(headers), *rows], 1
                else:
                    block, start = rows, last + 1
            else:
                active = sheets.active
                sheet = sheets.add(name, after=sheets[len(sheets) - 1])
                active.activate()  # adding a sheet activates it: keep the user where they were
                block, start = [list(headers), *rows], 1
            data = rectangle(block)
            width = len(data[0]) if data else 1
            sheet.range((start, 1)).options(chunksize=chunk_rows(width)).value = data

