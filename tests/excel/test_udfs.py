"""GESTIMUM_* worksheet functions as plain Python functions on lists (no Excel, no network)."""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

import pytest
import xlwings as xw

from addin import udfs
from addin.core.catalog import get_endpoint
from addin.core.lines import Options, build_batches
from addin.core.sheet import read_sheet
from addin.excel.xlam.ribbon import UDFS
from addin.udfs import GESTIMUM_CHAMPS, GESTIMUM_CONTROLE, GESTIMUM_LIGNE

PROSPECTS = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"]
DEVISES = ["DEV_CODE", "DEV_LIB", "DEV_COURS", "DEV_DT_ACT", "DEV_INCERT"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worksheet functions are offline: any socket would fail the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worksheet function opened a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_documented_prospect_line() -> None:
    row = ["P42", "411P42", "DECAT5", "6 rue de la paix", 78120, "RAMBOUILLET"]
    assert GESTIMUM_LIGNE("Prospects", PROSPECTS, row) == (
        "P42;411P42;DECAT5;6 rue de la paix;78120;RAMBOUILLET")
    # Excel hands numbers over as floats; the line must not show "78120.0".
    row[4] = 78120.0
    assert GESTIMUM_LIGNE("Prospects", PROSPECTS, row).endswith(";78120;RAMBOUILLET")


def test_line_is_the_one_the_import_sends() -> None:
    rows = [
        ["AUD", "Dollar Australien", 1.6, datetime(2026, 1, 5), True],
        ["CAD", "Dollar Canadien", 1.5101, datetime(2026, 12, 31), False],
        ["CHF", "Franc suisse", 0.93, datetime(2025, 7, 14), 1.0],
    ]
    data = read_sheet([DEVISES, *rows], get_endpoint("Devises"), sheet="Devises")
    [batch] = build_batches(data, Options())
    assert [GESTIMUM_LIGNE("Devises", DEVISES, r) for r in rows] == batch.lines
    assert batch.lines[0].split(";")[3:] == ["05/01/2026", "1"]


def test_trailing_empty_fields_are_trimmed_but_inner_ones_kept() -> None:
    row = ["P1", None, "Nom", None, "01000", None]
    assert GESTIMUM_LIGNE("Prospects", PROSPECTS, row) == "P1;;Nom;;01000"


def test_french_label_or_any_case_names_the_endpoint() -> None:
    row = ["P42", "411P42", "DECAT5", "6 rue de la paix", "78120", "RAMBOUILLET"]
    assert GESTIMUM_LIGNE("prospects", PROSPECTS, row) == GESTIMUM_LIGNE("Prospects", PROSPECTS,
                                                                          row)
    assert GESTIMUM_CHAMPS("Familles d'articles")[1][0] == "FAR_CODE"


def test_blocking_issue_is_a_readable_text_not_a_line() -> None:
    row = ["P1", "411P1", None, "rue", "78120", "X"]
    text = GESTIMUM_LIGNE("Prospects", PROSPECTS, row)
    assert text.startswith(udfs.ERROR_PREFIX) and "PCF_RS" in text and "obligatoire" in text


def test_separator_in_a_value_blocks_the_line() -> None:
    row = ["P1", "411P1", "Dupont; et fils", "rue", "78120", "X"]
    assert GESTIMUM_LIGNE("Prospects", PROSPECTS, row).startswith(udfs.ERROR_PREFIX)
    assert GESTIMUM_CONTROLE("Prospects", PROSPECTS, row) != "OK"


@pytest.mark.parametrize("args", [
    ("Inconnu", PROSPECTS, ["x"] * 6),
    (None, None, None),
    ("Prospects", PROSPECTS, ["a"] * 9),
    ("Prospects", 42, "x"),
    ("Outils.Version", ["A"], ["b"]),
])
def test_bad_arguments_never_raise(args: tuple[Any, Any, Any]) -> None:
    for func in (GESTIMUM_LIGNE, GESTIMUM_CONTROLE):
        result = func(*args)
        assert isinstance(result, str) and result.startswith(udfs.ERROR_PREFIX), (func, result)
    if args[0] != "Prospects":
        assert GESTIMUM_CHAMPS(args[0]).startswith(udfs.ERROR_PREFIX)


def test_unknown_endpoint_lists_the_services() -> None:
    text = GESTIMUM_CHAMPS("Factures")
    assert "Factures" in text and "DocumentsVente" in text and "Clients" in text


def test_ranges_of_any_shape_are_accepted() -> None:
    row = ["P42", "411P42", "DECAT5", "6 rue de la paix", "78120", "RAMBOUILLET"]
    expected = GESTIMUM_LIGNE("Prospects", PROSPECTS, row)
    as_column = [[v] for v in row]  # a vertical range
    assert GESTIMUM_LIGNE("Prospects", [[h] for h in PROSPECTS], as_column) == expected
    assert GESTIMUM_LIGNE("Prospects", [PROSPECTS], [row]) == expected  # a 1-row 2-D block
    # A shorter value range: the missing cells are empty.
    assert GESTIMUM_LIGNE("Prospects", PROSPECTS, row[:3]) == "P42;411P42;DECAT5"


def test_controle_ok_issues_and_blank_rows() -> None:
    good = ["P42", "411P42", "DECAT5", "6 rue de la paix", "78120", "RAMBOUILLET"]
    assert GESTIMUM_CONTROLE("Prospects", PROSPECTS, good) == "OK"
    lost_zero = ["P1", "411P1", "Nom", "rue", 8120, "X"]
    text = GESTIMUM_CONTROLE("Prospects", PROSPECTS, lost_zero)
    assert "PCF_CP" in text and "zéro" in text
    missing = ["P1", "411P1", None, "rue", "78120", "X"]
    assert "PCF_RS" in GESTIMUM_CONTROLE("Prospects", PROSPECTS, missing)
    assert "vide" in GESTIMUM_CONTROLE("Prospects", PROSPECTS, [None] * 6)
    assert GESTIMUM_LIGNE("Prospects", PROSPECTS, [None] * 6) == ""


def test_controle_reports_a_header_that_is_not_a_field() -> None:
    text = GESTIMUM_CONTROLE("Prospects", ["PCF_CODE", "PCF_RS", "PCF_RSS"], ["P1", "Nom", "x"])
    assert "PCF_RSS" in text


def test_champs_lists_every_field_in_french() -> None:
    table = GESTIMUM_CHAMPS("Prospects")
    endpoint = get_endpoint("Prospects")
    assert table[0] == ["Code", "Libellé", "Type", "Longueur max", "Obligatoire"]
    assert [r[0] for r in table[1:]] == list(endpoint.field_codes)
    assert table[1] == ["PCF_CODE", "Code prospect", "Texte", 20, "Oui"]
    by_code = {r[0]: r for r in table[1:]}
    assert by_code["PCF_DORT"][2:] == ["Case à cocher (0/1)", "", "Non"]
    assert {r[2] for r in table[1:]} <= set(udfs.KIND_LABELS.values())
    assert all(len(r) == 5 for r in table)  # a rectangle: it spills as one block


def test_functions_match_the_ribbon_table_and_stay_plain_on_linux() -> None:
    for udf in UDFS:
        func = getattr(udfs, udf.name)
        assert list(func.__wrapped__.__code__.co_varnames[: len(udf.args)]) == list(udf.args)

    # On Linux xlwings' decorators are identity functions: nothing wraps the Python callables.
    def sample() -> int:
        return 1

    assert xw.func(sample) is sample
    assert xw.arg("x", ndim=1)(sample) is sample
