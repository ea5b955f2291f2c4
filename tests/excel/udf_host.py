"""Run ``addin.udfs`` the way Excel runs it: real xlwings decorators, converters and cell cleaning.

On Linux ``xlwings.func``/``arg``/``ret`` are no-ops, so calling the functions directly proves
nothing about what xlwings does around them. This host

* loads a fresh copy of ``addin/udfs.py`` with the decorators mapped to the real
  ``xlwings.udfs.xlfunc``/``xlarg``/``xlret`` (pywin32 stubbed, as the ``.xlam`` builder does), so
  each function carries the ``__xlfunc__`` table Excel's UDF server reads;
* registers an ``excel`` engine whose cell cleaning is xlwings' own Windows code
  (``_clean_value_data_element``, ``Engine.clean_value_data``/``prepare_xl_data_element``,
  compiled from the installed ``xlwings/_xlwindows.py``: that module itself needs pywin32);
* calls a function with the argument and return handling of ``xlwings.udfs.call_udf`` (0.37.8):
  a range argument is read through ``conversion.read(Range, None, options)``, any other value
  through ``conversion.read(None, value, options)``, the result through
  ``conversion.write(result, None, options)``.

Arguments are given in the shape pywin32 hands them over: scalars (numbers as ``float``), a
multi-cell range's ``Value`` as a tuple of row tuples, empty cells as ``None``, dates as a
``datetime`` subclass with a time zone (``pywintypes.TimeType``), cell errors as negative ints.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import importlib.util
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlwings
from xlwings import base_classes, conversion

import addin.udfs
from addin.excel.xlam.vba import xlwings_udfs_without_pywin32

# VARIANT codes pywin32 hands over: an omitted optional argument and the cell errors.
MISSING = -2147352572
XL_ERRORS = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}
MAX_CELL_TEXT = 32767  # Excel shows #VALUE! for a longer text returned by a function


class PyTime(dt.datetime):
    """Stand-in for ``pywintypes.TimeType``: the time-zone-aware datetime subclass COM returns."""


def com_date(year: int, month: int, day: int) -> PyTime:
    """A date cell as pywin32 reads it."""
    return PyTime(year, month, day, tzinfo=dt.UTC)


@dataclass
class _App:
    engine: Any
    pid: int = 4242


@dataclass
class _Book:
    app: _App


@dataclass
class _Sheet:
    book: _Book


class ExcelRange(base_classes.Range):
    """A range argument: what ``xlwings._xlwindows.Range`` answers when xlwings reads it."""

    def __init__(self, value: Any, engine: Any) -> None:
        self._value = value
        self._sheet = _Sheet(_Book(_App(engine)))

    @property
    def raw_value(self) -> Any:  # Range.Value through COM
        return self._value

    @property
    def shape(self) -> tuple[int, int]:
        if isinstance(self._value, tuple):
            return len(self._value), len(self._value[0])
        return 1, 1

    @property
    def sheet(self) -> _Sheet:
        return self._sheet


@dataclass
class Cells:
    """A range given to a function (``A1:F1``); ``value`` is its COM ``Value``."""

    value: Any


def range_value(rows: list[list[Any]]) -> Any:
    """The COM ``Value`` of a block: a scalar for one cell, else a tuple of row tuples."""
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return tuple(tuple(row) for row in rows)


def _windows_engine() -> Any:
    """xlwings' Windows cell cleaning, compiled from its own source with pywin32 left out."""
    path = Path(xlwings.__file__).with_name("_xlwindows.py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {"_com_time_to_datetime", "_datetime_to_com_time", "_clean_value_data_element"}
    methods = {"name", "type", "prepare_xl_data_element", "clean_value_data"}
    body: list[ast.stmt] = []
    for node in tree.body:
        wanted_function = isinstance(node, ast.FunctionDef) and node.name in functions
        error_table = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "cell_errors" for t in node.targets
        )
        if wanted_function or error_table:
            body.append(node)
        elif isinstance(node, ast.ClassDef) and node.name == "Engine":
            node.body = [n for n in node.body if getattr(n, "name", None) in methods]
            body.append(node)
    found = {getattr(n, "name", "cell_errors") for n in body}
    assert found == functions | {"cell_errors", "Engine"}, f"xlwings changed: {found}"

    class TimeZoneInfo:
        @staticmethod
        def utc() -> dt.tzinfo:
            return dt.UTC

    namespace: dict[str, Any] = {
        "dt": dt,
        "pd": None,
        "np": None,
        "time_types": (dt.date, dt.datetime, PyTime),
        "win32timezone": types.SimpleNamespace(TimeZoneInfo=TimeZoneInfo),
    }
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), namespace)  # noqa: S102
    engine = namespace["Engine"]()
    assert engine.name == "excel" and engine.type == "desktop"
    return engine


