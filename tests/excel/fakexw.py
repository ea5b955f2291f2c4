"""In-memory stand-in of the small xlwings surface the add-in uses, counting every Excel call.

Each property read/write or method call that would be a COM round trip on Windows is appended
to `book.calls` as `(operation, detail)`, so tests can assert that cost does not grow with rows.
Like Excel, a text written with a leading `=` becomes a formula (kept in `sheet.formulas`) and a
leading apostrophe is consumed and only marks the cell as text.

As strict as xlwings 0.37.8 on Windows where it matters (checked against its source): jagged 2-D
writes raise xlwings' own exception; reads and writes are chunked like `conversion/standard.py`
(explicit `chunksize`, else 4,000,000 cells per read and 100,000 per write), one call per chunk;
`used_range` counts formatted cells; a `.xls` book has 65,536 rows and 256 columns; `book.sheets`
is `Workbook.Worksheets`, so chart sheets are missing from it yet may be the active sheet;
protected sheets (and a workbook whose structure is protected) refuse writes like COM does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
XLS_ROWS, XLS_COLS = 65_536, 256
READ_BUDGET, WRITE_BUDGET = 4_000_000, 100_000  # xlwings' implicit chunking thresholds
JAGGED = "All elements of a 2d list or tuple must be of the same length"  # xlwings' message


class FakeComError(Exception):
    """What pywintypes.com_error looks like to code that cannot import it (Linux)."""


_MISSING = object()


def _chunks(first: int, last: int, ncols: int, chunksize: Any,
            budget: int) -> list[tuple[int, int]]:
    """Row spans xlwings reads or writes in one call each (conversion/standard.py's rule)."""
    rows = last - first + 1
    if chunksize is _MISSING:
        chunksize = None if rows * ncols <= budget else max(1, budget // ncols)
    if not chunksize:
        return [(first, last)]
    return [(r, min(r + chunksize - 1, last)) for r in range(first, last + 1, chunksize)]





def _col_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _parse_a1(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", ref)
    if match is None:
        raise ValueError(ref)
    return int(match.group(2)), _col_number(match.group(1))


class FakeFormatCondition:
    def __init__(self, log: list[tuple[str, Any]], spec: dict[str, Any]) -> None:
        self._log = log
        self.spec = spec
        self.Interior = _Interior(log, spec)

    def SetLastPriority(self) -> None:  # noqa: N802 - COM name
        self._log.append(("FormatCondition.SetLastPriority", self.spec["String"]))


class _Interior:
    def __init__(self, log: list[tuple[str, Any]], spec: dict[str, Any]) -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_spec", spec)

    def __setattr__(self, name: str, value: Any) -> None:
        self._log.append((f"Interior.{name}", value))
        self._spec[name] = value


class FakeFormatConditions:
    """`Range.api.FormatConditions`: the rules are kept on the sheet, keyed by the range."""

    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng
        self._log = rng.sheet.book.calls

    def Delete(self) -> None:  # noqa: N802 - COM name
        self._log.append(("FormatConditions.Delete", self._rng.address))
        self._rng.sheet.check_writable()
        self._rng.sheet.format_conditions.pop(self._rng.address, None)

    def Add(self, Type: int, String: str = "", TextOperator: int = 0) -> FakeFormatCondition:  # noqa: N802, N803
        self._log.append(("FormatConditions.Add", String))
        self._rng.sheet.check_writable()
        spec = {"Type": Type, "String": String, "TextOperator": TextOperator}
        self._rng.sheet.format_conditions.setdefault(self._rng.address, []).append(spec)
        return FakeFormatCondition(self._log, spec)


class _RangeApi:
    def __init__(self, rng: FakeRange) -> None:
        self.FormatConditions = FakeFormatConditions(rng)


_EXCEL_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?(?:[eE][+-]?[0-9]+)?")
_EXCEL_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?")


class ExcelParsedDate(str):
    """A text Excel turned into a date when it was written unquoted."""


class CellError(str):
    """A cell error such as #N/A: xlwings reads it as None unless `err_to_str=True`."""


class FakeRange:
    """A rectangular block of a sheet; `ndim=2` returns a list of rows like xlwings."""

    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, ndim: int = 0,
                 err_to_str: bool = False, chunksize: Any = _MISSING):
        self.sheet, self.ndim, self.err_to_str, self.chunksize = sheet, ndim, err_to_str, chunksize
        self.r1, self.c1 = min(r1, r2), min(c1, c2)
        self.r2, self.c2 = max(r1, r2), max(c1, c2)
        if self.r1 < 1 or self.c1 < 1 or self.r2 > sheet.max_rows or self.c2 > sheet.max_cols:
            # Cells(65537, 1) on a .xls sheet: COM raises, nothing is addressed.
            raise FakeComError(f"range {self.address} outside the sheet")

    @property
    def address(self) -> str:
        return f"{self.r1},{self.c1}:{self.r2},{self.c2}"

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def last_cell(self) -> FakeRange:
        self.sheet.book.calls.append(("Range.last_cell", self.address))
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2)

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        return FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2, options.get("ndim", 0),
                         options.get("err_to_str", False), options.get("chunksize", _MISSING))

    def _log_call(self, operation: str, r1: int, r2: int) -> None:
        book = self.sheet.book
        book.calls.append((operation, f"{r1},{self.c1}:{r2},{self.c2}"))
        book.largest_call = max(book.largest_call, (r2 - r1 + 1) * (self.c2 - self.c1 + 1))

    @property
    def value(self) -> Any:
        cells = self.sheet.cells
        block = []
        ncols = self.c2 - self.c1 + 1
        for first, last in _chunks(self.r1, self.r2, ncols, self.chunksize, READ_BUDGET):
            self._log_call("Range.value.get", first, last)
            block += [[self._read(cells.get((r, c))) for c in range(self.c1, self.c2 + 1)]
                      for r in range(first, last + 1)]
        if self.ndim == 2:
            return block
        if len(block) == 1 and len(block[0]) == 1:
            return block[0][0]
        if len(block) == 1:
            return block[0]
        if all(len(r) == 1 for r in block):
            return [r[0] for r in block]
        return block

    @value.setter
    def value(self, data: Any) -> None:
        rows_2d = isinstance(data, list | tuple) and data and isinstance(data[0], list | tuple)
        if rows_2d and any(len(row) != len(data[0]) for row in data):
            raise Exception(JAGGED)  # xlwings.conversion._check_not_jagged, before any call
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]
        width = len(data[0]) if data else 1
        last_row, last_col = self.r1 + len(data) - 1, self.c1 + width - 1
        if last_row > self.sheet.max_rows or last_col > self.sheet.max_cols:
            raise FakeComError("write beyond the last row or column of the sheet")
        target = FakeRange(self.sheet, self.r1, self.c1, last_row, last_col)
        for first, last in _chunks(self.r1, last_row, width, self.chunksize, WRITE_BUDGET):
            target._log_call("Range.value.set", first, last)
            self.sheet.check_writable()
            for i in range(first - self.r1, last - self.r1 + 1):
                for j, value in enumerate(data[i]):
                    self.sheet.set_cell(self.r1 + i, self.c1 + j, value)

    def _read(self, value: Any) -> Any:
        if isinstance(value, CellError):
            return str(value) if self.err_to_str else None
        return value

    def clear_contents(self) -> None:
        self.sheet.book.calls.append(("Range.clear_contents", self.address))
        self.sheet.check_writable()
        for key in [k for k in self.sheet.cells if self._contains(*k)]:
            del self.sheet.cells[key]
        self.sheet.formulas = {k for k in self.sheet.formulas if not self._contains(*k)}

    @property
    def number_format(self) -> str | None:
        """The format every cell of the range shares (last one set wins), None when mixed."""
        self.sheet.book.calls.append(("Range.number_format.get", self.address))
        found = "General"
        for address, fmt in self.sheet.number_formats.items():
            (r1, c1), (r2, c2) = (tuple(map(int, p.split(","))) for p in address.split(":"))
            inside = r1 <= self.r1 and self.r2 <= r2 and c1 <= self.c1 and self.c2 <= c2
            overlaps = not (self.r2 < r1 or r2 < self.r1 or self.c2 < c1 or c2 < self.c1)
            if inside:
                found = fmt
            elif overlaps:
                return None
        return found

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        self.sheet.book.calls.append(("Range.number_format.set", self.address))
        self.sheet.check_writable()
        self.sheet.number_formats[self.address] = fmt

    @property
    def api(self) -> _RangeApi:
        if not self.sheet.book.app.windows:
            raise NotImplementedError("no COM object on this engine")
        return _RangeApi(self)

    def _contains(self, row: int, col: int) -> bool:
        return self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2


