"""openpyxl/calamine adapter: the headless grid source and result sink over an .xlsx file.

Reading uses python-calamine (cell values, cached formula results, tables, merges: ~30× faster
than openpyxl) plus one byte scan of each sheet's XML for what calamine hides (formulas without
a cached value, error cells). Writing loads the file once with openpyxl (formulas, tables, data
validations and styles kept), touches only `#STATUT`, Résultats and Journal, and saves through
a temporary file + `os.replace`, so that a failed save never damages the original.
"""

from __future__ import annotations

import gc
import os
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine

from addin.core import ledger
from addin.core.connexion import CONNEXION_SHEET, parse_connexion
from addin.core.errors import AddinError, WorkbookError, WriteBackError
from addin.core.grid import Grid
from addin.core.issues import column_letter
from addin.io.xlsx_scan import hidden_rows, scan_sheet, sheet_parts

__all__ = ["SUFFIXES", "XlsxSink", "XlsxWorkbook", "open_workbook"]

SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
MAX_ROWS = 1_048_576


def open_workbook(path: str | os.PathLike[str]) -> XlsxWorkbook:
    """Open an .xlsx/.xlsm file for reading (and, through `.sink()`, for writing results)."""
    return XlsxWorkbook(Path(path))


@contextmanager
def _mapped(path: Path, action: str = "lire") -> Iterator[None]:
    """Map OS, zip, openpyxl and calamine failures to one French `WorkbookError`."""
    try:
        yield
    except AddinError:
        raise
    except FileNotFoundError as exc:
        raise WorkbookError(
            f"Classeur introuvable : {path}. Vérifiez le chemin et le nom du fichier.",
            detail=str(exc),
        ) from exc
    except PermissionError as exc:
        raise WorkbookError(
            f"Accès refusé au classeur {path.name} : il est peut-être ouvert dans Excel ou en "
            "lecture seule. Fermez-le et relancez (ou écrivez les résultats ailleurs avec --out).",
            detail=str(exc),
        ) from exc
    except IsADirectoryError as exc:
        raise WorkbookError(f"{path} est un dossier, pas un classeur.") from exc
    except OSError as exc:
        raise WorkbookError(
            f"Impossible de {action} le classeur {path.name} : {exc.strerror or exc}.",
            detail=str(exc),
        ) from exc
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, TypeError) as exc:
        raise _unreadable(path, exc) from exc
    except python_calamine.PasswordError as exc:
        raise WorkbookError(
            f"Le classeur {path.name} est protégé par un mot de passe : enregistrez-en une copie "
            "sans mot de passe d'ouverture."
        ) from exc
    except python_calamine.CalamineError as exc:
        raise _unreadable(path, exc) from exc
    except Exception as exc:  # openpyxl raises bare exceptions on malformed parts
        if type(exc).__module__.startswith(("openpyxl", "python_calamine")):
            raise _unreadable(path, exc) from exc
        raise


def _unreadable(path: Path, exc: BaseException) -> WorkbookError:
    return WorkbookError(
        f"Le fichier {path.name} n'est pas un classeur Excel .xlsx lisible (endommagé, protégé "
        "par mot de passe ou d'un autre format ?). Ouvrez-le dans Excel et enregistrez-le au "
        "format « Classeur Excel (.xlsx) ».",
        detail=f"{type(exc).__name__}: {exc}",
    )


