"""In-memory stand-in of the small xlwings surface the add-in uses, counting every Excel call.

Each property read/write or method call that would be a COM round trip on Windows is appended
to `book.calls` as `(operation, detail)`, so tests can assert that cost does not grow with rows.
Like Excel, a text written with a leading `=` becomes a formula (kept in `sheet.formulas`) and a
leading apostrophe is consumed and only marks the cell as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MAX_ROWS = 1_048_576


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
        self._rng.sheet.format_conditions.pop(self._rng.address, None)

    def Add(self, Type: int, String: str = "", TextOperator: int = 0) -> FakeFormatCondition:  # noqa: N802, N803
        self._log.append(("FormatConditions.Add", String))
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
                 err_to_str: bool = False):
        self.sheet, self.ndim, self.err_to_str = sheet, ndim, err_to_str
        self.r1, self.c1 = min(r1, r2), min(c1, c2)
        self.r2, self.c2 = max(r1, r2), max(c1, c2)

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
                         options.get("err_to_str", False))

    @property
    def value(self) -> Any:
        self.sheet.book.calls.append(("Range.value.get", self.address))
        cells = self.sheet.cells
        block = [
            [self._read(cells.get((r, c))) for c in range(self.c1, self.c2 + 1)]
            for r in range(self.r1, self.r2 + 1)
        ]
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
        self.sheet.book.calls.append(("Range.value.set", self.address))
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]
        for i, row in enumerate(data):
            for j, value in enumerate(row):
                self.sheet.set_cell(self.r1 + i, self.c1 + j, value)

    def _read(self, value: Any) -> Any:
        if isinstance(value, CellError):
            return str(value) if self.err_to_str else None
        return value

    def clear_contents(self) -> None:
        self.sheet.book.calls.append(("Range.clear_contents", self.address))
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

    def __init__(self, name: str, range: FakeRange | None = None, *, show_headers: bool = True,
                 show_totals: bool = False) -> None:
        self.name = name
        self._range = range
        self.show_headers = show_headers
        self.show_totals = show_totals

    @property
    def range(self) -> FakeRange:
        if self._range is not None:
            return self._range
        sheet = self._sheet
        return sheet.used_range


class FakeTables(list):
    pass


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self._name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: set[tuple[int, int]] = set()
        self.number_formats: dict[str, str] = {}
        self.format_conditions: dict[str, list[dict[str, Any]]] = {}
        self._tables = FakeTables()
        self.visible: bool | int = True  # COM: -1 visible, 0 hidden, 2 very hidden

    @property
    def name(self) -> str:
        self.book.calls.append(("Sheet.name", self._name))
        return self._name

    @property
    def tables(self) -> FakeTables:
        self.book.calls.append(("Sheet.tables", self._name))
        return self._tables

    def add_table(self, name: str, ref: str | None = None, *, show_totals: bool = False,
                  show_headers: bool = True) -> None:
        """A Table over `ref` (A1:D5, totals row included), else over the used range."""
        rng = self.range(*ref.split(":")) if ref else None
        table = FakeTable(name, rng, show_headers=show_headers, show_totals=show_totals)
        table._sheet = self
        self._tables.append(table)

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

    @property
    def used_range(self) -> FakeRange:
        self.book.calls.append(("Sheet.used_range", self._name))
        if not self.cells:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, cell1: Any, cell2: Any = None) -> FakeRange:
        r1, c1 = _parse_a1(cell1) if isinstance(cell1, str) else cell1
        r2, c2 = (
            (r1, c1) if cell2 is None else (_parse_a1(cell2) if isinstance(cell2, str) else cell2)
        )
        return FakeRange(self, r1, c1, r2, c2)

    def activate(self) -> None:
        self.book.calls.append(("Sheet.activate", self._name))
        self.book.sheets.active_name = self._name


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []
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
        raise KeyError(key)

    @property
    def active(self) -> FakeSheet:
        self.book.calls.append(("Sheets.active", None))
        return self.sheet(self.active_name)

    def add(self, name: str | None = None, before: Any = None, after: Any = None) -> FakeSheet:
        self.book.calls.append(("Sheets.add", name))
        sheet = FakeSheet(self.book, name or f"Feuil{len(self._sheets) + 1}")
        index = len(self._sheets) if after is None else self._sheets.index(after) + 1
        self._sheets.insert(index, sheet)
        self.active_name = sheet._name  # like Excel: the new sheet becomes active
        return sheet

    def sheet(self, name: str) -> FakeSheet:
        """Test access without counting."""
        return next(s for s in self._sheets if s._name == name)

    def names(self) -> list[str]:
        return [s._name for s in self._sheets]


class FakeAppApi:
    def __init__(self, app: FakeApp) -> None:
        self._app = app

    def InputBox(self, prompt: str, title: str = "", default: str = "", Type: int = 2) -> Any:  # noqa: N802, N803
        self._app.calls.append(("App.InputBox", prompt))
        self._app.prompts.append(prompt)
        return self._app.inputs.pop(0) if self._app.inputs else False


class FakeApp:
    """Alerts answer from `answers` ("ok" when empty), input boxes from `inputs`."""

    def __init__(self, calls: list[tuple[str, Any]], windows: bool = True) -> None:
        self.calls = calls
        self.windows = windows
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
    def __init__(self, name: str = "Classeur1.xlsx", *, windows: bool = True) -> None:
        self.name = name
        self.calls: list[tuple[str, Any]] = []
        self.app = FakeApp(self.calls, windows=windows)
        self.sheets = FakeSheets(self)

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

    def activate(self, name: str) -> None:
        self.sheets.active_name = name

    def sheet(self, name: str) -> FakeSheet:
        return self.sheets.sheet(name)

    def count(self, prefix: str = "") -> int:
        return sum(1 for op, _ in self.calls if op.startswith(prefix))
