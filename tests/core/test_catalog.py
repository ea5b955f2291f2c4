"""The generated catalog: complete, up to date with the reference, and looked up as documented."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from addin.core import catalog

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "gestimum" / "endpoints.json"
needs_reference = pytest.mark.skipif(
    not SOURCE.exists(), reason="shared/gestimum/endpoints.json not beside the repo"
)


@needs_reference
def test_catalog_file_is_what_the_generator_produces() -> None:
    """The committed catalog.json is exactly the output of tools/build_catalog.py."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_catalog.py"), "--check"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_all_documented_requests_are_there() -> None:
    """34 import requests and the 2 Outils requests."""
    eps = catalog.endpoints()
    assert len(eps) == 36
    assert len(catalog.import_endpoints()) == 34
    assert {e.name for e in eps if not e.is_import} == {"Outils.Version", "Outils.VersionERP"}


@needs_reference
def test_field_counts_match_the_reference() -> None:
    """Every documented field is in the catalog, custom-field rows excepted."""
    reference = {e["name"]: e for e in json.loads(SOURCE.read_text(encoding="utf-8"))}
    for ep in catalog.import_endpoints():
        if ep.positional:
            continue
        documented = [f["field"] for f in reference[ep.name]["file_structure"]]
        assert list(ep.field_codes) == [c for c in documented if not c.startswith("XXX_")]


def test_test_mode_only_where_documented() -> None:
    """`tester` exists on exactly six endpoints."""
    assert {e.name for e in catalog.endpoints() if e.test_mode} == {
        "BanquesTiers", "Clients", "Comptes", "Ecritures", "Fournisseurs", "Prospects",
    }


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("FamillesArticles", "Articles", id="families-before-articles"),
        pytest.param("Clients", "DocumentsVente", id="third-parties-before-documents"),
        pytest.param("Fournisseurs", "DocumentsAchat", id="suppliers-before-purchases"),
        pytest.param("Comptes", "Ecritures", id="accounts-before-entries"),
        pytest.param("Articles", "TarifsArticles", id="articles-before-prices"),
        pytest.param("Articles", "ComposantsNomenclatures", id="articles-before-components"),
        pytest.param("Clients", "AdressesTiers", id="third-parties-before-addresses"),
    ],
)
def test_dependency_rank(before: str, after: str) -> None:
    """Prerequisites are imported first by 'import everything'."""
    assert catalog.get_endpoint(before).rank < catalog.get_endpoint(after).rank


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Clients", "Clients", id="name"),
        pytest.param("clients", "Clients", id="case"),
        pytest.param("Écritures", "Ecritures", id="accent"),
        pytest.param("Documents de vente", "DocumentsVente", id="french-label"),
        pytest.param("SousFamillesArticles", "SousFamilles", id="console-class-name"),
        pytest.param("Résultats", None, id="service-sheet"),
    ],
)
def test_resolve_endpoint(name: str, expected: str | None) -> None:
    """Sheet and table names resolve by endpoint name or French label, accent-insensitively."""
    found = catalog.resolve_endpoint(name)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    ("endpoint", "code", "choices"),
    [
        pytest.param("Actions", "ACT_LEVEL", ["F", "N", "H"], id="comma-joined-pairs"),
        pytest.param("Articles", "ART_TYPE", ["P", "C", "N", "F", "V"], id="space-joined"),
        pytest.param("DocumentsStock", "DOC_STYPE", ["E", "S", "T", "O", "M", "X"], id="equals"),
        pytest.param("Comptes", "CPT_DEVOBG", ["0", "1"], id="checkbox"),
        pytest.param("Immobilisations", "IMO_MDAMO", ["L", "D"], id="label-for-empty"),
    ],
)
def test_value_lists_are_normalised(endpoint: str, code: str, choices: list[str]) -> None:
    """Messy documented value lists become clean codes."""
    field = catalog.get_endpoint(endpoint).field(code)
    assert field is not None and list(field.choice_codes) == choices


def test_custom_fields_only_where_documented() -> None:
    """XXX_ columns are fields of endpoints documenting custom fields, unknown elsewhere."""
    assert catalog.get_endpoint("Clients").field("XXX_COULEUR") is not None
    assert catalog.get_endpoint("Devises").field("XXX_COULEUR") is None


def test_document_grouping_rules() -> None:
    """Documents carry the documented fields whose change starts a new pièce."""
    assert catalog.get_endpoint("DocumentsStock").grouping == ("DOC_STYPE", "DEP_CODE", "PCF_CODE")
    assert "DOC_REFPCF" in (catalog.get_endpoint("DocumentsVente").grouping or ())
    assert catalog.get_endpoint("DocumentsVente").creation_only