class XlsxWorkbook:
    """`GridSource` over an .xlsx file; `sink()` gives the matching `ResultSink`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.suffix.lower() not in SUFFIXES:
            raise WorkbookError(
                f"{path.name} : format non pris en charge. Enregistrez le classeur au format "
                "« Classeur Excel (.xlsx) »."
            )
        with _mapped(path):
            if not path.is_file():
                raise FileNotFoundError(path)
            with zipfile.ZipFile(path) as archive:
                self._parts = sheet_parts(archive)
        self._reader: python_calamine.CalamineWorkbook | None = None
        self._grids: dict[str, Grid] = {}

    @property
    def _book(self) -> python_calamine.CalamineWorkbook:
        if self._reader is None:
            with _mapped(self.path):
                self._reader = python_calamine.CalamineWorkbook.from_path(
                    str(self.path), load_tables=True
                )
        return self._reader

    def sheet_names(self) -> list[str]:
        return [
            m.name
            for m in self._book.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]

    def table_names(self, sheet: str) -> list[str]:
        names = []
        for name in self._book.table_names:
            with _mapped(self.path):
                if self._book.get_table_by_name(name).sheet == sheet:
                    names.append(name)
        return names

    def grid(self, sheet: str) -> Grid:
        """Cell values from A1 (cached formula results, `#N/A`-style error texts), cached."""
        if sheet not in self._grids:
            self._grids[sheet] = self._read_grid(sheet)
        return self._grids[sheet]

    def connexion(self) -> dict[str, str]:
        if CONNEXION_SHEET not in self.sheet_names():
            return {}
        return parse_connexion(self.grid(CONNEXION_SHEET).values)

    def sink(self, out: str | os.PathLike[str] | None = None) -> XlsxSink:
        """The result writer: into this file (atomically) or into a copy at `out`."""
        return XlsxSink(self, Path(out) if out is not None else None)

    def close(self) -> None:
        """Release the file (reopened on demand): Windows cannot replace an open file."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _read_grid(self, sheet: str) -> Grid:
        if sheet not in self.sheet_names():
            raise WorkbookError(
                f"Feuille « {sheet} » introuvable dans {self.path.name}. "
                f"Feuilles du classeur : {', '.join(self.sheet_names())}."
            )
        with _mapped(self.path):
            data = self._book.get_sheet_by_name(sheet)
            raw = data.to_python(skip_empty_area=False)
            merged = tuple(
                f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
                for (r0, c0), (r1, c1) in (data.merged_cell_ranges or ())
            )
            part = self._parts.get(sheet)
            formulas, errors, hidden = ([], {}, frozenset())
            if part is not None:
                with zipfile.ZipFile(self.path) as archive:
                    xml = archive.read(part)
                formulas, errors = scan_sheet(xml)
                hidden = hidden_rows(xml)
        # Calamine gives "" for empty cells; the core expects None, as openpyxl and Excel give.
        values: list[list[object]] = [[None if v == "" else v for v in row] for row in raw]
        for (row, col), text in errors.items():
            _put(values, row, col, text)
        missing = frozenset(
            (row, col) for row, col in formulas if _get(values, row, col) in (None, "")
        )
        for row, col in missing:
            _put(values, row, col, None)
        return Grid(values, 1, 1, missing, merged, hidden)


class XlsxSink:
    """`ResultSink` that buffers statuses and ledger rows, then writes them in one save."""

    def __init__(self, source: XlsxWorkbook, out: Path | None) -> None:
        self.source = source
        self.target = out or source.path
        self._statuses: dict[str, tuple[Any, dict[int, str]]] = {}
        self._results: list[list[object]] = []
        self._journal: list[list[object]] = []
        self.fallback: Path | None = None
        _check_writable(self.target)

    def write_statuses(self, sheet: str, data: Any, rows: Sequence[Any]) -> None:
        """Buffer row texts; skipped rows keep their earlier status (and its pièce number)."""
        _, texts = self._statuses.setdefault(sheet, (data, {}))
        texts.update({r.row: r.text for r in rows if r.state != ledger.RowState.SKIPPED})

    def append_results(self, rows: list[list[object]]) -> None:
        self._results.extend(rows)

    def append_journal(self, rows: list[list[object]]) -> None:
        self._journal.extend(rows)

    def save(self) -> None:
        """Load once with openpyxl, apply everything, save atomically (or to a fallback copy)."""
        import openpyxl

        path = self.source.path
        with _gc_paused(), _mapped(path):
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
        if self._results:
            _append(book, ledger.RESULTS_SHEET, ledger.RESULTS_HEADERS, self._results)
        if self._journal:
            _append(book, ledger.JOURNAL_SHEET, ledger.JOURNAL_HEADERS, self._journal)
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
            col = _find_header(ws, header_row, ledger.STATUS_HEADER) or _next_column(grid, ws)
            header = ws.cell(header_row, col)
            header.value = ledger.STATUS_HEADER
            if col > 1:  # look like the other headers (bold, fill, borders)
                header._style = copy(ws.cell(header_row, col - 1)._style)
            _extend_table(ws, header_row, col)
        for row, text in texts.items():
            write_text(ws.cell(row, col), text)
        _status_colours(ws, col, header_row + 1)
        width = ws.column_dimensions[column_letter(col)].width
        if not width or width < 30:
            ws.column_dimensions[column_letter(col)].width = 40


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
    text = ledger.clean_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if ledger.looks_like_formula(text):
        cell.quotePrefix = True  # Excel keeps it text even when the user edits the cell


def atomic_save(book: Any, target: Path) -> None:
    """Save to a temporary file in the target's folder, then replace the target in one step."""
    with _mapped(target, "enregistrer"):
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
    labels = sorted(ledger.STATE_LABELS.items(), key=lambda item: -len(item[1]))
    for state, label in labels:  # longest first: "Importée avec…" before "Importée"
        colour = ledger.STATE_FILLS[state]
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
            table.tableColumns.append(TableColumn(id=next_id, name=ledger.STATUS_HEADER))
            return


def _get(values: list[list[object]], row: int, col: int) -> object:
    if row - 1 < len(values) and col - 1 < len(values[row - 1]):
        return values[row - 1][col - 1]
    return None


def _put(values: list[list[object]], row: int, col: int, value: object) -> None:
    width = max((len(r) for r in values), default=0)
    while len(values) < row:
        values.append([None] * width)
    line = values[row - 1]
    if len(line) < col:
        line.extend([None] * (col - len(line)))
    line[col - 1] = value
