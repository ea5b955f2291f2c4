"""Column mapping: headers by code, label, synonym and saved choice; suggestions; saved sheet."""

from __future__ import annotations

import pytest

from addin.core import issues as ic
from addin.core.catalog import get_endpoint
from addin.core.check_report import group_issues, mapping_lines
from addin.core.issues import Issue, Severity
from addin.core.mapping import (
    BY_CODE,
    BY_LABEL,
    BY_SAVED,
    BY_SYNONYM,
    IGNORED,
    MAPPING_HEADERS,
    Matcher,
    elsewhere,
    header_key,
    mapping_rows,
    parse_saved,
    suggestions,
)
from addin.core.sheet import read_sheet

CLIENTS = get_endpoint("Clients")
ECRITURES = get_endpoint("Ecritures")


@pytest.mark.parametrize(("header", "code", "how"), [
    ("PCF_CODE", "PCF_CODE", BY_CODE),
    ("pcf_code", "PCF_CODE", BY_CODE),
    ("Pcf Code", "PCF_CODE", BY_CODE),
    ("Code client", "PCF_CODE", BY_SYNONYM),
    ("Code client *", "PCF_CODE", BY_SYNONYM),  # the template's label row, mandatory mark
    ("Raison sociale", "PCF_RS", BY_LABEL),
    ("  RAISON-SOCIALE ", "PCF_RS", BY_LABEL),
    ("Nom", "PCF_RS", BY_SYNONYM),
    ("CP", "PCF_CP", BY_SYNONYM),
    ("C.P.", "PCF_CP", BY_SYNONYM),
    ("code postal", "PCF_CP", BY_SYNONYM),
    ("Code postal (adresse de facturation)", "PCF_CP", BY_LABEL),
    ("Ville", "PCF_VILLE", BY_SYNONYM),
    ("Téléphone", "PCF_TEL1", BY_SYNONYM),
    ("telephone", "PCF_TEL1", BY_SYNONYM),
    ("E-mail", "PCF_EMAIL", BY_SYNONYM),
    ("SIRET", "PCF_SIRET", BY_SYNONYM),
    ("N° SIRET", "PCF_SIRET", BY_LABEL),
    ("SIREN", "PCF_SIREN", BY_SYNONYM),
    ("N° TVA intracom", "PCF_NII", BY_SYNONYM),
])
def test_client_headers(header: str, code: str, how: str) -> None:
    assert Matcher(CLIENTS).match(header) == (code, how)


@pytest.mark.parametrize(("header", "code"), [
    ("Date", "ECR_DATE"),  # not the due-date line's "Date"
    ("Journal", "JOU_CODE"),
    ("Compte", "CPT_NUMERO"),
    ("Montant", "ECR_MONTANT"),
    ("Date d'écriture * [pos. 2]", "ECR_DATE"),
    ("Échéance : Date * [pos. 2]", "ECH_DATE"),
    ("Analytique : Montant [pos. 5]", "ANA_MONTANT"),
    ("N° pièce", "ECR_PIECE"),
])
def test_entry_headers(header: str, code: str) -> None:
    assert Matcher(ECRITURES).match(header)[0] == code


def test_same_word_names_each_endpoints_own_field() -> None:
    """"Code" is the endpoint's own key; a synonym never picks a field the endpoint lacks."""
    assert Matcher(get_endpoint("Articles")).match("Code")[0] == "ART_CODE"
    assert Matcher(CLIENTS).match("Code")[0] == "PCF_CODE"
    assert Matcher(get_endpoint("DocumentsVente")).match("Client")[0] == "PCF_CODE"
    assert Matcher(CLIENTS).match("Montant") == (None, "")
    assert Matcher(CLIENTS).match("") == (None, "")


def test_saved_mapping_wins_and_can_ignore_a_column() -> None:
    m = Matcher(CLIENTS, {"Nom": "PCF_RS2", "Chiffre d'affaires": IGNORED, "Bad": "NOPE"})
    assert m.match("nom") == ("PCF_RS2", BY_SAVED)
    assert m.match("Chiffre d’affaires") == (IGNORED, BY_SAVED)
    assert m.match("Bad") == (None, "")  # a saved code that is no field is not trusted