class FakeTable:
    """A ListObject: its whole range (header and totals rows included) and those two flags."""

    def __init__(self, name: str, range: FakeRange | None = None, style: str | None = None, *,
                 show_headers: bool = True, show_totals: bool = False) -> None:
        self.name = name
        self._range = range
        self.address = range.address if range is not None else ""
        self.style = style
        self.show_headers = show_headers
        self.show_totals = show_totals

    @property
    def range(self) -> FakeRange:
        if self._range is not None:
            return self._range
        sheet = self._sheet
        return sheet.used_range


class FakeTables(list):
    """`sheet.tables`; `add` like xlwings' (keyword `source` must be a Range)."""

    sheet: FakeSheet

    def add(self, source: Any = None, name: str | None = None, source_type: Any = None,
            link_source: Any = None, has_headers: bool = True, destination: Any = None,
            table_style_name: str = "TableStyleMedium2") -> FakeTable:
        book = self.sheet.book
        book.calls.append(("Tables.add", name))
        if not isinstance(source, FakeRange):
            raise TypeError("'source' must be a Range")
        self.sheet.check_writable()
        taken = {t.name.casefold() for s in book.sheets._sheets for t in s._tables}
        if name is None:
            name = f"Tableau{len(taken) + 1}"
        elif name.casefold() in taken:  # table names are unique in a workbook
            raise FakeComError(f"table name {name!r} already used")
        table = FakeTable(name, source, table_style_name)
        table._sheet = self.sheet
        self.append(table)
        self.sheet.table_ranges[name] = source
        return table


