"""A template filled with the documented example lines passes the checks and builds the
documented request (the core reads the template exactly as a user's workbook)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from addin import cli
from addin.core.catalog import Endpoint, Field, import_endpoints
from addin.core.issues import Severity
from addin.core.layout import DATA_ROW, HEADER_ROW
from addin.core.lines import Options, build_batches, build_body
from addin.core.sheet import read_sheet
from addin.core.validate import validate
from addin.templates import PER_ENDPOINT_DIR
from addin.templates.plan import sheet_title

from .conftest import COMMITTED

ENDPOINTS = {e.name: e for e in import_endpoints()}
WITH_EXAMPLES = sorted(n for n, e in ENDPOINTS.items() if e.examples and not e.positional)
WITHOUT_EXAMPLES = sorted(n for n, e in ENDPOINTS.items() if not e.examples)
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def _typed(field: Field, text: str) -> object:
    """The value a user would type in Excel for a documented text (None: not a valid value)."""
    if field.kind in ("date", "datetime"):
        match = _DATE.match(text)
        if not match:
            return None
        day, month, year = map(int, match.groups())
        try:
            return datetime(year, month, day)
        except ValueError:  # e.g. the documented slip 15/19/2019 (README §7.2)
            return None
    if field.kind in ("int", "bool"):
        return int(text)
    if field.kind in ("decimal", "amount"):
        return Decimal(text.replace(",", "."))
    return text


def _fill(path: Path, tmp: Path, endpoint: Endpoint, rows: list[dict[str, object]]) -> list:
    """Type `rows` (field code → value) into the template's table, save, read back as a grid."""
    wb = load_workbook(path)
    ws = wb[sheet_title(endpoint)]
    cols = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    for i, values in enumerate(rows):
        for code, value in values.items():
            ws.cell(DATA_ROW + i, cols[code], value)
    out = tmp / f"{endpoint.name}-rempli.xlsx"
    wb.save(out)
    # Values as the workbook adapter reads them (cached results; the # formulas have none).
    sheet = load_workbook(out, data_only=True)[sheet_title(endpoint)]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _bodies(grid: list, endpoint: Endpoint, options: Options) -> list[dict[str, Any]]:
    data = read_sheet(grid, endpoint, sheet=sheet_title(endpoint))
    issues = validate(data)
    blocking = [i for i in issues if i.severity == Severity.BLOCKING]
    assert not blocking, [(i.row, i.field, i.code, i.message) for i in blocking]
    assert [r.row for r in data.rows] == list(range(DATA_ROW, DATA_ROW + len(data.rows)))
    return [build_body(endpoint, b, options) for b in build_batches(data, options)]


def _records(lines: list[str], sep: str, endpoint: Endpoint) -> list[dict[str, object]]:
    """Each line as field → value; numbers compared by value (a cell holds 1.6, not "1,60")."""
    header = lines[0].split(sep)
    numeric = {f.code for f in endpoint.fields if f.kind in ("decimal", "amount")}
    return [
        {
            k: Decimal(v.replace(",", ".")) if k in numeric else v
            for k, v in zip(header, line.split(sep), strict=False)
            if v
        }
        for line in lines[1:]
    ]


def _options(endpoint: Endpoint, example: dict[str, Any]) -> Options:
    societe = example["societe"]
    params = example["parametres"]
    return Options(
        fichier=societe["fichier"],
        utilisateur=societe["utilisateur"],
        deconnecter=societe["deconnecter"],
        exclusif=societe["exclusif"],
        test=params.get("tester") == "Oui",
        params={
            p.name: params[p.name]
            for p in endpoint.params
            if p.name in params and p.name not in ("tester", "format")
        },
    )


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_documented_example_through_the_template(name: str, tmp_path: Path) -> None:
    endpoint = ENDPOINTS[name]
    template = COMMITTED / PER_ENDPOINT_DIR / f"{name}.xlsx"
    checked = 0
    for n, raw in enumerate(endpoint.examples):
        example = raw[endpoint.root_key]
        params = example["parametres"]
        sep = params["separateur_champs"]
        lines = params[endpoint.file_param]
        header = [c.strip() for c in lines[0].split(sep)]
        rows, kept = [], [lines[0]]
        for line in lines[1:]:
            values = {}
            for code, text in zip(header, line.split(sep), strict=False):
                if text:
                    values[code] = _typed(endpoint.field(code), text)
            if None in values.values():
                continue  # a documented value that is not valid (reported slip)
            rows.append(values)
            kept.append(line)
        if not rows:
            continue
        bodies = _bodies(
            _fill(template, tmp_path, endpoint, rows), endpoint, _options(endpoint, example)
        )
        assert len(bodies) == 1
        got = bodies[0][endpoint.root_key]
        sent = got["parametres"].pop(endpoint.file_param)
        expected = {k: v for k, v in params.items() if k != endpoint.file_param}
        assert got["parametres"] == expected, n
        assert got["societe"] == example["societe"], n
        assert _records(sent, sep, endpoint) == _records(kept, sep, endpoint), n
        # The same file through the command a user runs: `gestimum-excel check`.
        assert cli.main(["check", str(tmp_path / f"{name}-rempli.xlsx")]) == 0, n
        checked += 1
    assert checked, f"{name}: no documented example could be replayed"


