"""Tester la connexion: versions for support, and the sheets an older Gestimum ERP lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin import macros
from addin.sandbox import running_sandbox
from addin.templates import build_templates

from ..release.make_old_workbook import FIXTURE
from .conftest import BookFactory


@pytest.mark.parametrize(("erp", "warned"), [("8.0.0.100", True), ("9.1.0.5", False)])
def test_connection_test_names_the_sheet_an_older_erp_lacks(
    make_book: BookFactory, erp: str, warned: bool
) -> None:
    with running_sandbox(erp_version=erp) as old:
        book = make_book(2, server=old.url)
        book.add_sheet("Contacts", [["Code *", "Nom *"], ["CCT_CODE", "CCT_NOM"],
                                    ["C1", "Durand"]])
        result = macros.tester_connexion(book)
    assert result.ok and f"ERP Gestimum : {erp}" in result.message
    assert ("La feuille « Contacts » alimente Contacts" in result.message) is warned
    assert "« Prospects »" not in result.message  # Prospects exists since version 8
    assert "Complément gestimum-excel : " in result.message


def test_controler_says_the_saved_workbook_comes_from_an_older_template(
    make_book: BookFactory, tmp_path: Path
) -> None:
    book = make_book(2)
    book.fullname = str(FIXTURE)  # saved from an older template (no version stamp)
    assert "Ce classeur a été créé avec un modèle plus ancien" in macros.controler(book).message
    current = build_templates(tmp_path)[0]
    book.fullname = str(current)
    assert "modèle plus ancien" not in macros.controler(book).message
    book.fullname = "https://contoso.sharepoint.com/sites/compta/Clients.xlsx"
    assert "modèle" not in macros.controler(book).message