class _Cells(dict):
    """Cell values by (row, col) for the tests, and xlwings' `sheet.cells` for the add-in:
    `sheet.cells.last_cell.row` is the sheet's last row (65,536 on a .xls sheet)."""

    def __init__(self, sheet: FakeSheet) -> None:
        super().__init__()
        self._sheet = sheet

    @property
    def last_cell(self) -> FakeRange:
        sheet = self._sheet
        sheet.book.calls.append(("Sheet.cells.last_cell", sheet._name))
        return FakeRange(sheet, sheet.max_rows, sheet.max_cols, sheet.max_rows, sheet.max_cols)


class _SheetApi:
    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def ProtectContents(self) -> bool:  # noqa: N802 - COM name
        self._sheet.book.calls.append(("Sheet.api.ProtectContents", self._sheet._name))
        return self._sheet.protected

    @property
    def Cells(self) -> _CellsApi:  # noqa: N802 - COM name
        return _CellsApi(self._sheet)


class _CellsApi:
    """`Worksheet.Cells` for `Find("*", …, SearchDirection=xlPrevious)`: the last row holding
    a value or formula (formats do not count, unlike UsedRange)."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def Find(self, What: str, LookIn: int, LookAt: int, SearchOrder: int,  # noqa: N802, N803
             SearchDirection: int) -> Any:
        self._sheet.book.calls.append(("Sheet.api.Cells.Find", self._sheet._name))
        assert (What, LookIn, SearchOrder, SearchDirection) == ("*", -4123, 1, 2)
        if not self._sheet.cells:
            return None  # Find returns Nothing
        return _FoundCell(max(r for r, _ in self._sheet.cells))


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self._name = name
        self.cells = _Cells(self)  # the values; also xlwings' `sheet.cells` (`.last_cell`)
        self.formulas: set[tuple[int, int]] = set()
        self.number_formats: dict[str, str] = {}
        self.format_conditions: dict[str, list[dict[str, Any]]] = {}
        self.table_ranges: dict[str, FakeRange] = {}
        self.protected = False
        self._tables = FakeTables()
        self._tables.sheet = self
        self.visible: bool | int = True  # COM: -1 visible, 0 hidden, 2 very hidden

    @property
    def max_rows(self) -> int:
        return self.book.max_rows

    @property
    def max_cols(self) -> int:
        return self.book.max_cols

    @property
    def name(self) -> str:
        self.book.calls.append(("Sheet.name", self._name))
        return self._name

    @property
    def tables(self) -> FakeTables:
        self.book.calls.append(("Sheet.tables", self._name))
        return self._tables

    @property
    def api(self) -> _SheetApi:
        if not self.book.app.windows:
            raise NotImplementedError("no COM object on this engine")
        return _SheetApi(self)

    def add_table(self, name: str, ref: str | None = None, *, show_totals: bool = False,
                  show_headers: bool = True) -> None:
        """A Table over `ref` (A1:D5, totals row included), else over the used range."""
        rng = self.range(*ref.split(":")) if ref else None
        table = FakeTable(name, rng, show_headers=show_headers, show_totals=show_totals)
        table._sheet = self
        self._tables.append(table)

    def check_writable(self) -> None:
        if self.protected:  # Excel: "La cellule ou le graphique est protégé…"
            raise FakeComError(f"sheet {self._name!r} is protected")

    def set_cell(self, row: int, col: int, value: Any) -> None:
        """What typing into a cell does: '=…' becomes a formula, a leading ' is consumed."""
        self.formulas.discard((row, col))
        if value is None or value == "":
            self.cells.pop((row, col), None)
            return
        if isinstance(value, str) and value.startswith("'"):
            value = value[1:]
        elif isinstance(value, str) and value.startswith(("=", "+", "-", "@")) and len(value) > 1:
            self.formulas.add((row, col))
        elif isinstance(value, str) and _EXCEL_NUMBER.fullmatch(value.strip()):
            value = float(value)  # Excel's input parser: "0123" → 123, "1E5" → 100000
        elif isinstance(value, str) and _EXCEL_DATE.fullmatch(value.strip()):
            value = ExcelParsedDate(value)  # "1/2" → a date serial, the text is lost
        self.cells[(row, col)] = value

    def fill(self, rows: list[list[Any]], top: int = 1, left: int = 1) -> None:
        """Test set-up: put values in cells without counting calls (no formula parsing)."""
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    self.cells[(top + i, left + j)] = value

    def column_values(self, col: int) -> dict[int, Any]:
        return {r: v for (r, c), v in self.cells.items() if c == col}

    def used_bounds(self) -> tuple[int, int, int, int] | None:
        """Like Excel's UsedRange: cells with a value *or a format* (test access, not counted)."""
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        for address in self.number_formats:
            (r1, c1), (r2, c2) = (map(int, p.split(",")) for p in address.split(":"))
            rows += [r1, r2]
            cols += [c1, c2]
        if not rows:
            return None
        return min(rows), min(cols), max(rows), max(cols)

    @property
    def used_range(self) -> FakeRange:
        self.book.calls.append(("Sheet.used_range", self._name))
        bounds = self.used_bounds()
        return FakeRange(self, *(bounds or (1, 1, 1, 1)))

    def range(self, cell1: Any, cell2: Any = None) -> FakeRange:
        r1, c1 = _parse_a1(cell1) if isinstance(cell1, str) else cell1
        r2, c2 = (
            (r1, c1) if cell2 is None else (_parse_a1(cell2) if isinstance(cell2, str) else cell2)
        )
        return FakeRange(self, r1, c1, r2, c2)

    def activate(self) -> None:
        self.book.calls.append(("Sheet.activate", self._name))
        self.book.sheets.active_name = self._name


