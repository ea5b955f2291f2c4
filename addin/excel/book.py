"""xlwings adapter: the pipeline's grid source and result sink over a live Excel book.

With `sheet_meta.py`, the only module that touches the xlwings Book/Range API. Every sheet is
read in one bulk call and written in one bulk call, so a macro costs the same number of Excel
round trips for 10 rows as for 10,000 (each COM call is a round trip: per-cell loops are what
makes add-ins slow).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from addin.core import cell_text, layout, status
from addin.core.connexion import CONNEXION_SHEET, parse_connexion
from addin.core.errors import AddinError, WorkbookError
from addin.core.grid import Grid
from addin.excel.sheet_meta import percent_cells, table_extent, visibility

__all__ = ["MAX_ROWS", "ExcelWorkbook", "StatusBarProgress"]

log = logging.getLogger(__name__)

MAX_ROWS = 1_048_576  # Excel's last row: colour rules cover the whole status column once
# Excel constants for FormatConditions.Add (no pywin32 import: this module loads on Linux too).
_XL_TEXT_STRING = 9
_XL_BEGINS_WITH = 2
_MAX_ALERT = 1_000  # a message box beyond this is unreadable; details go to the sheets


def _bgr(rgb_hex: str) -> int:
    # Excel's Interior.Color is a BGR integer; the ledger gives RGB hex like openpyxl.
    red, green, blue = (int(rgb_hex[i : i + 2], 16) for i in (0, 2, 4))
    return red + green * 256 + blue * 65_536


def _cell(value: object) -> object:
    """A value as written through `Range.value`, which Excel parses like typed input.

    `cell_text.safe_text` puts Excel's quote prefix on formula-like texts ("=…", "+…"); here
    Excel would also turn "1/2" into a date, "0123" into 123, "1E5" into 100000 (a batch "1/2",
    a SHA-256) and eat a leading quote, so every text gets that prefix, which Excel consumes:
    the cell holds the exact (cleaned) text and never a formula.
    """
    if not isinstance(value, str):
        return value
    text = cell_text.clean_text(value)
    return "'" + text if text else None


@contextmanager
def _writing(sheet: str) -> Iterator[None]:
    """Map a failed Excel write (protected sheet, cell in edit mode…) to a French error once."""
    try:
        yield
    except AddinError:
        raise
    except Exception as exc:  # pywintypes.com_error is not importable on Linux
        raise WorkbookError(
            f"Excel refuse l'écriture dans la feuille « {sheet} » (feuille protégée ou cellule "
            "en cours de modification ?). Ôtez la protection, quittez la cellule et relancez.",
            detail=repr(exc),
        ) from exc


class ExcelWorkbook:
    """`GridSource` and `ResultSink` over an `xw.Book`, with the few UI calls the macros need."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._grids: dict[str, Grid] = {}
        self._results: list[list[object]] = []
        self._journal: list[list[object]] = []
        self._coloured: set[tuple[str, int]] = set()  # status columns whose rules are installed

    # ── GridSource ─────────────────────────────────────────────────────────
    def identity(self) -> str:
        """The workbook's full path (its name while never saved): the run journal's key."""
        return str(getattr(self.book, "fullname", "") or self.book.name)

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def table_names(self, sheet: str) -> list[str]:
        return [table.name for table in self.book.sheets[sheet].tables]

    def sheet_visibility(self, sheet: str) -> str:
        """"visible", "hidden" or "veryHidden" of a sheet of the book."""
        return visibility(self.book.sheets[sheet].visible)

    def grid(self, sheet: str) -> Grid:
        """The used block of the sheet, read in one call (cached: statuses are merged into it)."""
        if sheet not in self._grids:
            used = self.book.sheets[sheet].used_range
            # err_to_str: "#N/A" and friends arrive as text the core flags, not as silent blanks.
            values = used.options(ndim=2, err_to_str=True).value
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

    def active_sheet(self) -> str:
        return str(self.book.sheets.active.name)

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
        rng = self.book.sheets[sheet].range((header_row + 1, col), (last, col))
        with _writing(sheet):
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

    def flush(self) -> None:
        """Append buffered ledger and journal rows (also used on the error path)."""
        results, self._results = self._results, []
        journal, self._journal = self._journal, []
        if results:
            self._append(layout.RESULTATS_SHEET, layout.RESULTATS_HEADERS, results)
        if journal:
            self._append(layout.JOURNAL_SHEET, layout.JOURNAL_HEADERS, journal)

    # ── UI: message boxes, prompts, status bar, batch mode ─────────────────
    def alert(
        self, message: str, title: str = "Gestimum", *, buttons: str = "ok", critical: bool = False
    ) -> str | None:
        """A message box; returns the button pressed ("ok", "yes", "no"…), None on the server."""
        if len(message) > _MAX_ALERT:
            message = message[: _MAX_ALERT - 1] + "…"
        mode = "critical" if critical else "info"
        return self.book.app.alert(message, title=title, buttons=buttons, mode=mode)

    def confirm(self, message: str, title: str = "Gestimum") -> bool:
        """A yes/no question; only an explicit "yes" counts (the server engine answers None)."""
        return self.alert(message, title, buttons="yes_no", critical=True) == "yes"

    def input_box(self, prompt: str, title: str = "Gestimum", default: str = "") -> str | None:
        """Excel's own InputBox (xlwings has none); None when cancelled or unavailable."""
        try:
            answer = self.book.app.api.InputBox(prompt[:255], title, default, Type=2)
        except (NotImplementedError, AttributeError):
            return None
        # Cancel returns the boolean False; an empty answer is a valid (empty) text.
        return answer if isinstance(answer, str) else None

    def status(self, text: str | None) -> None:
        """Show text in Excel's status bar; None hands the status bar back to Excel."""
        # Remote engines have no status bar (NotImplementedError): progress is then silent.
        with suppress(NotImplementedError):
            self.book.app.status_bar = text if text else False

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Screen updating off and manual calculation for the run, restored even on errors."""
        app = self.book.app
        saved: dict[str, object] = {}
        for attr, value in (("screen_updating", False), ("calculation", "manual")):
            try:
                saved[attr] = getattr(app, attr)
                setattr(app, attr, value)
            except NotImplementedError:  # remote engines: getters raise, nothing to restore
                saved.pop(attr, None)
        try:
            yield
        finally:
            for attr, value in saved.items():
                try:
                    setattr(app, attr, value)
                except Exception:  # restoring must never hide the run's own error
                    log.warning("could not restore Excel %s", attr, exc_info=True)
            self.status(None)

    # ── sheets for new templates ───────────────────────────────────────────
    def add_sheet(self, name: str, rows: list[list[object]], formats: Sequence[str] = ()) -> str:
        """A new sheet after the last one, `rows` written from A1 in one call; its final name.

        `formats[i]` is the number format of column i+1 below the rows (text "@" keeps codes
        and postcodes as typed); adjacent columns with the same format share one call.
        """
        existing = {n.casefold() for n in self.sheet_names()}
        final, n = name[:31], 2
        while final.casefold() in existing:
            final, n = f"{name[:26]} ({n})", n + 1
        sheets = self.book.sheets
        with _writing(final):
            sheet = sheets.add(final, after=sheets[len(sheets) - 1])
            for first, last, fmt in _runs(formats):
                if fmt and fmt != "General":
                    sheet.range((len(rows) + 1, first), (MAX_ROWS, last)).number_format = fmt
            sheet.range((1, 1)).value = [[_cell(v) for v in row] for row in rows]
        return final

    # ── internals ──────────────────────────────────────────────────────────
    def _write_status_column(
        self, sheet: str, data: Any, texts: dict[int, object], header: str = layout.STATUS_HEADER
    ) -> None:
        if data.header_row is None or not texts:
            return
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
            block.append([_cell(value)])
        target = self.book.sheets[sheet]
        with _writing(sheet):
            target.range((top, col)).value = block
        if header != layout.STATUS_HEADER:
            _hide_column(target, col)
        elif (sheet, col) not in self._coloured:
            self._install_colours(target, col, top + 1)
            self._coloured.add((sheet, col))
        self._set_cached(sheet, col, {top + i: v[0] for i, v in enumerate(block)})

    def _install_colours(self, sheet: Any, col: int, first_row: int) -> None:
        """Conditional formats keyed on the status prefix: a fixed number of calls per sheet.

        They follow the text (clearing a status clears its colour) and are re-installed, not
        accumulated, on every run. Only desktop Excel has `.api`; elsewhere colours are skipped.
        """
        try:
            conditions = sheet.range((first_row, col), (MAX_ROWS, col)).api.FormatConditions
            conditions.Delete()
            # Longest labels first with decreasing priority: "Importée avec avertissement" must
            # win over "Importée", which is also its prefix.
            states = sorted(status.STATE_LABELS, key=lambda s: -len(status.STATE_LABELS[s]))
            for state in states:
                rule = conditions.Add(
                    Type=_XL_TEXT_STRING,
                    String=status.STATE_LABELS[state],
                    TextOperator=_XL_BEGINS_WITH,
                )
                rule.Interior.Color = _bgr(status.STATE_FILLS[state])
                rule.SetLastPriority()
        except Exception:  # colours are a help, never a reason to fail an import
            log.info("status colours not installed on %s", sheet.name, exc_info=True)

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
        with _writing(name):
            if name in self.sheet_names():
                sheet = sheets[name]
                last = sheet.used_range.last_cell.row
                if last == 1 and sheet.range((1, 1)).value is None:
                    block, start = [list(headers), *rows], 1
                else:
                    block, start = rows, last + 1
            else:
                active = sheets.active
                sheet = sheets.add(name, after=sheets[len(sheets) - 1])
                active.activate()  # adding a sheet activates it: keep the user where they were
                block, start = [list(headers), *rows], 1
            sheet.range((start, 1)).value = [[_cell(v) for v in row] for row in block]


def _runs(formats: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    """Runs of adjacent columns sharing a format: ["@", "@", "0"] → (1, 2, "@"), (3, 3, "0")."""
    start = 1
    for index in range(1, len(formats) + 1):
        if index == len(formats) or formats[index] != formats[start - 1]:
            yield start, index, formats[start - 1]
            start = index + 1


class StatusBarProgress:
    """The pipeline's `Progress` shown in Excel's status bar: sheet, batch n/N, rows."""

    def __init__(self, workbook: ExcelWorkbook, verb: str = "Import") -> None:
        self._workbook = workbook
        self._verb = verb
        self._rows: dict[str, int] = {}

    def start(self, sheet: str, batches: int, rows: int) -> None:
        self._rows[sheet] = rows
        self._workbook.status(f"Gestimum — {self._verb} {sheet} : lot 0/{batches}, 0/{rows} lignes")

    def advance(self, sheet: str, batch: int, batches: int, rows_done: int) -> None:
        total = self._rows.get(sheet, rows_done)
        self._workbook.status(
            f"Gestimum — {self._verb} {sheet} : lot {batch}/{batches}, {rows_done}/{total} lignes"
        )


def _hide_column(sheet: Any, col: int) -> None:
    """Hide a bookkeeping column (desktop Excel only; elsewhere it simply stays visible)."""
    try:
        sheet.range((1, col)).api.EntireColumn.Hidden = True
    except Exception:
        log.info("column %d not hidden on %s", col, getattr(sheet, "name", "?"), exc_info=True)
