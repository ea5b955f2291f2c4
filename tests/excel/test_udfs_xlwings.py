"""GESTIMUM_* through the real xlwings decorators and converters, with Excel-shaped arguments.

What a cell shows is what xlwings' ``call_udf`` hands back after converting the arguments and
the result (see ``udf_host``); errors raised there escape our readable-error wrapper and would
show a Python traceback in the cell, so every case here goes the whole way.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from addin import udfs
from addin.core.catalog import get_endpoint
from addin.core.lines import Options, build_batches
from addin.core.sheet import read_sheet
from addin.excel.xlam.ribbon import ADDIN_FILENAME, UDF_MODULE, UDFS
from addin.excel.xlam.vba import udf_module_source, xlwings_udfs_without_pywin32
from addin.udfs import CHAMPS_HEADER, ERROR_PREFIX

from .udf_host import (
    MISSING,
    XL_ERRORS,
    Cells,
    UdfHost,
    assert_excel_can_show,
    com_date,
    range_value,
    real_xlwings_udfs,
)

PROSPECTS = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"]
PROSPECT = ["P42", "411P42", "DECAT5", "6 rue de la paix", "78120", "RAMBOUILLET"]
DEVISES = ["DEV_CODE", "DEV_LIB", "DEV_COURS", "DEV_DT_ACT", "DEV_INCERT"]


@pytest.fixture(scope="module")
def host() -> Iterator[UdfHost]:
    with real_xlwings_udfs() as udf_host:
        yield udf_host


def row(values: list[Any]) -> Cells:
    """A one-row range as Excel passes it."""
    return Cells(range_value([values]))


def column(values: list[Any]) -> Cells:
    """A one-column range as Excel passes it."""
    return Cells(range_value([[v] for v in values]))


def text(result: list[list[Any]]) -> str:
    """The single cell a scalar result fills."""
    assert_excel_can_show(result)
    assert len(result) == 1 and len(result[0]) == 1, result
    assert isinstance(result[0][0], str)
    return result[0][0]


def test_every_function_is_decorated_as_the_table_says(host: UdfHost) -> None:
    for udf in UDFS:
        info = host.function(udf.name).__xlfunc__
        assert info["name"] == udf.name and not info["sub"]
        assert [a["name"] for a in info["args"]] == list(udf.args)
        # The help the function wizard would get from xlwings matches the one we register.
        assert [a["doc"] for a in info["args"]] == list(udf.arg_docs)
        assert info["volatile"] is udf.volatile and info["async_mode"] is None


def test_baked_wrappers_are_what_import_functions_would_write(host: UdfHost) -> None:
    # The .xlam carries wrappers generated from signature carriers; xlwings' own generator run
    # on the really decorated module must write the very same VBA.
    class AddinBook:
        Name = ADDIN_FILENAME

    buffer = io.StringIO()
    with xlwings_udfs_without_pywin32() as xlwings_udfs:
        xlwings_udfs.generate_vba_wrapper(UDF_MODULE, host.module, buffer, AddinBook())
    assert udf_module_source().endswith(buffer.getvalue())


# ── GESTIMUM_CHAMPS ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("endpoint", ["Prospects", Cells("Prospects"), "prospects"])
def test_champs_returns_one_rectangle_that_spills(host: UdfHost, endpoint: Any) -> None:
    result = host.call("GESTIMUM_CHAMPS", endpoint)
    assert_excel_can_show(result)
    assert result[0] == CHAMPS_HEADER
    assert [r[0] for r in result[1:]] == list(get_endpoint("Prospects").field_codes)
    assert result[1] == ["PCF_CODE", "Code prospect", "Texte", 20, "Oui"]


@pytest.mark.parametrize(
    "endpoint",
    [Cells(None), None, 5.0, Cells(XL_ERRORS["#N/A"]), XL_ERRORS["#REF!"], "Factures", ""],
    ids=["empty-cell", "empty", "number", "na-cell", "ref-error", "unknown", "blank"],
)
def test_champs_bad_endpoint_is_a_readable_cell(host: UdfHost, endpoint: Any) -> None:
    message = text(host.call("GESTIMUM_CHAMPS", endpoint))
    assert message.startswith(ERROR_PREFIX) and "Clients" in message


def test_every_import_endpoint_fits_in_cells(host: UdfHost) -> None:
    from addin.core.catalog import import_endpoints

    for endpoint in import_endpoints():
        result = host.call("GESTIMUM_CHAMPS", endpoint.name)
        assert_excel_can_show(result)
        assert len(result) == len(endpoint.fields) + 1


# ── GESTIMUM_LIGNE / GESTIMUM_CONTROLE ──────────────────────────────────────────────────────


def test_ligne_with_ranges_numbers_as_floats_and_dates(host: UdfHost) -> None:
    rows = [
        ["AUD", "Dollar Australien", 1.6, datetime(2026, 1, 5), True],
        ["CAD", "Dollar Canadien", 1.5101, datetime(2026, 12, 31), False],
        ["CHF", "Franc suisse", 0.93, datetime(2025, 7, 14), 1.0],
    ]
    data = read_sheet([DEVISES, *rows], get_endpoint("Devises"), sheet="Devises")
    [batch] = build_batches(data, Options())
    for values, expected in zip(rows, batch.lines, strict=True):
        as_com = [com_date(v.year, v.month, v.day) if isinstance(v, datetime) else v
                  for v in values]
        result = host.call("GESTIMUM_LIGNE", "Devises", row(DEVISES), row(as_com))
        assert text(result) == expected
    assert batch.lines[0].split(";")[3:] == ["05/01/2026", "1"]


def test_ligne_postcode_typed_as_number_arrives_as_float(host: UdfHost) -> None:
    values = [*PROSPECT[:4], 78120.0, PROSPECT[5]]
    line = text(host.call("GESTIMUM_LIGNE", "Prospects", row(PROSPECTS), row(values)))
    assert line == "P42;411P42;DECAT5;6 rue de la paix;78120;RAMBOUILLET"


@pytest.mark.parametrize(
    ("headers", "values"),
    [
        (row(PROSPECTS), row(PROSPECT)),
        (column(PROSPECTS), column(PROSPECT)),  # a vertical layout
        (row(PROSPECTS), column(PROSPECT)),
        (Cells(range_value([PROSPECTS[:3], PROSPECTS[3:]])), row(PROSPECT)),  # a 2-row block
        # Whole rows ($1:$1, 2:2): 16,384 cells, nearly all empty.
        (row(PROSPECTS + [None] * (16384 - 6)), row(PROSPECT + [None] * (16384 - 6))),
        # Array constants typed in the formula: {"PCF_CODE";…} arrive as nested tuples.
        (range_value([PROSPECTS]), range_value([PROSPECT])),
    ],
    ids=["rows", "columns", "row-and-column", "block", "whole-rows", "array-constants"],
)
def test_ranges_of_any_shape(host: UdfHost, headers: Any, values: Any) -> None:
    expected = "P42;411P42;DECAT5;6 rue de la paix;78120;RAMBOUILLET"
    assert text(host.call("GESTIMUM_LIGNE", "Prospects", headers, values)) == expected
    assert text(host.call("GESTIMUM_CONTROLE", "Prospects", headers, values)) == "OK"


def test_error_cell_in_the_row_is_reported_not_sent_empty(host: UdfHost) -> None:
    values = [*PROSPECT[:2], XL_ERRORS["#N/A"], *PROSPECT[3:]]
    line = text(host.call("GESTIMUM_LIGNE", "Prospects", row(PROSPECTS), row(values)))
    assert line.startswith(ERROR_PREFIX) and "#N/A" in line
    check = text(host.call("GESTIMUM_CONTROLE", "Prospects", row(PROSPECTS), row(values)))
    assert "#N/A" in check and "PCF_RS" in check


def test_empty_row_and_single_cells(host: UdfHost) -> None:
    empty = row([None] * 6)
    assert text(host.call("GESTIMUM_LIGNE", "Prospects", row(PROSPECTS), empty)) == ""
    assert "vide" in text(host.call("GESTIMUM_CONTROLE", "Prospects", row(PROSPECTS), empty))
    # One header cell and one value cell arrive as scalars, and read as a one-column sheet.
    for name in ("GESTIMUM_LIGNE", "GESTIMUM_CONTROLE"):
        one = text(host.call(name, "Prospects", Cells("PCF_CODE"), Cells("P1")))
        assert one == getattr(udfs, name)("Prospects", ["PCF_CODE"], ["P1"])
        assert "PCF_RS" in one  # the other mandatory columns are missing


@pytest.mark.parametrize(
    "args",
    [
        (None, None, None),
        (Cells(None), Cells(None), Cells(None)),
        ("Prospects", 42.0, "x"),
        ("Prospects", row(PROSPECTS), row(["a"] * 9)),
        ("Outils.Version", Cells("A"), Cells("b")),
        ("Prospects", XL_ERRORS["#VALUE!"], row(PROSPECT)),
        ("Prospects", MISSING, MISSING),
    ],
    ids=["nothing", "empty-cells", "numbers", "too-many-values", "tool", "error", "missing"],
)
def test_bad_arguments_end_in_a_readable_cell(host: UdfHost, args: tuple[Any, ...]) -> None:
    for name in ("GESTIMUM_LIGNE", "GESTIMUM_CONTROLE"):
        assert text(host.call(name, *args)).startswith(ERROR_PREFIX), name


def test_a_line_longer_than_a_cell_can_hold_says_so(host: UdfHost) -> None:
    # A cell holds 32,767 characters; two long memo cells make a longer line, and Excel would
    # show #VALUE! for it. The cell says why instead.
    headers = ["PCF_CODE", "PCF_RS", "PCF_MEMO", "PCF_MESSAG"]
    values = ["P1", "Nom", "x" * 20000, "y" * 20000]
    line = text(host.call("GESTIMUM_LIGNE", "Prospects", row(headers), row(values)))
    assert line.startswith(ERROR_PREFIX) and "32" in line and "767" in line
    assert text(host.call("GESTIMUM_CONTROLE", "Prospects", row(headers), row(values))) == "OK"


def test_a_long_list_of_issues_is_cut_to_fit_the_cell(host: UdfHost) -> None:
    # Whole rows of a sheet whose columns repeat the codes: one issue per repeated column.
    codes = list(get_endpoint("Prospects").field_codes)
    headers, values = codes * 40, ["z" * 300] * (len(codes) * 40)
    check = text(host.call("GESTIMUM_CONTROLE", "Prospects", row(headers), row(values)))
    assert check.endswith("…") and len(check) == 32767 and "apparaît deux fois" in check