class FakeChartSheet:
    """A chart sheet: in the workbook's tabs (and `book.api.Sheets`), never in `book.sheets`
    (xlwings' Windows engine lists `Workbook.Worksheets`), but it can be the active sheet."""

    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self._name = name

    @property
    def name(self) -> str:
        self.book.calls.append(("Sheet.name", self._name))
        return self._name

    def activate(self) -> None:
        self.book.calls.append(("Sheet.activate", self._name))
        self.book.sheets.active_name = self._name

    def __getattr__(self, attr: str) -> Any:
        # Chart has no UsedRange, Range, ListObjects…: pywin32 raises AttributeError.
        raise AttributeError(f"<COMObject Chart>.{attr}")


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []
        self.charts: list[FakeChartSheet] = []
        self.active_name = ""

    def __iter__(self) -> Iterator[FakeSheet]:
        self.book.calls.append(("Sheets.__iter__", None))
        return iter(list(self._sheets))

    def __len__(self) -> int:
        self.book.calls.append(("Sheets.count", None))
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        self.book.calls.append(("Sheets.__getitem__", key))
        if isinstance(key, int):
            return self._sheets[key]
        for sheet in self._sheets:
            if sheet._name.casefold() == key.casefold():
                return sheet
        raise FakeComError(f"no worksheet {key!r}")  # Worksheets(name) on a chart sheet too

    @property
    def active(self) -> FakeSheet | FakeChartSheet:
        self.book.calls.append(("Sheets.active", None))
        return self._any(self.active_name)

    def add(self, name: str | None = None, before: Any = None, after: Any = None) -> FakeSheet:
        self.book.calls.append(("Sheets.add", name))
        if self.book.protect_structure:
            raise FakeComError("workbook structure is protected")
        sheet = FakeSheet(self.book, name or f"Feuil{len(self._sheets) + 1}")
        if sheet._name.casefold() in {n.casefold() for n in self.book.all_names()}:
            raise FakeComError(f"name {sheet._name!r} is already taken")
        index = len(self._sheets) if after is None else self._sheets.index(after) + 1
        self._sheets.insert(index, sheet)
        self.active_name = sheet._name  # like Excel: the new sheet becomes active
        return sheet

    def _any(self, name: str) -> FakeSheet | FakeChartSheet:
        return next(s for s in [*self._sheets, *self.charts] if s._name == name)

    def sheet(self, name: str) -> FakeSheet:
        """Test access without counting."""
        return next(s for s in self._sheets if s._name == name)

    def names(self) -> list[str]:
        return [s._name for s in self._sheets]


