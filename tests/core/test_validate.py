"""Validation: every issue collected, per cell, per row and across rows (incl. Ecritures)."""

from __future__ import annotations

import datetime as dt

import pytest

from addin.core import issues as ic
from addin.core.catalog import get_endpoint
from addin.core.issues import Issue, Severity
from addin.core.sheet import read_sheet
from addin.core.validate import has_blocking, validate


def check(endpoint: str, header: list[str], *rows: list[object]) -> list[Issue]:
    data = read_sheet([header, *[list(r) for r in rows]], get_endpoint(endpoint), sheet=endpoint)
    return validate(data)


def found(issues: list[Issue]) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.row, i.column) for i in issues]


CLIENT_HEADER = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_CP"]


def test_collects_every_issue_with_its_address() -> None:
    """Several problems on several rows are all reported, sorted, with sheet/row/column/field."""
    issues = check("Clients", CLIENT_HEADER,
                   ["C1", "411C1", None, 8120.0],
                   ["C2", "411C2", "x" * 61, "75001"],
                   ["C3", "411C3", "Trois", "75001"])
    assert found(issues) == [
        (ic.REQUIRED, 2, "C"), (ic.LEADING_ZERO_LOST, 2, "D"), (ic.TOO_LONG, 3, "C")]
    first = issues[0]
    assert (first.sheet, first.field, first.severity) == ("Clients", "PCF_RS", Severity.BLOCKING)
    assert issues[1].value == "8120"  # shown as in Excel, not 8120.0
    assert issues[1].where == "Clients!D2"
    assert has_blocking(issues)


def test_clean_sheet_has_no_issue() -> None:
    """A correct sheet validates clean."""
    assert check("Clients", CLIENT_HEADER, ["C1", "411C1", "Un", "08120"]) == []


def test_warnings_do_not_block() -> None:
    """A warning alone lets the sheet be imported."""
    issues = check("Clients", [*CLIENT_HEADER, "DEP_CODE"], ["C1", "411C1", "Un", "75001", 1.0])
    assert found(issues) == [(ic.LEADING_ZERO_LOST, 2, "E")]
    assert not has_blocking(issues)


def test_structural_issues_come_first() -> None:
    """Issues found reading the sheet are part of the result."""
    issues = check("Clients", ["PCF_CODE", "PCF_RS", "PCF_VILE"], ["C1", "Un", "Paris"])
    assert [i.code for i in issues] == [ic.UNKNOWN_COLUMN, ic.MISSING_COLUMN]


def test_never_raises_on_any_cell() -> None:
    """Odd objects in every column give issues, not exceptions."""
    ep = get_endpoint("DocumentsVente")
    header = [f.code for f in ep.fields]
    odd = [object(), dt.time(1, 2), [1], float("inf"), "#N/A", "😀", "a;b", "\n"]
    rows = [[odd[(i + j) % len(odd)] for j in range(len(header))] for i in range(len(odd))]
    issues = check("DocumentsVente", header, *rows)
    assert has_blocking(issues)


@pytest.mark.parametrize(
    ("endpoint", "header", "row", "expected"),
    [
        pytest.param("Comptes", ["CPT_NUMERO", "CPT_LIB", "CPT_TYPE", "PCF_CODE"],
                     ["70700202", "Ventes", "G", None], [], id="general-account-no-third-party"),
        pytest.param("Comptes", ["CPT_NUMERO", "CPT_LIB", "CPT_TYPE", "PCF_CODE"],
                     ["411X", "X", "C", None], [(ic.CONDITION, 2, "D")],
                     id="client-account-needs-third-party"),
        pytest.param("Comptes", ["CPT_NUMERO", "CPT_LIB", "CPT_TYPE"],
                     ["401X", "X", "f"], [(ic.CONDITION, 2, "")], id="supplier-column-absent"),
        pytest.param("Glossaires", ["TXT_CODE", "TXT_LIB", "TXT_MEMO"], ["G1", "court", None],
                     [], id="glossary-lib"),
        pytest.param("Glossaires", ["TXT_CODE", "TXT_LIB", "TXT_MEMO"], ["G1", "a", "b"],
                     [(ic.CONDITION, 2, "C")], id="glossary-both"),
        pytest.param("Glossaires", ["TXT_CODE", "TXT_LIB", "TXT_MEMO"], ["G1", None, None],
                     [(ic.CONDITION, 2, "B")], id="glossary-none"),
        pytest.param("GrillesTarifs", ["TAR_CODE", "TAR_LIB", "ART_CODE", "FAR_CODE"],
                     ["GT1", "GT1", None, "FAM"], [], id="grid-family"),
        pytest.param("GrillesTarifs", ["TAR_CODE", "TAR_LIB", "ART_CODE", "FAR_CODE"],
                     ["GT1", "GT1", None, None], [(ic.CONDITION, 2, "C")], id="grid-nothing"),
    ],
)
def test_conditional_rules(endpoint: str, header: list[str], row: list[object],
                           expected: list[tuple[str, int, str]]) -> None:
    """Conditional mandatory fields are checked per row, as documented (Comptes: C/F only)."""
    assert found(check(endpoint, header, row)) == expected


