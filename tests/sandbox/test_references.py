"""Prerequisites (`Code manquant`): each rule, its field's label, and the fields left unchecked.

The rules were reviewed field by field against the labels of the field structures (the catalog
is generated from them): a Contacts rule once checked `CCT_CODE`, the contact's *own* code, and
refused every new contact. The tests below pin each rule to its label and to its line in
docs/SANDBOX.md, and make any new reference-like field a deliberate decision.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from addin.core import catalog
from addin.sandbox import SandboxHandle
from addin.sandbox.rules import REFERENCES

from .helpers import imported, rejection, run

SANDBOX_MD = Path(__file__).resolve().parents[2] / "docs" / "SANDBOX.md"

# What a referencing field's label must name, per target table.
TARGET_WORDS = {
    "Articles": ("article", "composant"),
    "FamillesArticles": ("famille d'articles",),
    "SousFamilles": ("sous-famille d'articles",),
    "Clients": ("client", "tiers"),
    "Prospects": ("tiers",),
    "Fournisseurs": ("fournisseur", "tiers"),
}
# A field whose label reads like a reference to a third party, an article or an affaire.
REFERENCE_LABEL = re.compile(
    r"^code (tiers|client|prospect|fournisseur|article|composant|affaire)\b"
    r"|article équivalent|famille d'articles",
    re.IGNORECASE,
)
# Reviewed and deliberately not checked (reasons in docs/SANDBOX.md §5).
UNCHECKED = {
    ("Actions", "PCF_CODE"), ("Actions", "PRJ_CODE"), ("Articles", "PCF_CODE"),
    ("Comptes", "PCF_CODE"), ("DocumentsAchat", "PRJ_CODE"), ("DocumentsStock", "PRJ_CODE"),
    ("DocumentsVente", "PRJ_CODE"),
}
# A master record's own code (its label reads "Code client"…, it is not a reference).
OWN_CODES = {
    ("Clients", "PCF_CODE"), ("Fournisseurs", "PCF_CODE"), ("Prospects", "PCF_CODE"),
    ("Articles", "ART_CODE"), ("Affaires", "PRJ_CODE"),
}


def _label(endpoint: str, code: str) -> str:
    found = [f for f in catalog.get_endpoint(endpoint).fields if f.code == code]
    assert found, f"{endpoint}.{code} is not a field of the endpoint"
    return found[0].label


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(name, code) for name, rules in REFERENCES.items() for code, _targets in rules],
)
def test_each_rule_checks_a_field_whose_label_names_its_target(endpoint: str, field: str) -> None:
    label = _label(endpoint, field).lower()
    for table, _column in dict(REFERENCES[endpoint])[field]:
        assert any(word in label for word in TARGET_WORDS[table]), (endpoint, field, label)


def test_every_reference_like_field_was_reviewed() -> None:
    checked = {(name, code) for name, rules in REFERENCES.items() for code, _ in rules}
    assert not checked & UNCHECKED
    found = {
        (ep.name, f.code)
        for ep in catalog.import_endpoints()
        for f in ep.fields
        if REFERENCE_LABEL.search(f.label)
    }
    assert found - OWN_CODES == checked | UNCHECKED


def test_each_rule_is_documented_with_its_source() -> None:
    text = SANDBOX_MD.read_text(encoding="utf-8")
    table = text[text.index("### Prerequisites") : text.index("### Warnings")]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for name, rules in REFERENCES.items():
        for code, _targets in rules:
            documented = [r for r in rows if f"| {name} |" in r and f"`{code}`" in r]
            assert len(documented) == 1, (name, code)
            source = documented[0].rstrip(" |").rsplit("|", 1)[1].strip()
            assert source, (name, code)
    for name, code in UNCHECKED:
        assert any(f"| {name} |" in r and f"`{code}`" in r and "not checked" in r for r in rows), (
            name, code,
        )


@pytest.mark.parametrize(
    ("endpoint", "lines"),
    [
        ("ComposantsNomenclatures", ["ART_CODE;PRD_CODE", "N30;INCONNU"]),
        ("ComposantsNomenclatures", ["ART_CODE;PRD_CODE", "INCONNU;A10"]),
        ("TarifsArticles", ["ART_CODE;ART_P_VTE", "INCONNU;10"]),
        ("TarifsFournisseursArticles", ["ART_CODE;PCF_CODE", "A10;INCONNU"]),
        ("TarifsFournisseursArticles", ["ART_CODE;PCF_CODE", "A10;MA0001"]),  # a client
        ("ReferencesClientsArticles", ["ART_CODE;PCF_CODE", "A10;HU0001"]),  # a supplier
        ("EquivalencesArticles", ["ART_CODE;ART_AUTRE;ART_PAUTRE", "A10;INCONNU;1"]),
        ("GrillesTarifs", ["TAR_CODE;TAR_LIB;FAR_CODE", "G9;Grille;INCONNUE"]),
        ("GrillesTarifs", ["TAR_CODE;TAR_LIB;SFA_CODE", "G9;Grille;INCONNUE"]),
        ("GrillesTarifs", ["TAR_CODE;TAR_LIB;ART_CODE", "G9;Grille;INCONNU"]),
        ("AdressesTiers", ["ADR_CODE;ADR_NUMERO", "INCONNU;1"]),
        ("BanquesTiers", ["PCF_CODE;RIB_ORDRE", "INCONNU;1"]),
        ("Contacts", ["CCT_CODE;CCT_NOM;CCT_ORIGIN", "CT9;Dupont;INCONNU"]),
        ("Affaires", ["PRJ_CODE;PRJ_LIB;PCF_CODE", "AF9;Affaire;INCONNU"]),
        ("DocumentsVente", ["DOC_STYPE;PCF_CODE;ART_CODE;LIG_QTE", "C;INCONNU;NL;1"]),
        ("DocumentsVente", ["DOC_STYPE;PCF_CODE;ART_CODE;LIG_QTE", "C;HU0001;NL;1"]),
        ("DocumentsAchat", ["DOC_STYPE;PCF_CODE;ART_CODE;LIG_QTE", "C;HU0001;INCONNU;1"]),
        ("DocumentsAchat", ["DOC_STYPE;PCF_CODE;ART_CODE;LIG_QTE", "C;MA0001;NL;1"]),
        ("DocumentsStock", ["DOC_STYPE;ART_CODE;MVT_QTE", "E;INCONNU;1"]),
        ("DocumentsStock", ["DOC_STYPE;ART_CODE;MVT_QTE;PCF_CODE", "E;NL;1;INCONNU"]),
    ],
)
def test_a_missing_prerequisite_rejects_the_line(
    sandbox: SandboxHandle, endpoint: str, lines: list[str]
) -> None:
    res = run(sandbox, endpoint, lines)
    assert imported(res) == (0, 1)
    assert rejection(res, 1) == ["Code manquant"]


def test_new_contacts_of_existing_third_parties_are_imported(sandbox: SandboxHandle) -> None:
    lines = [
        "CCT_CODE;CCT_NOM;CCT_ORIGIN",
        "DUPONT;Dupont;MA0001",  # a client
        "DURAND;Durand;HU0001",  # a supplier
        "MARTIN;Martin;",  # no third party: the field is optional
    ]
    assert imported(run(sandbox, "Contacts", lines)) == (3, 0)
    assert [(r["CCT_CODE"], r.get("CCT_ORIGIN")) for r in sandbox.rows("Contacts")] == [
        ("DUPONT", "MA0001"), ("DURAND", "HU0001"), ("MARTIN", None),
    ]


def test_prerequisites_are_met_by_records_imported_earlier(sandbox: SandboxHandle) -> None:
    run(sandbox, "FamillesArticles", ["FAR_CODE;FAR_LIB", "FAM1;Famille 1"])
    run(sandbox, "SousFamilles", ["SFA_CODE;SFA_LIB;FAR_CODE", "SF1;Sous-famille 1;FAM1"])
    run(sandbox, "Prospects", ["PCF_CODE;PCF_RS", "P9;Prospect 9"])
    grid = ["TAR_CODE;TAR_LIB;FAR_CODE;SFA_CODE;ART_CODE", "G1;Grille;FAM1;;", "G1;;;SF1;"]
    assert imported(run(sandbox, "GrillesTarifs", grid)) == (2, 0)
    quote = ["DOC_STYPE;PCF_CODE;ART_CODE;LIG_QTE", "D;P9;NL;1"]  # a quote for a prospect
    assert imported(run(sandbox, "DocumentsVente", quote)) == (1, 0)
    affaire = ["PRJ_CODE;PRJ_LIB;PCF_CODE", "AF9;Affaire 9;P9"]
    assert imported(run(sandbox, "Affaires", affaire)) == (1, 0)
