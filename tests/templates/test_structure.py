"""Each endpoint's data sheet: headers, notes, validations and formats follow the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.core.catalog import Endpoint, Field, import_endpoints
from addin.core.connexion import CONNEXION_SHEET, DEFAULTS, parse_connexion
from addin.core.layout import (
    DATA_ROW,
    HEADER_ROW,
    JOURNAL_HEADERS,
    JOURNAL_SHEET,
    LABEL_ROW,
    RESULTATS_HEADERS,
    RESULTATS_SHEET,
    STATUS_HEADER,
)
from addin.templates import PER_ENDPOINT_DIR, WORKBOOKS
from addin.templates.plan import _CONDITIONS, as_checked, common_codes

from .conftest import COMMITTED

ENDPOINTS = {e.name: e for e in import_endpoints()}


def _data_sheet(wb, endpoint: Endpoint) -> Worksheet:
    found = [ws for ws in wb.worksheets if endpoint.name in ws.tables]
    assert len(found) == 1, f"{endpoint.name}: {len(found)} tables"
    return found[0]


def _columns(ws: Worksheet) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value is not None}


def test_committed_templates_are_exactly_what_the_command_produces(built: Path) -> None:
    fresh = sorted(p.relative_to(built) for p in built.rglob("*.xlsx"))
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*.xlsx"))
    assert committed == fresh, "run: gestimum-excel templates"
    for rel in fresh:
        assert (COMMITTED / rel).read_bytes() == (built / rel).read_bytes(), rel


def test_every_endpoint_in_exactly_one_grouped_workbook_and_its_own_file(built: Path) -> None:
    grouped = [name for names in WORKBOOKS.values() for name in names]
    assert sorted(grouped) == sorted(ENDPOINTS), "each endpoint once, none missing"
    assert len(ENDPOINTS) == 34
    seen: dict[str, str] = {}
    for book in WORKBOOKS:
        wb = load_workbook(built / f"{book}.xlsx")
        for ws in wb.worksheets:
            for table in ws.tables:
                assert table not in seen, f"{table} in {book} and {seen[table]}"
                seen[table] = book
    assert seen == {name: book for book, names in WORKBOOKS.items() for name in names}
    for name in ENDPOINTS:
        wb = load_workbook(built / PER_ENDPOINT_DIR / f"{name}.xlsx")
        assert [t for ws in wb.worksheets for t in ws.tables] == [name]


def test_grouped_sheets_follow_dependency_order(built: Path) -> None:
    order = [e.name for e in import_endpoints()]
    for book in WORKBOOKS:
        wb = load_workbook(built / f"{book}.xlsx")
        tables = [t for ws in wb.worksheets for t in ws.tables]
        assert tables == sorted(tables, key=order.index)
        names = wb.sheetnames
        assert names[:2] == ["Lisez-moi", CONNEXION_SHEET]
        assert names[-2:] == [RESULTATS_SHEET, JOURNAL_SHEET]


def _expected_validation(field: Field) -> tuple[str, object] | None:
    """What the catalog implies for a column's validation: (type, detail)."""
    if field.choices:
        return "list", [c.code for c in field.choices]
    if field.kind == "bool":
        return "list", ["0", "1"]
    if field.kind == "text" and field.max_length:
        return "textLength", str(field.max_length)
    return {
        "date": ("date", None),
        "datetime": ("decimal", None),
        "int": ("whole", None),
        "decimal": ("decimal", None),
        "amount": ("decimal", None),
    }.get(field.kind)


