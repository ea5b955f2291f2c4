"""Reading a grid into SheetData: header search, `#` columns, blank rows, Excel addresses."""

from __future__ import annotations

import pytest

from addin.core import issues as ic
from addin.core.catalog import get_endpoint
from addin.core.issues import Severity, column_letter, location
from addin.core.sheet import SheetRow, read_sheet

CLIENTS = get_endpoint("Clients")


def codes(issues: list) -> list[str]:
    return [i.code for i in issues]


def test_header_in_first_row() -> None:
    """A plain sheet with the codes in row 1: columns, letters and Excel rows are kept."""
    data = read_sheet(
        [["PCF_CODE", "CPT_NUMERO", "PCF_RS"], ["C1", "411C1", "Un"], ["C2", "411C2", "Deux"]],
        CLIENTS, sheet="Clients",
    )
    assert data.issues == []
    assert data.header_row == 1
    assert [(c.code, c.letter, c.index) for c in data.columns] == [
        ("PCF_CODE", "A", 0), ("CPT_NUMERO", "B", 1), ("PCF_RS", "C", 2)]
    assert [r.row for r in data.rows] == [2, 3]
    assert data.rows[1].values == {"PCF_CODE": "C2", "CPT_NUMERO": "411C2", "PCF_RS": "Deux"}


def test_label_row_above_codes_and_offsets() -> None:
    """A French label row above the codes is skipped; first_row/first_col shift addresses."""
    grid = [
        ["Fiche clients", None, None],
        ["Code client", "N° de compte", "Raison sociale"],
        ["pcf_code", " CPT_NUMERO ", "PCF_RS"],
        ["C1", "411C1", "Un"],
    ]
    data = read_sheet(grid, CLIENTS, sheet="Clients", first_row=5, first_col=3)
    assert data.issues == []
    assert data.header_row == 7
    assert [c.letter for c in data.columns] == ["C", "D", "E"]
    assert data.rows[0].row == 8
    assert not data.label_header


def test_label_header_is_accepted() -> None:
    """A header of French labels instead of codes is read as those fields."""
    grid = [["Code client", "N° de compte", "Raison sociale *", "XXX_SECTEUR"],
            ["C1", "411C1", "Un", "Nord"]]
    data = read_sheet(grid, CLIENTS, sheet="Clients")
    assert data.issues == []
    assert data.label_header
    assert data.codes == ("PCF_CODE", "CPT_NUMERO", "PCF_RS", "XXX_SECTEUR")


def test_hash_columns_and_status() -> None:
    """`#` columns are never sent; #STATUT is remembered with its letter and values."""
    grid = [
        ["#STATUT", "PCF_CODE", "# note", "CPT_NUMERO", "PCF_RS"],
        ["Importé", "C1", "à revoir", "411C1", "Un"],
        ["", None, "seulement un commentaire", None, "  "],
    ]
    data = read_sheet(grid, CLIENTS, sheet="Clients")
    assert data.issues == []
    assert data.status_column is not None and data.status_column.letter == "A"
    assert data.codes == ("PCF_CODE", "CPT_NUMERO", "PCF_RS")
    assert len(data.rows) == 1  # the comment-only row is blank
    assert data.rows[0].status == "Importé"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_CPP"], [ic.UNKNOWN_COLUMN],
                     id="typo"),
        pytest.param(["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RS"], [ic.DUPLICATE_COLUMN],
                     id="duplicate"),
        pytest.param(["PCF_CODE", "PCF_RS"], [ic.MISSING_COLUMN], id="missing-mandatory"),
        pytest.param(["PCF_CODE", "CPT_NUMERO", "PCF_RS", "XXX_SECTEUR"], [], id="custom-field"),
    ],
)
def test_header_issues(header: list[str], expected: list[str]) -> None:
    """Unknown, duplicate and missing columns are blocking; custom fields are accepted."""
    data = read_sheet([header, ["x"] * len(header)], CLIENTS, sheet="Clients")
    assert codes(data.issues) == expected
    assert all(i.severity is Severity.BLOCKING for i in data.issues)


def test_unknown_column_suggests_the_close_code() -> None:
    """A typo names the column and suggests the field it resembles."""
    data = read_sheet([["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_VILE"], ["a", "b", "c", "d"]],
                      CLIENTS, sheet="Clients")
    (issue,) = data.issues
    assert (issue.row, issue.column, issue.value) == (1, "D", "PCF_VILE")
    assert "PCF_VILLE" in issue.message and "#" in issue.message


def test_custom_fields_refused_where_not_documented() -> None:
    """XXX_ columns are unknown on endpoints without custom fields."""
    data = read_sheet([["RPT_COMPTE", "RPT_LIB", "RPT_TYPE", "XXX_A"], ["6", "C", "R", "1"]],
                      get_endpoint("ComptesReporting"), sheet="ComptesReporting")
    assert codes(data.issues) == [ic.UNKNOWN_COLUMN]