def _sample(field: Field) -> object:
    """A valid value of a field for endpoints whose examples are withheld."""
    if field.choices:
        return field.choices[0].code if field.kind != "bool" else 1
    return {
        "date": datetime(2024, 3, 15),
        "datetime": datetime(2024, 3, 15, 9, 30),
        "int": 7,
        "decimal": Decimal("2.5"),
        "amount": Decimal("12.5"),
    }.get(field.kind, ("0" + field.code.replace("_", ""))[: field.max_length or 20])


@pytest.mark.parametrize("name", WITHOUT_EXAMPLES)
def test_mandatory_fields_row_through_the_template(name: str, tmp_path: Path) -> None:
    endpoint = ENDPOINTS[name]
    template = COMMITTED / PER_ENDPOINT_DIR / f"{name}.xlsx"
    fields = [f for f in endpoint.fields if f.required]
    if name == "Glossaires":  # documented rule: TXT_LIB or TXT_MEMO
        fields.append(endpoint.field("TXT_LIB"))
    row = {f.code: _sample(f) for f in fields}
    (body,) = _bodies(_fill(template, tmp_path, endpoint, [row]), endpoint, Options())
    sent = body[endpoint.root_key]["parametres"][endpoint.file_param]
    (record,) = _records(sent, ";", endpoint)
    assert cli.main(["check", str(tmp_path / f"{name}-rempli.xlsx")]) == 0
    assert set(record) == set(row)
    for code, value in row.items():
        if isinstance(value, str):
            assert record[code] == value  # leading zero kept: codes stay text
        elif isinstance(value, datetime) and endpoint.field(code).kind == "date":
            assert record[code] == "15/03/2024"


@pytest.mark.parametrize("n", [0, 1, 2])
def test_documented_entries_through_the_ecritures_template(n: int, tmp_path: Path) -> None:
    endpoint = ENDPOINTS["Ecritures"]
    example = endpoint.examples[n][endpoint.root_key]
    lines = example["parametres"]["fichier_ecritures"]
    rows = []
    for line in lines:
        kind, rest = {"E": ("due", line[1:]), ">": ("analytic", line[1:])}.get(
            line[0], ("entry", line)
        )
        texts = rest.split(",")
        offset = 0 if kind == "entry" else 1  # E / > stand for position 1
        by_position = {f.position: f for f in endpoint.records[kind]}
        rows.append(
            {
                by_position[i + 1 + offset].code: _typed(by_position[i + 1 + offset], t)
                for i, t in enumerate(texts)
                if t
            }
        )
    template = COMMITTED / PER_ENDPOINT_DIR / "Ecritures.xlsx"
    (body,) = _bodies(
        _fill(template, tmp_path, endpoint, rows), endpoint, _options(endpoint, example)
    )
    got = body[endpoint.root_key]
    assert got["parametres"] == example["parametres"]
    assert got["societe"] == example["societe"]


def test_filled_ecritures_written_by_a_script_passes_check(tmp_path: Path) -> None:
    """Uncalculated formulas in # helper columns (#PIECE, #EQUILIBRE) never block a check."""
    endpoint = ENDPOINTS["Ecritures"]
    row = {
        "ECR_DATE": datetime(2019, 2, 19),
        "JOU_CODE": "VTE",
        "CPT_NUMERO": "411C25",
        "ECR_MONTANT": 100,
        "ECR_SENS": "D",
    }
    other = {**row, "CPT_NUMERO": "707100", "ECR_SENS": "C"}
    _fill(COMMITTED / PER_ENDPOINT_DIR / "Ecritures.xlsx", tmp_path, endpoint, [row, other])
    assert cli.main(["check", str(tmp_path / "Ecritures-rempli.xlsx")]) == 0