class _FoundCell:
    def __init__(self, row: int) -> None:
        self.Row = row


class _NamedTab:
    def __init__(self, name: str) -> None:
        self.Name = name


class _DocProperty:
    def __init__(self, props: dict[str, Any], name: str) -> None:
        self._props, self._name = props, name

    @property
    def Value(self) -> Any:  # noqa: N802 - COM name
        return self._props[self._name]

    @Value.setter
    def Value(self, value: Any) -> None:  # noqa: N802 - COM name
        self._props[self._name] = value


class FakeDocumentProperties:
    """`Workbook.CustomDocumentProperties`: `Item` fails on a missing name, as COM does."""

    def __init__(self, book: FakeBook) -> None:
        self._book = book

    def Item(self, name: str) -> _DocProperty:  # noqa: N802 - COM name
        self._book.calls.append(("Book.api.CustomDocumentProperties.Item", name))
        if name not in self._book.doc_props:
            raise FakeComError("Invalid procedure call or argument")
        return _DocProperty(self._book.doc_props, name)

    def Add(self, Name: str, LinkToContent: bool, Type: int, Value: Any) -> None:  # noqa: N802, N803
        self._book.calls.append(("Book.api.CustomDocumentProperties.Add", Name))
        assert LinkToContent is False and Type == 4  # msoPropertyTypeString
        self._book.doc_props[Name] = Value


class FakeBookApi:
    """`book.api` (the COM Workbook): every tab, charts included, structure protection and
    custom document properties."""

    def __init__(self, book: FakeBook) -> None:
        self._book = book

    @property
    def Sheets(self) -> list[_NamedTab]:  # noqa: N802 - COM name
        self._book.calls.append(("Book.api.Sheets", None))
        return [_NamedTab(n) for n in self._book.all_names()]

    @property
    def ProtectStructure(self) -> bool:  # noqa: N802 - COM name
        self._book.calls.append(("Book.api.ProtectStructure", None))
        return self._book.protect_structure

    @property
    def CustomDocumentProperties(self) -> FakeDocumentProperties:  # noqa: N802 - COM name
        return FakeDocumentProperties(self._book)

    @property
    def Saved(self) -> bool:  # noqa: N802 - COM name
        return self._book.saved

    @property
    def ReadOnly(self) -> bool:  # noqa: N802 - COM name
        return self._book.read_only


class FakeAppApi:
    def __init__(self, app: FakeApp) -> None:
        self._app = app

    def InputBox(self, prompt: str, title: str = "", default: str = "", Type: int = 2) -> Any:  # noqa: N802, N803
        self._app.calls.append(("App.InputBox", prompt))
        self._app.prompts.append(prompt)
        return self._app.inputs.pop(0) if self._app.inputs else False


class FakeBooks:
    """`app.books`: `open` gives a new book named after the file (its sheets are not read);
    `open_fails` makes it fail as when the file is locked or gone."""

    def __init__(self, app: FakeApp) -> None:
        self._app = app

    def open(self, fullname: str) -> FakeBook:
        self._app.calls.append(("App.books.open", fullname))
        if self._app.open_fails:
            raise FakeComError(f"Impossible d'ouvrir {fullname}")
        book = FakeBook(Path(fullname).name, windows=self._app.windows, fullname=fullname)
        book.app = self._app
        self._app.opened.append(book)
        return book


