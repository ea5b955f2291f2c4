"""Month-end accounting: Débit/Crédit columns, the expected period, totals per journal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from addin.core import issues as ic
from addin.core.catalog import get_endpoint
from addin.core.entry_totals import entry_totals, total_lines
from addin.core.issues import Severity
from addin.core.lines import Options, build_batches
from addin.core.period import parse_period, period_issues
from addin.core.sheet import read_sheet
from addin.core.validate import validate

ECR = get_endpoint("Ecritures")
HEAD = ["Date", "Journal", "Compte", "Pièce", "Débit", "Crédit"]


def _read(*rows: list[object], head: list[str] = HEAD):  # noqa: ANN202
    return read_sheet([head, *rows], ECR, sheet="Ecritures")


def test_debit_credit_columns_become_amount_and_direction() -> None:
    data = _read([date(2025, 1, 31), "VTE", "411C25", "F1", 120, 0],
                 [date(2025, 1, 31), "VTE", "707100", "F1", "0,00", "120"])
    assert not validate(data)
    lines = build_batches(data, Options())[0].lines
    assert [line.split(",")[8:10] for line in lines] == [["120", "D"], ["120", "C"]]


def test_both_sides_or_amount_as_well_are_refused() -> None:
    data = _read([date(2025, 1, 31), "VTE", "411C25", "F1", 120, 120])
    assert [(i.code, i.row, i.column) for i in data.issues] == [(ic.DEBIT_AND_CREDIT, 2, "E")]
    data = _read([date(2025, 1, 31), "VTE", "411C25", "F1", 120, None, 120, "D"],
                 head=HEAD + ["Montant", "Sens"])
    assert [i.code for i in data.issues] == [ic.DEBIT_AND_CREDIT]


def test_totals_per_journal_use_the_checked_amounts() -> None:
    data = _read([date(2025, 1, 31), "VTE", "411C25", "F1", 0.1, None],
                 [date(2025, 1, 31), "VTE", "411C25", "F1", 0.2, None],
                 [date(2025, 1, 31), "VTE", "707100", "F1", None, "0,3"],
                 [date(2025, 1, 2), "BQ", "512000", "B1", 5, None],
                 [date(2025, 1, 2), "BQ", "411C25", "B1", None, 5])
    totals = entry_totals(data)
    assert [(t.journal, t.debit, t.credit, t.lines) for t in totals] == [
        ("BQ", Decimal(5), Decimal(5), 2), ("VTE", Decimal("0.3"), Decimal("0.3"), 3)]
    only = entry_totals(data, {5, 6})
    assert [(t.journal, t.lines) for t in only] == [("BQ", 2)]
    text = total_lines(totals, "T")
    assert text[-1] == "  Total : débit 5,30, crédit 5,30, 5 ligne(s), équilibré"
    assert all(len(line) <= 80 for line in text)


@pytest.mark.parametrize(("text", "expected"), [
    ("01/2025", (date(2025, 1, 1), date(2025, 1, 31))),
    ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
    ("Février 2025", (date(2025, 2, 1), date(2025, 2, 28))),
    ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
    ("du 01/01/2025 au 15/01/2025", (date(2025, 1, 1), date(2025, 1, 15))),
    ("01/01/2025 - 31/03/2025", (date(2025, 1, 1), date(2025, 3, 31))),
    ("31/03/2025 - 01/01/2025", None),
    ("bientôt", None),
    ("13/2025", None),
])
def test_expected_period_spellings(text: str, expected: object) -> None:
    assert parse_period(text) == expected


def test_entries_outside_the_period_are_blocking_issues() -> None:
    data = _read([datetime(2025, 1, 31), "VTE", "411C25", "F1", 1, None],
                 ["31/12/2023", "VTE", "707100", "F1", None, 1])
    found = period_issues(data, "01/2025")
    assert [(i.code, i.row, i.column, i.value) for i in found] == [
        (ic.OUT_OF_PERIOD, 3, "A", "31/12/2023")]
    assert period_issues(data, None) == []
    assert [i.sheet for i in period_issues(data, "n'importe quoi")] == ["Connexion"]


def test_lost_zero_fixed_on_request_only_where_the_length_is_known() -> None:
    """6000 → 06000 (postcode), 12345678 → 012345678 (SIREN); a truncated 750 is left to the
    user with no guessed value, and so is a Belgian postcode."""
    from addin.core.zeros import fix_lost_zeros

    clients = get_endpoint("Clients")
    grid = [["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_CP", "PAY_CODE", "PCF_SIREN"],
            ["C1", "Un", "411C1", 6000, "", 12345678],
            ["C2", "Deux", "411C2", 750, "FR", None],
            ["C3", "Trois", "411C3", 1000, "BE", None]]
    data = read_sheet(grid, clients, sheet="Clients")
    fixed = fix_lost_zeros(data)
    assert [(i.code, i.row, i.column, i.value) for i in fixed] == [
        (ic.LEADING_ZERO_FIXED, 2, "D", "6000"), (ic.LEADING_ZERO_FIXED, 2, "F", "12345678")]
    assert data.rows[0].values["PCF_CP"] == "06000"
    left = [i for i in validate(data) if i.code == ic.LEADING_ZERO_LOST]
    assert [i.row for i in left] == [3, 4]
    truncated = next(i for i in left if i.row == 3)
    assert "semble incomplète" in truncated.message and "00750" not in truncated.message


def test_missing_code_names_the_candidates() -> None:
    from addin.core.missing_code import explain_missing_code

    docs = get_endpoint("DocumentsVente")
    header = "DOC_STYPE;DOC_DATE;PCF_CODE;ART_CODE;LIG_QTE"
    assert explain_missing_code("Code manquant", docs, header, "C;02/11/2026;C9;LIC-PREMIUM;1") \
        == "Code manquant (tiers C9 ? article LIC-PREMIUM ?)"
    assert explain_missing_code("Autre erreur", docs, header, "C;x;C9;A;1") == "Autre erreur"
    line = "1,31/01/2025,VTE,411ZZ,,Facture,F1,,10,D"
    assert explain_missing_code("Code manquant", ECR, None, line) == (
        "Code manquant (journal VTE ? compte 411ZZ ?)")
    clients = get_endpoint("Clients")  # the client being created is not a candidate
    assert explain_missing_code("Code manquant", clients, "PCF_CODE;PCF_RS;FAT_CODE",
                                "C1;Nom;FAM9") == "Code manquant (famille de tiers FAM9 ?)"


def test_documents_that_would_merge_are_warned() -> None:
    """Two invoices, same client and day, no number nor reference: one pièce — said."""
    from addin.core.documents import merge_warnings

    docs = get_endpoint("DocumentsVente")
    head = ["DOC_STYPE", "DOC_DATE", "PCF_CODE", "ART_CODE", "LIG_QTE"]
    day = date(2025, 1, 10)
    gap = read_sheet([head, ["F", day, "C1", "A1", 1], [None] * 5, ["F", day, "C1", "A2", 1]],
                     docs, sheet="Ventes")
    (w,) = merge_warnings(gap)
    assert (w.code, w.row, w.severity) == (ic.PIECES_MERGED, 2, Severity.WARNING)
    assert "lignes vides" in w.message and "ligne 4" in w.message
    again = read_sheet([head, ["F", day, "C1", "A1", 1], ["F", day, "C1", "A2", 1],
                        ["F", day, "C1", "A1", 3]], docs, sheet="Ventes")
    assert "l'article A1 y revient" in merge_warnings(again)[0].message
    plain = read_sheet([head, ["F", day, "C1", "A1", 1], ["F", day, "C1", "A2", 1]], docs,
                       sheet="Ventes")
    assert merge_warnings(plain) == []


def test_test_answers_never_leave_rows_to_check_in_gestimum() -> None:
    """In a test run, a row the answer did not locate is 'Non vérifiable en test', not
    'À vérifier' (nothing was written); a located rejection keeps its test state."""
    from addin.core.dependencies import soften_test_outcome
    from addin.core.lines import Batch
    from addin.core.outcomes import BatchOutcome, RowOutcome
    from addin.core.status import RowState

    clients = get_endpoint("Clients")
    batch = Batch(1, 1, "PCF_CODE;PCF_RS", ["C1;Un", "C2;Deux"], [3, 4])
    rows = [RowOutcome(3, RowState.UNKNOWN, "", ["?"], [], [], 1),
            RowOutcome(4, RowState.REJECTED, "", ["Code manquant"], [], [], 2)]
    outcome = BatchOutcome("unknown", 0, 0, 0, [], [], rows, "", test=True, unknown=1)
    soft = soften_test_outcome(outcome, clients, batch, "Clients", {})
    assert [r.state for r in soft.rows] == [RowState.UNTESTED, RowState.TEST_REJECTED]
    assert soft.rows[0].text.startswith("Non vérifiable en test : Gestimum n'a pas dit")
    assert soft.unknown == 0 and soft.state == "partial"


@pytest.mark.parametrize(("value", "blocked"), [
    ("=LEFT(A2;5)", True), ("=A2&B2", True), ("= SOMME(B2:B9)", True),
    ("=> voir note", False), ("Dupont = associé", False),
])
def test_formula_kept_as_text_is_named(value: str, blocked: bool) -> None:
    clients = get_endpoint("Clients")
    data = read_sheet([["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["C1", value, "411C1"]], clients,
                      sheet="Clients")
    codes = [i.code for i in validate(data)]
    assert (ic.FORMULA_AS_TEXT in codes) is blocked


def test_amount_typed_as_text_is_sent_but_said() -> None:
    """'200,00' typed as text: read and sent by the check, but #EQUILIBRE cannot count it."""
    from addin.core.entry_totals import text_amounts

    head = ["Date", "Journal", "Compte", "Pièce", "Montant", "Sens"]
    data = _read([date(2025, 1, 31), "VTE", "411C25", "F1", 200, "D"],
                 [date(2025, 1, 31), "VTE", "707100", "F1", "200,00", "C"], head=head)
    (w,) = text_amounts(data)
    assert (w.code, w.row, w.column, w.severity) == (ic.AMOUNT_AS_TEXT, 3, "E", Severity.WARNING)
    assert not [i for i in validate(data) if i.severity is not Severity.WARNING]
    assert text_amounts(_read([date(2025, 1, 31), "VTE", "411C25", "F1", "5", None])) == []


def test_invoice_dated_before_one_already_imported_is_warned() -> None:
    from addin.core.documents import chronology_warnings

    docs = get_endpoint("DocumentsVente")
    head = ["DOC_STYPE", "DOC_DATE", "PCF_CODE", "ART_CODE", "LIG_QTE", "#STATUT"]
    data = read_sheet([head,
                       ["F", date(2025, 1, 20), "C1", "A1", 1, "Importée — pièce FA-12"],
                       ["F", date(2025, 1, 10), "C2", "A1", 1, None],
                       ["C", date(2025, 1, 5), "C2", "A1", 1, None],  # an order: no sequence
                       ["F", date(2025, 1, 25), "C3", "A1", 1, None]], docs, sheet="Ventes")
    (w,) = chronology_warnings(data)
    assert (w.code, w.row, w.column, w.severity) == (ic.OUT_OF_SEQUENCE, 3, "B", Severity.WARNING)
    assert "ligne 2" in w.message and "20/01/2025" in w.message