def test_data_under_an_empty_header_is_reported() -> None:
    """Values in a column without header would be lost: blocking."""
    grid = [["PCF_CODE", "CPT_NUMERO", "PCF_RS", None], ["C1", "411C1", "Un", None],
            ["C2", "411C2", "Deux", "oublié"]]
    data = read_sheet(grid, CLIENTS, sheet="Clients")
    assert codes(data.issues) == [ic.UNKNOWN_COLUMN]
    assert data.issues[0].column == "D" and "ligne 3" in data.issues[0].message


def test_no_header() -> None:
    """Without any row of codes or labels, one no-header issue names the sheet."""
    data = read_sheet([["Colonne A", "Colonne B"], ["a", "b"]], CLIENTS, sheet="Feuil1")
    assert codes(data.issues) == [ic.NO_HEADER]
    assert "Feuil1" in data.issues[0].message and "PCF_CODE" in data.issues[0].message
    assert data.rows == [] and data.header_row is None


def test_header_beyond_twenty_rows_is_not_found() -> None:
    """The header is searched in the first 20 rows only."""
    grid = [[None]] * 20 + [["PCF_CODE", "CPT_NUMERO", "PCF_RS"], ["a", "b", "c"]]
    assert codes(read_sheet(grid, CLIENTS, sheet="Clients").issues) == [ic.NO_HEADER]


def test_empty_grid() -> None:
    """An empty sheet has no header."""
    assert codes(read_sheet([], CLIENTS, sheet="Clients").issues) == [ic.NO_HEADER]


def test_ragged_and_blank_rows() -> None:
    """Short rows are padded, blank rows skipped, row numbers keep the gaps."""
    grid = [["PCF_CODE", "CPT_NUMERO", "PCF_RS"], ["C1"], [], [None, None, None], ["C4", "4"]]
    data = read_sheet(grid, CLIENTS, sheet="Clients")
    assert [(r.row, r.values["PCF_RS"]) for r in data.rows] == [(2, None), (5, None)]


def test_zero_is_not_blank() -> None:
    """A row holding only the number 0 is data, not a blank row."""
    ep = get_endpoint("Articles")
    data = read_sheet([["ART_CODE", "ART_LIB", "ART_P_VTE"], [None, None, 0.0]], ep, sheet="A")
    assert len(data.rows) == 1


def test_sheet_row_values_are_a_real_dict() -> None:
    """Rows read lazily still expose an editable dict that validation then sees."""
    data = read_sheet([["PCF_CODE", "CPT_NUMERO", "PCF_RS"], ["C1", "411C1", "Un"]], CLIENTS,
                      sheet="Clients")
    row = data.rows[0]
    row.values["PCF_RS"] = "Autre"
    assert row.cells_for(data.codes) == ("C1", "411C1", "Autre")
    assert row == SheetRow(2, {"PCF_CODE": "C1", "CPT_NUMERO": "411C1", "PCF_RS": "Autre"})


@pytest.mark.parametrize(
    ("index", "letter"),
    [pytest.param(1, "A", id="A"), pytest.param(26, "Z", id="Z"), pytest.param(27, "AA", id="AA"),
     pytest.param(52, "AZ", id="AZ"), pytest.param(703, "AAA", id="AAA")],
)
def test_column_letters(index: int, letter: str) -> None:
    """Column numbers become Excel letters."""
    assert column_letter(index) == letter


@pytest.mark.parametrize(
    ("sheet", "row", "column", "expected"),
    [
        pytest.param("Clients", 5, "C", "Clients!C5", id="cell"),
        pytest.param("Mes clients", 5, "C", "'Mes clients'!C5", id="quoted-sheet"),
        pytest.param("Clients", 5, "", "Clients!5", id="row"),
        pytest.param("Clients", None, "", "Clients", id="sheet"),
    ],
)
def test_location(sheet: str, row: int | None, column: str, expected: str) -> None:
    """Issue addresses read like Excel references."""
    assert location(sheet, row, column) == expected


def test_documented_issue_codes_exist() -> None:
    """Every code ARCHITECTURE.md lists is a stable constant of addin.core.issues."""
    listed = {"unknown-column", "duplicate-column", "missing-column", "required", "too-long",
              "type-error", "not-in-list", "separator-in-value", "line-break-in-value",
              "delimiter-in-value", "leading-zero-lost", "unsupported-character",
              "duplicate-key", "broken-grouping", "unbalanced-entry", "no-header", "merged-cell",
              "formula-without-value"}
    assert listed <= ic.CODES
    assert all(code == code.lower() and " " not in code for code in ic.CODES)
