"""Tester la connexion: versions for support, and the sheets an older Gestimum ERP lacks."""

from __future__ import annotations

import pytest

from addin import macros
from addin.sandbox import running_sandbox

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
