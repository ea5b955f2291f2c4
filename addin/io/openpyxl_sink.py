"""openpyxl result sink: `#STATUT` cells, Résultats and Journal written into an .xlsx file.

Loads the file once with openpyxl (formulas, tables, data validations and styles kept), touches
only `#STATUT`, Résultats and Journal, and saves through a temporary file + `os.replace`, so that
a failed save never damages the original.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from addin.core import cell_text, layout, status
from addin.core.errors import WorkbookError, WriteBackError
from addin.core.grid import Grid
from addin.core.issues import column_letter
from addin.io.file_errors import mapped

__all__ = ["XlsxSink", "atomic_save", "write_text"]

MAX_ROWS = 1_048_576


class _Source(Protocol):
    """What the sink needs of the workbook it writes back into (the calamine reader)."""

    path: Path

    def sheet_names(self) -> list[str]: ...
    def grid(self, sheet: str) -> Grid: ...
    def close(self) -> None: ...


class XlsxSink:
    """`ResultSink` that buffers statuses and ledger rows, then writes them in one save."""

    def __init__(self, source: _Source, out: Path | None) -> None:
        self.source = source
        self.target = out or source.path
        self._statuses: dict[str, tuple[Any, dict[int, str]]] = {}
        self._stamps: dict[str, dict[int, str]] = {}
        self._results: list[list[object]] = []
        self._journal: list[list[object]] = []
        self.fallback: Path | None = None
        _check_writable(self.target)

    def write_statuses(self, sheet: str, data: Any, rows: Sequence[Any]) -> None:
        """Buffer row texts; skipped rows keep their earlier status (and its pièce number)."""
        _, texts = self._statuses.setdefault(sheet, (data, {}))
        texts.update({r.row: r.text for r in rows if r.state != status.RowState.SKIPPED})
        stamps = {r.row: r.stamp for r in rows if getattr(r, "stamp", "")}
        if stamps:
            self._stamps.setdefault(sheet, {}).update(stamps)

    def append_results(self, rows: list[list[object]]) -> None:
        self._results.extend(rows)

    def append_journal(self, rows: list[list[object]]) -> None:
        self._journal.extend(rows)

    def save(self) -> None:
        """Load once with openpyxl, apply everything, save atomically (or to a fallback copy)."""
        import openpyxl

        path = self.source.path
        with _gc_paused(), mapped(path):
            book = openpyxl.load_workbook(
                path,
                data_only=False,
                keep_vba=path.suffix.lower() in (".xlsm", ".xltm"),
                keep_links=True,
                rich_text=True,
            )
        for sheet, (data, texts) in self._statuses.items():
            if sheet in book.sheetnames and texts:
                self._write_status_column(book[sheet], sheet, data, texts)
            if sheet in book.sheetnames and self._stamps.get(sheet):
                _write_stamp_column(book[sheet], data, self._stamps[sheet])
        if self._results:
            _append(book, layout.RESULTATS_SHEET, layout.RESULTATS_HEADERS, self._results)
        if self._journal:
            _append(book, layout.JOURNAL_SHEET, layout.JOURNAL_HEADERS, self._journal)
        self.source.close()
        try:
            with _gc_paused():
                atomic_save(book, self.target)
        except WorkbookError as exc:
            self.fallback = _save_fallback(book, self.target)
            where = f" Ils ont été enregistrés dans {self.fallback}." if self.fallback else ""
            raise WriteBackError(
                f"{exc.user_message} Les lignes ont été envoyées mais les résultats n'ont pas pu "
                f"être écrits dans {self.target.name}.{where}",
                detail=exc.detail,
            ) from exc
        self._statuses.clear()
        self._stamps.clear()
        self._results.clear()
        self._journal.clear()

    def _write_status_column(self, ws: Any, sheet: str, data: Any, texts: dict[int, str]) -> None:
        header_row = getattr(data, "header_row", None)
        if header_row is None:  # no header found: the sheet had no rows to report on
            return
        grid = self.source.grid(sheet) if sheet in self.source.sheet_names() else None
        column = getattr(data, "status_column", None)
        if column is not None:
            col = (grid.first_col if grid else 1) + column.index
        else:
            col = _find_header(ws, header_row, layout.STATUS_HEADER) or _next_column(grid, ws)
            header = ws.cell(header_row, col)
            header.value = layout.STATUS_HEADER
            if col > 1:  # look like the other headers (bold, fill, borders)
                header._style = copy(ws.cell(header_row, col - 1)._style)
            _extend_table(ws, header_row, col)
        for row, text in texts.items():
            write_text(ws.cell(row, col), text)
        _status_colours(ws, col, header_row + 1)
        width = ws.column_dimensions[column_letter(col)].width
        if not width or width < 30:
            ws.column_dimensions[column_letter(col)].width = 40


def _write_stamp_column(ws: Any, data: Any, stamps: dict[int, str]) -> None:
    """The hidden `#EMPREINTE` column: run id and content stamp of each imported row, so that a
    saved copy opened on another machine still knows what was imported."""
    header_row = getattr(data, "header_row", None)
    if header_row is None:
        return
    col = _find_header(ws, header_row, layout.STAMP_HEADER)
    if col is None:
        col = ws.max_column + 1
        header = ws.cell(header_row, col)
        header.value = layout.STAMP_HEADER
        _extend_table(ws, header_row, col)
    for row, text in stamps.items():
        write_text(ws.cell(row, col), text)
    ws.column_dimensions[column_letter(col)].hidden = True


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while openpyxl builds or writes millions of cells (~25 % faster, measured):
    every collection would traverse them all, and none of them is garbage yet."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- writing helpers ----------------------------------------------------------------------


def write_text(cell: Any, value: object) -> None:
    """Store any value; text always as a string cell, never a formula (even `=…`, `+…`, `@…`)."""
    if not isinstance(value, str):
        cell.value = value
        return
    text = cell_text.clean_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if cell_text.looks_like_formula(text):
        cell.quotePrefix = True  # Excel keeps it text even when the user edits the cell


def atomic_save(book: Any, target: Path) -> None:
    """Save to a temporary file in the target's folder, then replace the target in one step."""
    with mapped(target, "enregistrer"):
        fd, tmp_name = tempfile.mkstemp(
            prefix=".~gestimum-", suffix=target.suffix, dir=target.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            book.save(tmp)
            if target.exists():  # mkstemp files are 0600: keep the workbook's own permissions
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _save_fallback(book: Any, target: Path) -> Path | None:
    """Keep the results somewhere when the target cannot be written (nothing may be lost)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{target.stem}.resultats-{stamp}{target.suffix}"
    for folder in (target.parent, Path(tempfile.gettempdir())):
        try:
            atomic_save(book, folder / name)
            return folder / name
        except WorkbookError:
            continue
    return None


def _check_writable(target: Path) -> None:
    """Refuse before sending anything when the results could not be saved afterwards."""
    lock_files = (
        target.with_name(f"~${target.name}"),  # Excel
        target.with_name(f".~lock.{target.name}#"),  # LibreOffice
    )
    for lock in lock_files:
        if lock.exists():
            raise WorkbookError(
                f"Le classeur {target.name} est ouvert (fichier de verrouillage {lock.name}) : "
                "fermez-le avant l'import, ou écrivez les résultats dans une copie avec --out. "
                "S'il n'est ouvert nulle part, supprimez ce fichier de verrouillage."
            )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(f"Dossier de sortie introuvable : {folder}.")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise WorkbookError(
            f"Écriture impossible dans {target} (droits insuffisants ou fichier en lecture "
            "seule) : choisissez un autre emplacement avec --out."
        )


def _append(book: Any, name: str, headers: Sequence[str], rows: list[list[object]]) -> None:
    """Append rows under the last used row of `name`; create it with its headers if missing."""
    from openpyxl.styles import Font

    if name in book.sheetnames:
        ws = book[name]
        start = ws.max_row + 1
        if ws.max_row == 1 and ws.cell(1, 1).value is None:
            start = 1
    else:
        ws = book.create_sheet(name)
        start = 1
    if start == 1:
        for col, header in enumerate(headers, start=1):
            cell = ws.cell(1, col)
            write_text(cell, header)
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        start = 2
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(start + offset, col)
            write_text(cell, value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"


def _status_colours(ws: Any, col: int, first_row: int) -> None:
    """One "begins with" conditional fill per state on the status column (same as Excel's)."""
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import PatternFill
    from openpyxl.styles.differential import DifferentialStyle

    letter = column_letter(col)
    ref = f"{letter}{first_row}:{letter}{MAX_ROWS}"
    rules = ws.conditional_formatting
    # Re-runs replace our rules instead of piling them up (openpyxl has no public removal).
    for existing in list(rules._cf_rules):
        if str(existing.sqref) == ref:
            del rules._cf_rules[existing]
    labels = sorted(status.STATE_LABELS.items(), key=lambda item: -len(item[1]))
    for state, label in labels:  # longest first: "Importée avec…" before "Importée"
        colour = status.STATE_FILLS[state]
        fill = PatternFill(fill_type="solid", fgColor=colour, bgColor=colour)
        escaped = label.replace('"', '""')
        rules.add(
            ref,
            Rule(
                type="beginsWith",
                operator="beginsWith",
                text=label,
                formula=[f'LEFT({letter}{first_row},{len(label)})="{escaped}"'],
                dxf=DifferentialStyle(fill=fill),
                stopIfTrue=True,
            ),
        )


def _find_header(ws: Any, row: int, text: str) -> int | None:
    for cell in next(ws.iter_rows(min_row=row, max_row=row), ()):
        if isinstance(cell.value, str) and cell.value.strip().upper() == text:
            return int(cell.column)
    return None


def _next_column(grid: Grid | None, ws: Any) -> int:
    if grid is not None and grid.values:
        return grid.first_col + max(len(r) for r in grid.values)
    return int(ws.max_column) + 1


def _extend_table(ws: Any, header_row: int, col: int) -> None:
    """Grow the Excel Table that ends just left of a new `#STATUT` column to include it."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row == header_row and max_col == col - 1:
            table.ref = f"{column_letter(min_col)}{min_row}:{column_letter(col)}{max_row}"
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
            next_id = max((c.id for c in table.tableColumns), default=0) + 1
            table.tableColumns.append(TableColumn(id=next_id, name=layout.STATUS_HEADER))
            return
