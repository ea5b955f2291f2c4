"""Sheets holding the documented examples produce the documented request bodies, key for key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from addin.core import issues as ic
from addin.core.catalog import Endpoint, get_endpoint, import_endpoints
from addin.core.lines import Options, build_batches, build_body
from addin.core.sheet import read_sheet
from addin.core.validate import validate


def body_of(endpoint: Endpoint, grid: list[list[object]], options: Options) -> dict[str, Any]:
    data = read_sheet(grid, endpoint, sheet=endpoint.name)
    issues = validate(data)
    assert issues == []
    (batch,) = build_batches(data, options)
    return build_body(endpoint, batch, options)


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal key for key and in key order (json.dumps keeps insertion order)."""
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def test_comptes_reporting_with_numbers_typed_in_excel() -> None:
    """`6` and `600` typed as numbers (xlwings gives floats) become `6` and `600`."""
    ep = get_endpoint("ComptesReporting")
    grid: list[list[object]] = [["RPT_COMPTE", "RPT_LIB", "RPT_TYPE"],
                                [6.0, "Charges", "R"], [600.0, "Charges Commerciales", "G"]]
    assert same(body_of(ep, grid, Options()), ep.examples[0])


def test_prospects_with_a_postcode_typed_as_a_number() -> None:
    """78120 typed as a number is a complete 5-digit postcode: no issue, sent as `78120`."""
    ep = get_endpoint("Prospects")
    grid: list[list[object]] = [
        ["#STATUT", "PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"],
        [None, "P42", "411P42", "DECAT5", "6 rue de la paix", 78120.0, "RAMBOUILLET"],
    ]
    assert same(body_of(ep, grid, Options()), ep.examples[0])


def _non_positional_examples() -> list[Any]:
    cases = []
    for ep in import_endpoints():
        if ep.positional:
            continue
        for n in range(len(ep.examples)):
            cases.append(pytest.param(ep.name, n, id=f"{ep.name}-{n}"))
    return cases


# The documented Affaires example holds the date 15/19/2019 (month 19): refused, on purpose.
WRONG_IN_THE_DOCS = {"Affaires": (ic.INVALID_DATE, 2, "PRJ_DT_FIN")}


@pytest.mark.parametrize(("name", "n"), _non_positional_examples())
def test_documented_example_as_a_sheet(name: str, n: int) -> None:
    """Header + lines of the example, typed as text in a sheet, give back the same body."""
    ep = get_endpoint(name)
    example = ep.examples[n]
    params = example[ep.root_key]["parametres"]
    grid: list[list[object]] = [line.split(";") for line in params[ep.file_param]]
    options = Options(deconnecter=example[ep.root_key]["societe"]["deconnecter"])
    if name in WRONG_IN_THE_DOCS:
        issues = validate(read_sheet(grid, ep, sheet=name))
        assert [(i.code, i.row, i.field) for i in issues] == [WRONG_IN_THE_DOCS[name]]
        return
    assert same(body_of(ep, grid, options), example)


def _entry_grid(ep: Endpoint, lines: list[str]) -> list[list[object]]:
    """One sheet row per positional line, under a header of every Ecritures field."""
    header = [f.code for f in ep.fields]
    grid: list[list[object]] = [header]
    for line in lines:
        kind, text = ("due", line[1:]) if line[0] == "E" else (
            ("analytic", line[1:]) if line[0] == ">" else ("entry", line))
        cells = dict(zip((f.code for f in ep.records[kind]), text.split(","), strict=False))
        grid.append([cells.get(code) or None for code in header])
    return grid


def _entry_examples() -> list[Any]:
    ep = get_endpoint("Ecritures")
    out = []
    for n, example in enumerate(ep.examples):
        fmt = example[ep.root_key]["parametres"]["format"]
        marks = () if fmt == "GestimumComptaVariable" else (
            pytest.mark.skip(reason=f"{fmt}: only GestimumComptaVariable is built from sheets"),)
        out.append(pytest.param(n, id=f"Ecritures-{n}-{fmt}", marks=marks))
    return out


@pytest.mark.parametrize("n", _entry_examples())
def test_documented_entries_as_a_sheet(n: int) -> None:
    """Entry, due-date and analytic rows give back the documented positional lines and body."""
    ep = get_endpoint("Ecritures")
    example = ep.examples[n]
    root = example[ep.root_key]
    options = Options(deconnecter=root["societe"]["deconnecter"],
                      test=root["parametres"]["tester"] == "Oui")
    grid = _entry_grid(ep, root["parametres"]["fichier_ecritures"])
    assert same(body_of(ep, grid, options), example)


def test_entry_line_numbers_are_filled_when_empty() -> None:
    """With ECR_LIGNE left empty, lines are numbered 1..n as in the documented example."""
    ep = get_endpoint("Ecritures")
    example = ep.examples[0]
    grid = _entry_grid(ep, example[ep.root_key]["parametres"]["fichier_ecritures"])
    for row in grid[1:]:
        row[0] = None
    assert same(body_of(ep, grid, Options(test=True)), example)