def test_condition_names_the_field_even_without_its_column() -> None:
    """A missing conditional column is still named in the issue."""
    (issue,) = check("Comptes", ["CPT_NUMERO", "CPT_LIB", "CPT_TYPE"], ["411X", "X", "C"])
    assert (issue.field, issue.column, issue.row) == ("PCF_CODE", "", 2)


def test_duplicate_key_blocks_the_second_occurrence() -> None:
    """Two rows with the same update key (case-insensitive) block on the second one."""
    issues = check("Clients", CLIENT_HEADER, ["C1", "411C1", "Un", "75001"],
                   ["C2", "411C2", "Deux", "75001"], ["c1", "411C1", "Encore", "75001"])
    assert found(issues) == [(ic.DUPLICATE_KEY, 4, "A")]
    assert "ligne 2" in issues[0].message


def test_composite_key_and_blank_keys() -> None:
    """Composite keys compare every part; rows without key are never duplicates."""
    header = ["PCF_CODE", "RIB_ORDRE", "RIB_BQ_NOM"]
    assert check("BanquesTiers", header, ["C1", "01", "A"], ["C1", "02", "B"]) == []
    issues = check("BanquesTiers", header, ["C1", "01", "A"], ["C1", "01", "B"])
    assert found(issues) == [(ic.DUPLICATE_KEY, 3, "A")]
    affaires = check("Affaires", ["PRJ_CODE", "PRJ_LIB"], [None, "Auto 1"], [None, "Auto 2"])
    assert affaires == []


DOC_HEADER = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "PCF_CODE", "ART_CODE", "LIG_QTE"]


def test_documents_must_be_consecutive() -> None:
    """A document whose lines reappear after another document is a broken grouping."""
    issues = check("DocumentsVente", DOC_HEADER,
                   ["C", "01/01/2024", "P1", "CLI1", "A", 1],
                   ["C", "01/01/2024", "P2", "CLI1", "A", 1],
                   ["C", "01/01/2024", "P1", "CLI1", "B", 1])
    assert found(issues) == [(ic.BROKEN_GROUPING, 4, "")]
    assert "ligne 2" in issues[0].message


def test_third_party_change_inside_a_document() -> None:
    """Changing the client without changing the document would merge two clients' lines."""
    issues = check("DocumentsVente", DOC_HEADER,
                   ["C", "01/01/2024", None, "CLI1", "A", 1],
                   ["C", "01/01/2024", None, "CLI2", "A", 1],
                   ["C", "01/01/2024", None, "CLI2", "B", 1])
    assert found(issues) == [(ic.THIRD_PARTY_CHANGES, 3, "D")]


def test_stock_documents_group_by_third_party() -> None:
    """Where the third party is a grouping field, a change simply starts a new document."""
    issues = check("DocumentsStock", ["DOC_STYPE", "PCF_CODE", "ART_CODE", "MVT_QTE"],
                   ["E", "F1", "A", 1], ["E", "F2", "A", 1])
    assert issues == []


ECR = ["JOU_CODE", "ECR_DATE", "ECR_PIECE", "CPT_NUMERO", "ECR_LIB", "ECR_MONTANT", "ECR_SENS",
       "ECR_DATECH", "ECH_DATE", "ECH_REG_CODE", "ECH_POURCENT", "ECH_MONTANT", "ANA_PLAN",
       "ANA_SECTION", "ANA_MONTANT"]


def entry(piece: str, account: str, amount: object, sens: str, **extra: object) -> list[object]:
    row: dict[str, object] = {"JOU_CODE": "VTE", "ECR_DATE": dt.datetime(2019, 2, 19),
                              "ECR_PIECE": piece, "CPT_NUMERO": account, "ECR_LIB": "Presta",
                              "ECR_MONTANT": amount, "ECR_SENS": sens, **extra}
    return [row.get(c) for c in ECR]


def other(**cells: object) -> list[object]:
    return [cells.get(c) for c in ECR]


