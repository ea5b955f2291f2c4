"""The connection test and `version` against a sandbox announcing an older Gestimum ERP."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin import cli
from addin.core.versions import endpoint_min_erp, erp_major, erp_notes
from addin.sandbox import running_sandbox
from addin.templates import build_templates

CATALOG_VERSION_9 = {"Contacts", "Immobilisations"}  # "Availability: version 9 and later."


def test_catalog_documents_which_imports_need_version_9() -> None:
    needs = endpoint_min_erp()
    assert {name for name, since in needs.items() if since == 9} == CATALOG_VERSION_9
    assert needs["Clients"] == 8


@pytest.mark.parametrize(("text", "major"), [
    ("8.4.1.856 (13/08/2019 10:50:52)", 8), ("9.5.0.1200", 9), ("10", 10), ("neuf", None),
    ("", None),
])
def test_major_version_of_an_erp_answer(text: str, major: int | None) -> None:
    assert erp_major(text) == major
    if major is None:
        assert erp_notes(text) == []  # unknown: say nothing rather than guess


@pytest.fixture(scope="module")
def tiers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Tiers template: Clients, Contacts and other sheets (Contacts needs version 9)."""
    out = tmp_path_factory.mktemp("modeles")
    return next(p for p in build_templates(out) if p.name == "Tiers.xlsx")


@pytest.mark.parametrize(("erp", "warned"), [("8.0.0.100", True),
                                             ("9.5.0.1200 (01/02/2024 10:00:00)", False)])
def test_version_warns_about_the_sheets_an_older_erp_lacks(
    tmp_path: Path, tiers: Path, capsys: pytest.CaptureFixture[str], erp: str, warned: bool
) -> None:
    with running_sandbox(tmp_path, erp_version=erp) as sb:
        assert cli.main(["version", "--server", sb.url, "--classeur", str(tiers)]) == 0
        with_book = capsys.readouterr().out
        assert cli.main(["version", "--server", sb.url]) == 0
        alone = capsys.readouterr().out
    assert f"ERP Gestimum : {erp}" in with_book
    contacts = "La feuille « Contacts » alimente Contacts, que Gestimum ne documente qu'à partir"
    assert (contacts in with_book) is warned
    assert ("Clients" in with_book.split("ERP Gestimum")[1]) is False  # only what is missing
    assert ("Imports absents de cet ERP Gestimum (version 8) : Contacts (version 9 et "
            "suivantes), Immobilisations" in alone) is warned