_FORMATS = {"text": "@", "date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "int": "0"}


def _validations_at(ws: Worksheet, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def _check_field_column(ws: Worksheet, endpoint: Endpoint, field: Field, col: int) -> None:
    field = as_checked(endpoint, field)  # the mandatory mark follows the check (core.rules)
    letter = ws.cell(HEADER_ROW, col).column_letter
    where = f"{endpoint.name}.{field.code}"
    # Label row: French label, mandatory marked.
    label = ws.cell(LABEL_ROW, col).value
    prefix = {"due": "Échéance : ", "analytic": "Analytique : "}.get(
        next((k for k, fs in endpoint.records.items() if field in fs), ""), ""
    )
    assert label.startswith(prefix + field.label), where
    assert label.split(" [pos.")[0].endswith(" *") == field.required, where
    # Note: label, type, max length, values, rule, update key.
    note = ws.cell(HEADER_ROW, col).comment.text
    assert field.label in note and field.code in note, where
    if field.max_length and field.kind in ("text", "memo"):
        plural = "s" if field.max_length > 1 else ""
        assert f"{field.max_length} caractère{plural} au plus" in note, where
    for choice in field.choices if field.kind != "bool" else ():
        assert f"{choice.code} = {choice.label}" in note or f"  {choice.code}" in note, where
    assert ("Obligatoire." in note) == field.required, where
    assert ("Clé de mise à jour" in note) == (field.code in endpoint.key_fields), where
    # Validation.
    found = _validations_at(ws, f"{letter}{DATA_ROW}")
    expected = _expected_validation(field)
    if expected is None:
        assert not found, where
    else:
        assert len(found) == 1, where
        dv = found[0]
        assert dv.type == expected[0], where
        assert dv.showErrorMessage and len(dv.error or "") <= 255, where
        if expected[0] == "list":
            assert dv.formula1.strip('"').split(",") == expected[1], where
        elif expected[0] == "textLength":
            assert (dv.operator, dv.formula2) == ("between", expected[1]), where
    # Formats: codes as text, dates jj/mm/aaaa, on the column and the first data cell.
    if field.kind in _FORMATS:
        assert ws.column_dimensions[letter].number_format == _FORMATS[field.kind], where
        assert ws.cell(DATA_ROW, col).number_format == _FORMATS[field.kind], where


def _mandatory_rule_columns(ws: Worksheet) -> set[str]:
    flagged: set[str] = set()
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            formula = rule.formula[0] if rule.formula else ""
            if formula.startswith("AND(") and '="",COUNTA(' in formula:
                flagged.update(str(r).split(":")[0].rstrip("0123456789") for r in cf.sqref.ranges)
    return flagged


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_data_sheet_matches_catalog_field_by_field(built: Path, name: str) -> None:
    endpoint = ENDPOINTS[name]
    wb = load_workbook(built / PER_ENDPOINT_DIR / f"{name}.xlsx")
    ws = _data_sheet(wb, endpoint)
    table = ws.tables[name]
    assert table.ref.startswith(f"A{HEADER_ROW}:")
    cols = _columns(ws)
    codes = [c for c in cols if not c.startswith("#")]
    assert sorted(codes) == sorted(endpoint.field_codes)
    assert [c.name for c in table.tableColumns] == list(cols)
    assert list(cols)[-1] == STATUS_HEADER
    assert ws.freeze_panes == f"B{DATA_ROW}"
    for field in endpoint.fields:
        _check_field_column(ws, endpoint, field, cols[field.code])
    shown = [as_checked(endpoint, f) for f in endpoint.fields]
    required = {ws.cell(HEADER_ROW, cols[f.code]).column_letter for f in shown if f.required}
    assert _mandatory_rule_columns(ws) == required
    # Mandatory, key and documented-example fields stay visible and come first.
    visible_first = {f.code for f in shown if f.required or f.code in endpoint.key_fields}
    visible_first |= set(common_codes(endpoint))
    for code in visible_first:
        assert not ws.column_dimensions[ws.cell(HEADER_ROW, cols[code]).column_letter].hidden
    hidden = [c for c in codes if ws.column_dimensions[ws.cell(2, cols[c]).column_letter].hidden]
    assert not set(hidden) & visible_first
    if hidden:
        assert codes[-len(hidden) :] == hidden, "the long tail is one collapsed group at the end"
        for code in hidden:
            letter = ws.cell(HEADER_ROW, cols[code]).column_letter
            assert ws.column_dimensions[letter].outline_level == 1
    required_positions = [codes.index(f.code) for f in shown if f.required]
    if not endpoint.positional:
        assert sorted(required_positions) == list(range(len(required_positions)))


def test_ecritures_columns_follow_documented_positions(built: Path) -> None:
    endpoint = ENDPOINTS["Ecritures"]
    ws = _data_sheet(load_workbook(built / "Comptabilite.xlsx"), endpoint)
    headers = [c.value for c in ws[HEADER_ROW]]
    expected = [f.code for kind in ("entry", "due", "analytic") for f in endpoint.records[kind]]
    assert headers == [*expected, "#PIECE", "#EQUILIBRE", STATUS_HEADER]
    for kind in ("entry", "due", "analytic"):
        for f in endpoint.records[kind]:
            label = ws.cell(LABEL_ROW, headers.index(f.code) + 1).value
            assert label.endswith(f"[pos. {f.position}]"), label
    piece = headers.index("#PIECE") + 1
    balance = headers.index("#EQUILIBRE") + 1
    assert str(ws.cell(DATA_ROW, piece).value).startswith("=IF(COUNTA(")
    assert "SUMIFS(" in str(ws.cell(DATA_ROW + 5, balance).value)
    rules = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules]
    assert any("<>$" in f and "#" not in f for f in rules), "pièce separator rule"


def test_connexion_resultats_journal_in_every_template(built: Path) -> None:
    for path in sorted(built.rglob("*.xlsx")):
        wb = load_workbook(path)
        grid = [list(r) for r in wb[CONNEXION_SHEET].iter_rows(values_only=True)]
        # Blank optional values (Certificat CA) are left out, exactly as for a user's sheet.
        assert parse_connexion(grid) == {k: v for k, v in DEFAULTS.items() if v}, path.name
        envs = [
            dv for dv in wb[CONNEXION_SHEET].data_validations.dataValidation if dv.type == "list"
        ]
        assert envs and envs[0].formula1 == '"production,recette"'
        assert tuple(c.value for c in wb[RESULTATS_SHEET][1]) == RESULTATS_HEADERS
        assert tuple(c.value for c in wb[JOURNAL_SHEET][1]) == JOURNAL_HEADERS
        assert wb[RESULTATS_SHEET].max_row == 1 and wb[JOURNAL_SHEET].max_row == 1
        readme = " ".join(str(c.value) for c in wb["Lisez-moi"]["A"] if c.value)
        for words in (
            "jj/mm/aaaa",
            "#STATUT",
            "Contrôler",
            "Tester",
            "Importer",
            "gestimum-excel import",
            "masquées ou filtrées SONT envoyées",
        ):
            assert words in readme, (path.name, words)


def test_every_documented_condition_has_a_french_text() -> None:
    conditions = {f.condition for e in ENDPOINTS.values() for f in e.fields if f.condition}
    assert conditions <= set(_CONDITIONS), conditions - set(_CONDITIONS)