class FakeApp:
    """Alerts answer from `answers` ("ok" when empty), input boxes from `inputs`."""

    def __init__(self, calls: list[tuple[str, Any]], windows: bool = True) -> None:
        self.calls = calls
        self.windows = windows
        # Excel's main window: None, so that tests run on Windows never open a real message
        # box; a test of the native box sets it.
        self.hwnd: int | None = None
        self.alerts: list[dict[str, Any]] = []
        self.answers: list[str] = []
        self.inputs: list[Any] = []
        self.prompts: list[str] = []
        self.status_history: list[Any] = []
        self._screen_updating = True
        self._calculation = "automatic"
        self._status_bar: Any = False
        self.screen_updating_history: list[bool] = []
        self.calculation_history: list[str] = []
        self.books = FakeBooks(self)
        self.opened: list[FakeBook] = []  # books opened by `books.open`
        self.open_fails = False

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self.calls.append(("App.alert", title))
        assert mode in (None, "info", "critical"), mode  # what xlwings' Windows engine accepts
        answer = self.answers.pop(0) if self.answers else "ok"
        self.alerts.append(
            {"prompt": prompt, "title": title, "buttons": buttons, "mode": mode, "answer": answer}
        )
        return answer

    @property
    def api(self) -> FakeAppApi:
        if not self.windows:
            raise NotImplementedError
        return FakeAppApi(self)

    @property
    def status_bar(self) -> Any:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self.calls.append(("App.status_bar", value))
        self.status_history.append(value)
        self._status_bar = value

    @property
    def screen_updating(self) -> bool:
        self.calls.append(("App.screen_updating.get", None))
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self.calls.append(("App.screen_updating.set", value))
        self.screen_updating_history.append(value)
        self._screen_updating = value

    @property
    def calculation(self) -> str:
        self.calls.append(("App.calculation.get", None))
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        self.calls.append(("App.calculation.set", value))
        self.calculation_history.append(value)
        self._calculation = value




class FakeBook:
    """`FakeBook("x.xls")` has .xls limits; `protect_structure` refuses new sheets."""

    def __init__(self, name: str = "Classeur1.xlsx", *, windows: bool = True,
                 fullname: str | None = None) -> None:
        self.name = name
        self.fullname = fullname or name  # xlwings: the full path (just the name if unsaved)
        self.calls: list[tuple[str, Any]] = []
        self.largest_call = 0  # cells moved by the biggest single read or write
        self.app = FakeApp(self.calls, windows=windows)
        self.sheets = FakeSheets(self)
        self.protect_structure = False
        self.doc_props: dict[str, Any] = {}  # custom document properties (desktop Excel)
        self.saved, self.read_only, self.closed = True, False, False
        xls = name.lower().endswith(".xls")
        self.max_rows, self.max_cols = (XLS_ROWS, XLS_COLS) if xls else (MAX_ROWS, MAX_COLS)

    @property
    def api(self) -> FakeBookApi:
        if not self.app.windows:
            raise NotImplementedError("no COM object on this engine")
        return FakeBookApi(self)

    def close(self) -> None:
        self.calls.append(("Book.close", self.name))
        self.closed = True

    def all_names(self) -> list[str]:
        """Every tab, worksheets then chart sheets (test access, not counted)."""
        return [*self.sheets.names(), *(c._name for c in self.sheets.charts)]

    def add_sheet(
        self, name: str, rows: list[list[Any]] | None = None, *, table: str | None = None
    ) -> FakeSheet:
        """Test set-up without counting calls."""
        sheet = FakeSheet(self, name)
        self.sheets._sheets.append(sheet)
        if rows:
            sheet.fill(rows)
        if table:
            sheet.add_table(table)
        if not self.sheets.active_name:
            self.sheets.active_name = name
        return sheet

    def add_chart_sheet(self, name: str) -> FakeChartSheet:
        """Test set-up: a chart sheet (a tab that is not a worksheet)."""
        chart = FakeChartSheet(self, name)
        self.sheets.charts.append(chart)
        return chart

    def activate(self, name: str) -> None:
        self.sheets.active_name = name

    def sheet(self, name: str) -> FakeSheet:
        return self.sheets.sheet(name)

    def count(self, prefix: str = "") -> int:
        return sum(1 for op, _ in self.calls if op.startswith(prefix))