@dataclass
class UdfHost:
    """The decorated ``addin.udfs`` copy and the engine its arguments are read with."""

    module: types.ModuleType
    engine: Any

    def function(self, name: str) -> Any:
        """The decorated function (its ``__xlfunc__`` is what Excel's UDF server reads)."""
        return getattr(self.module, name)

    def call(self, name: str, *args: Any) -> list[list[Any]]:
        """What ``call_udf`` returns to Excel for ``=NAME(args…)``: a 2-D list of cell values."""
        func = self.function(name)
        info = func.__xlfunc__
        args_info, ret_info = info["args"], info["ret"]
        # Features whose call_udf branches this host does not reproduce (they need COM).
        assert info["async_mode"] is None and not ret_info["options"].get("expand")
        assert all(a["name"] != "caller" and not a["vba"] for a in args_info)
        values = list(args)
        for i, arg in enumerate(values):
            arg_info = args_info[min(i, len(args_info) - 1)]
            if isinstance(arg, int) and arg == MISSING:
                values[i] = arg_info.get("optional", None)
            elif isinstance(arg, Cells):
                rng = xlwings.Range(impl=ExcelRange(arg.value, self.engine))
                values[i] = conversion.read(rng, None, arg_info["options"])
            else:
                values[i] = conversion.read(None, arg, arg_info["options"])
        result = func(*values)
        return conversion.write(result, None, ret_info["options"])


def assert_excel_can_show(result: Any) -> None:
    """A rectangle of values a VBA function can hand back to a cell or spill."""
    assert isinstance(result, list) and result and all(isinstance(r, list) for r in result)
    assert len({len(r) for r in result}) == 1, "jagged result"
    for row in result:
        for value in row:
            assert isinstance(value, (str, int, float, bool)), (type(value), value)
            if isinstance(value, str):
                assert len(value) <= MAX_CELL_TEXT, len(value)


@contextlib.contextmanager
def real_xlwings_udfs() -> Iterator[UdfHost]:
    """``addin.udfs`` decorated by the real xlwings, with an ``excel`` engine registered."""
    assert "excel" not in xlwings.engines.engines_by_name, "a real Excel engine is present"
    with xlwings_udfs_without_pywin32() as xlwings_udfs:
        engine = xlwings.Engine(impl=_windows_engine())
        saved = {name: getattr(xlwings, name) for name in ("func", "arg", "ret")}
        xlwings.func, xlwings.arg, xlwings.ret = (
            xlwings_udfs.xlfunc, xlwings_udfs.xlarg, xlwings_udfs.xlret,
        )
        xlwings.engines.add(engine)
        try:
            # A private copy: the importable addin.udfs keeps its no-op decorators.
            spec = importlib.util.spec_from_file_location("addin.udfs", addin.udfs.__file__)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            yield UdfHost(module, engine.impl)
        finally:
            xlwings.engines.engines.remove(engine)
            del xlwings.engines.engines_by_name["excel"]
            for name, value in saved.items():
                setattr(xlwings, name, value)