def test_balanced_entry_with_due_dates_and_analytics() -> None:
    """A balanced pièce whose due dates and analytics add up is clean (exact decimals)."""
    issues = check("Ecritures", ECR,
                   entry("F1", "411C25", 0.1 + 0.2, "D"),
                   other(ECH_DATE="10/04/2019", ECH_REG_CODE="CHQ", ECH_MONTANT=0.1),
                   other(ECH_DATE="10/05/2019", ECH_REG_CODE="CHQ", ECH_MONTANT=0.2),
                   entry("F1", "707100", 0.3, "C"),
                   other(ANA_PLAN="P1", ANA_SECTION="S1", ANA_MONTANT=0.3))
    assert issues == []


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([entry("F1", "411", 100, "D"), entry("F1", "707", 99.99, "C")],
                     [(ic.UNBALANCED_ENTRY, 2, "")], id="unbalanced"),
        pytest.param([entry("F1", "411", 100, "D"), entry("F1", "707", 100, "C"),
                      entry("F2", "411", 5, "D"), entry("F2", "707", 5, "C"),
                      entry("F1", "411", 1, "D"), entry("F1", "707", 1, "C")],
                     [(ic.BROKEN_GROUPING, 6, "")], id="piece-not-consecutive"),
        pytest.param([other(ECH_DATE="10/04/2019", ECH_MONTANT=10), entry("F1", "411", 0, "D")],
                     [(ic.ORPHAN_LINE, 2, "")], id="orphan-due-date"),
        pytest.param([entry("F1", "411", 10, "D", ECH_DATE="10/04/2019"),
                      entry("F1", "707", 10, "C")], [(ic.MIXED_RECORD_TYPES, 2, "")],
                     id="mixed-row"),
        pytest.param([entry("F1", "411", 10, "D", ECR_DATECH="02/03/2019"),
                      other(ECH_DATE="10/04/2019", ECH_MONTANT=10), entry("F1", "707", 10, "C")],
                     [(ic.DUE_DATE_CONFLICT, 2, "H")], id="due-date-and-due-lines"),
        pytest.param([entry("F1", "411", 100, "D"), other(ECH_DATE="10/04/2019", ECH_MONTANT=40),
                      other(ECH_DATE="10/05/2019", ECH_MONTANT=50), entry("F1", "707", 100, "C")],
                     [(ic.DUE_TOTAL_MISMATCH, 2, "F")], id="due-total"),
        pytest.param([entry("F1", "411", 100, "D"), other(ECH_DATE="10/04/2019", ECH_POURCENT=40),
                      other(ECH_DATE="10/05/2019", ECH_POURCENT=50), entry("F1", "707", 100, "C")],
                     [(ic.DUE_TOTAL_MISMATCH, 2, "F")], id="due-percent-total"),
        pytest.param([entry("F1", "411", 100, "D"), entry("F1", "707", 100, "C"),
                      other(ANA_PLAN="P1", ANA_SECTION="S1", ANA_MONTANT=60),
                      other(ANA_PLAN="P1", ANA_SECTION="S2", ANA_MONTANT=30)],
                     [(ic.ANALYTIC_TOTAL_MISMATCH, 3, "F")], id="analytic-total"),
        pytest.param([entry("F1", None, 100, "D"), entry("F1", "707", 100, "X")],
                     [(ic.REQUIRED, 2, "D"), (ic.NOT_IN_LIST, 3, "G")], id="cell-issues"),
        pytest.param([entry("F1", "411", 100, "D"), other(ECH_REG_CODE="CHQ", ECH_MONTANT=100),
                      entry("F1", "707", 100, "C")], [(ic.REQUIRED, 3, "I")],
                     id="due-date-required"),
    ],
)
def test_entry_checks(rows: list[list[object]], expected: list[tuple[str, int, str]]) -> None:
    """Accounting entries: balance, grouping, attachment and totals, all blocking."""
    issues = check("Ecritures", ECR, *rows)
    assert found(issues) == expected
    assert all(i.severity is Severity.BLOCKING for i in issues)


def test_unbalanced_message_gives_the_totals() -> None:
    """The balance message shows debit, credit and the difference the French way."""
    (issue,) = check("Ecritures", ECR, entry("F1", "411", 1200.5, "D"),
                     entry("F1", "707", 1000, "C"))
    assert "1\u202f200,5" in issue.message and "200,5" in issue.message


def test_entry_missing_columns() -> None:
    """Ecritures needs its entry columns, and the date of due-date lines once ECH_ is used."""
    data = read_sheet([["JOU_CODE", "ECR_DATE", "ECH_MONTANT"], ["VTE", "01/01/2020", None]],
                      get_endpoint("Ecritures"), sheet="Ecritures")
    missing = {i.field for i in data.issues if i.code == ic.MISSING_COLUMN}
    assert missing == {"CPT_NUMERO", "ECR_MONTANT", "ECH_DATE"}


def test_empty_direction_is_a_debit_with_a_warning() -> None:
    """ECR_SENS is optional in the reference: empty reads as D (balance, template, sandbox)."""
    issues = check("Ecritures", ECR, entry("F1", "411", 100, None), entry("F1", "707", 100, "C"))
    assert found(issues) == [(ic.EMPTY_DIRECTION, 2, "G")]
    assert issues[0].severity is Severity.WARNING and "débit (D)" in issues[0].message
    unbalanced = check("Ecritures", ECR, entry("F1", "411", 100, None),
                       entry("F1", "707", 100, None))
    assert ic.UNBALANCED_ENTRY in {i.code for i in unbalanced}


def test_percentages_typed_as_excel_percent_get_a_hint() -> None:
    """40 % typed in a %-formatted cell arrives as 0.4: the message says how to fix it."""
    (issue,) = check("Ecritures", ECR, entry("F1", "411", 100, "D"),
                     other(ECH_DATE="10/04/2019", ECH_POURCENT=0.4),
                     other(ECH_DATE="10/05/2019", ECH_POURCENT=0.6),
                     entry("F1", "707", 100, "C"))
    assert issue.code == ic.DUE_TOTAL_MISMATCH and "saisissez 40" in issue.message