def test_unmatched_headers_get_suggestions_or_where_they_belong() -> None:
    assert [f.code for f in suggestions(CLIENTS, "Téléphone portable")][:2] == [
        "PCF_TEL1", "PCF_TEL2"]
    assert [f.code for f in suggestions(CLIENTS, "Emial")][:1] == ["PCF_EMAIL"]
    assert suggestions(CLIENTS, "") == []
    assert "RIB_IBAN" in elsewhere(CLIENTS, "IBAN") and "BanquesTiers" in elsewhere(CLIENTS, "iban")
    assert "BanquesTiers" in elsewhere(CLIENTS, "BIC")
    assert elsewhere(CLIENTS, "Ville") == ""


def test_header_key_ignores_case_accents_punctuation_and_template_marks() -> None:
    assert header_key("Échéance : Date * [pos. 2]") == header_key("echeance date")
    assert header_key("N°  SIRET") == "nsiret"


def test_export_headers_are_read_and_unmatched_columns_reported() -> None:
    grid = [
        ["Export du 31/01/2025"],
        ["Code client", "Nom", "CP", "IBAN", "Compte", "Notes internes", "#Remarque"],
        ["C1", "Martin", "06000", "FR76…", "411C1", "x", "y"],
    ]
    data = read_sheet(grid, CLIENTS, sheet="Export")
    assert data.header_row == 2 and data.label_header
    assert [c.code for c in data.columns] == ["PCF_CODE", "PCF_RS", "PCF_CP", "CPT_NUMERO"]
    unknown = [i for i in data.issues if i.code == ic.UNKNOWN_COLUMN]
    assert [(i.column, i.value) for i in unknown] == [("D", "IBAN"), ("F", "Notes internes")]
    assert all(i.severity is Severity.BLOCKING for i in unknown)
    assert data.rows[0].values["PCF_CP"] == "06000"
    lines = mapping_lines(data)
    assert "C « CP » → PCF_CP (Code postal (adresse de facturation)) [synonyme]" in lines
    assert "D « IBAN » → aucun champ (à compléter)" in lines


def test_saved_mapping_read_back_from_its_sheet() -> None:
    grid = [
        ["Export du 31/01/2025"],
        ["Code client", "Nom", "IBAN", "Compte"],
        ["C1", "Martin", "FR76…", "411C1"],
    ]
    data = read_sheet(grid, CLIENTS, sheet="Export")
    rows = mapping_rows("Export", CLIENTS, data.mapping)
    assert rows[2][:3] == ["Export", "IBAN", ""] and rows[2][4] == "à compléter"
    rows[2][2] = "#"
    saved = parse_saved([list(MAPPING_HEADERS), *rows])
    again = read_sheet(grid, CLIENTS, sheet="Export", saved=saved["export"])
    assert not again.issues
    assert [c.code for c in again.columns] == ["PCF_CODE", "PCF_RS", "CPT_NUMERO"]
    assert "C « IBAN » → non envoyée (#)" in mapping_lines(again)


def test_sheet_of_field_codes_shows_no_mapping() -> None:
    data = read_sheet([["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["C", "R", "411"]], CLIENTS,
                      sheet="Clients")
    assert mapping_lines(data) == [] and not data.label_header


def test_repeated_issues_are_grouped_per_column_with_counts() -> None:
    def issue(row: int, column: str = "H", code: str = ic.LEADING_ZERO_LOST) -> Issue:
        return Issue(code, Severity.WARNING, "zéro perdu", "Clients", row, column, "PCF_CP")

    many = [issue(r) for r in range(3, 190)] + [issue(5, "B", ic.TOO_LONG)]
    groups = group_issues(many)
    assert [(g.first.column, g.count, g.grouped) for g in groups] == [
        ("H", 187, True), ("B", 1, False)]
    assert groups[0].rows_text() == "lignes 3, 4, 5, 6, 7, 8 … 189"
    few = group_issues([issue(3), issue(4)])
    assert [g.count for g in few] == [1, 1]


def test_bank_headers_never_take_the_bank_name_for_its_code() -> None:
    """'Banque' in an export is the bank's name, not RIB_AGENCE (documented label 'Banque')."""
    m = Matcher(get_endpoint("BanquesTiers"))
    assert m.match("Banque")[0] == "RIB_BQ_NOM"
    assert m.match("Code banque")[0] == "RIB_AGENCE"
    assert m.match("Code guichet")[0] == "RIB_GUICHE"
    assert m.match("Agence") == (None, "")
    assert m.match("BIC")[0] == "RIB_ASWIFT"
