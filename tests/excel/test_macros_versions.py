"""Tester la connexion: versions for support, and the sheets an older Gestimum ERP lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from addin import macros
from addin.core.versions import LAST_WRITE_KEY, last_write_stamp
from addin.sandbox import running_sandbox
from addin.templates import build_templates

from ..release.make_old_workbook import FIXTURE
from .conftest import BookFactory
from .fakexw import FakeComError, FakeDocumentProperties


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


def test_an_import_records_the_last_write_and_updates_it_in_place(
    make_book: BookFactory, sandbox: Any
) -> None:
    book = make_book(3)
    book.doc_props = {"Service": "Compta", LAST_WRITE_KEY: "0.1.0 / catalogue ancien"}
    assert macros.importer(book).ok
    assert book.doc_props == {"Service": "Compta", LAST_WRITE_KEY: last_write_stamp()}
    assert book.count("Book.api.CustomDocumentProperties.Add") == 0  # replaced, not duplicated
    fresh = make_book(2, start=10)
    assert macros.controler(fresh).ok  # Contrôler writes the statuses: the book is written to
    assert fresh.doc_props == {LAST_WRITE_KEY: last_write_stamp()}


def test_without_com_the_import_is_written_unstamped(
    make_book: BookFactory, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = make_book(3, windows=False)  # the Mac, remote engines: no `.api`
    result = macros.importer(book)
    assert result.ok and result.report is not None and result.report.exit_code == 0
    assert book.doc_props == {}

    def refused(*_: object) -> None:  # e.g. a workbook whose properties are locked
        raise FakeComError("Accès refusé")

    monkeypatch.setattr(FakeDocumentProperties, "Add", refused)
    locked = make_book(3, start=10)
    result = macros.importer(locked)
    assert result.ok and result.report is not None and result.report.exit_code == 0
    assert locked.doc_props == {} and len(sandbox.rows("Prospects")) == 6
