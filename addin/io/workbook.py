"""python-calamine adapter: the headless grid source over an .xlsx file (results: `sink()`).

Reading uses python-calamine (cell values, cached formula results, tables, merges: ~30× faster
than openpyxl) plus one byte scan of each sheet's XML for what calamine hides (formulas without
a cached value, error cells). Writing goes through `package_writer` (the package edited
surgically, then replaced atomically).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import python_calamine

from addin.core.connexion import CONNEXION_SHEET, parse_connexion
from addin.core.errors import WorkbookError
from addin.core.grid import Grid
from addin.core.issues import column_letter
from addin.io.file_errors import check_file, mapped
from addin.io.package_writer import PackageSink
from addin.io.xlsx_meta import percent_cells, percent_styles, table_extents
from addin.io.xlsx_scan import far_cells, hidden_rows, scan_sheet, sheet_parts, table_names

__all__ = ["SUFFIXES", "PackageSink", "XlsxWorkbook", "open_workbook"]

SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
MAX_ROWS = 1_048_576
_VISIBILITY = (  # calamine's enum is not hashable: compared one by one
    (python_calamine.SheetVisibleEnum.Hidden, "hidden"),
    (python_calamine.SheetVisibleEnum.VeryHidden, "veryHidden"),
)


def open_workbook(path: str | os.PathLike[str]) -> XlsxWorkbook:
    """Open an .xlsx/.xlsm file for reading (and, through `.sink()`, for writing results)."""
    return XlsxWorkbook(Path(path))


class XlsxWorkbook:
    """`GridSource` over an .xlsx file; `sink()` gives the matching `ResultSink`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_file(path)  # folder, pipe, encrypted or .xls: a precise message, never a hang
        if path.suffix.lower() not in SUFFIXES:
            raise WorkbookError(
                f"{path.name} : format non pris en charge. Enregistrez le classeur au format "
                "« Classeur Excel (.xlsx) »."
            )
        with mapped(path), zipfile.ZipFile(path) as archive:
            self._parts = sheet_parts(archive)
            # Table extents (totals rows) and percent styles: what calamine does not say.
            self._tables = table_extents(archive, self._parts)
            self._percent_styles = percent_styles(archive)
        self._reader: python_calamine.CalamineWorkbook | None = None
        self._sheets: list[tuple[str, str]] | None = None  # (worksheet name, visibility)
        self._grids: dict[str, Grid] = {}

    @property
    def _book(self) -> python_calamine.CalamineWorkbook:
        if self._reader is None:
            with mapped(self.path):
                self._reader = python_calamine.CalamineWorkbook.from_path(
                    str(self.path), load_tables=False
                )
        return self._reader

    def _worksheets(self) -> list[tuple[str, str]]:
        """(name, visibility) of each worksheet, kept: the reader may be closed meanwhile."""
        if self._sheets is None:
            self._sheets = [
                (m.name, next((text for v, text in _VISIBILITY if m.visible == v), "visible"))
                for m in self._book.sheets_metadata
                if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            ]
        return self._sheets

    def sheet_names(self) -> list[str]:
        return [name for name, _ in self._worksheets()]

    def sheet_visibility(self, sheet: str) -> str:
        """"visible", "hidden" or "veryHidden", as Excel stores it."""
        return next((v for name, v in self._worksheets() if name == sheet), "visible")

    def table_names(self, sheet: str) -> list[str]:
        """The sheet's Excel Tables, read from the package (calamine would load their cells)."""
        part = self._parts.get(sheet)
        if part is None:
            return []
        with mapped(self.path), zipfile.ZipFile(self.path) as archive:
            return table_names(archive, part)

    def grid(self, sheet: str) -> Grid:
        """Cell values from A1 (cached formula results, `#N/A`-style error texts), cached."""
        if sheet not in self._grids:
            self._grids[sheet] = self._read_grid(sheet)
        return self._grids[sheet]

    def connexion(self) -> dict[str, str]:
        if CONNEXION_SHEET not in self.sheet_names():
            return {}
        return parse_connexion(self.grid(CONNEXION_SHEET).values)

    def sink(
        self, out: str | os.PathLike[str] | None = None, *, sheets: list[str] | None = None
    ) -> PackageSink:
        """The result writer, into this file (atomically) or into a copy at `out`, prepared:
        every part it will touch (the data `sheets`, or all) is read now, before anything is
        sent, and a file it could not write is refused with a French `WorkbookError`."""
        sink = PackageSink(self, Path(out) if out is not None else None)
        sink.prepare(sheets)
        # Reading is over once results are to be written: the reader's own copy of the
        # workbook's strings (megabytes) is let go before sending (reopened if ever needed).
        self.close()
        return sink

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
        part = self._parts.get(sheet)
        xml = b""
        if part is not None:
            with mapped(self.path), zipfile.ZipFile(self.path) as archive:
                xml = archive.read(part)
        far = far_cells(xml) if xml else None
        if far is not None:
            refs, area = far
            cells = (f"la cellule {refs[0]} contient une valeur" if len(refs) == 1 else
                     f"les cellules {' et '.join(refs)} contiennent des valeurs")
            size = f"{area:_}".replace("_", " ")
            raise WorkbookError(
                f"Feuille « {sheet} » : {cells} très loin des autres données ; la lire "
                f"chargerait {size} cellules. Effacez-la (ou rapprochez-la des données), "
                "enregistrez le classeur et relancez. Rien n'a été envoyé."
            )
        formulas, errors = scan_sheet(xml) if xml else ([], {})
        hidden = hidden_rows(xml) if xml else frozenset()
        percent = percent_cells(xml, self._percent_styles) if xml else frozenset()
        del xml  # before calamine loads the values: the peak is one of them, not both
        with mapped(self.path):
            data = self._book.get_sheet_by_name(sheet)
            raw = data.to_python(skip_empty_area=False)
            merged = tuple(
                f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
                for (r0, c0), (r1, c1) in (data.merged_cell_ranges or ())
            )
            del data
        # Calamine gives "" for empty cells; the core expects None, as openpyxl and Excel give.
        values: list[list[object]] = raw
        for i, row in enumerate(values):  # row by row: never two copies of the sheet at once
            values[i] = [None if v == "" else v for v in row]
        for (row, col), text in errors.items():
            _put(values, row, col, text)
        missing = frozenset(
            (row, col) for row, col in formulas if _get(values, row, col) in (None, "")
        )
        for row, col in missing:
            _put(values, row, col, None)
        return Grid(values, 1, 1, missing, merged, hidden, self._tables.get(sheet, ()), percent)


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
