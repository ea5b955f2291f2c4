"""« Mettre à jour le modèle » on the stand-in: the saved workbook is closed, upgraded on disk by
the same code as `gestimum-excel mettre-a-jour`, and reopened; every refusal happens before the
close and every failure after it reopens the original, untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from addin import macros
from addin.core.versions import TEMPLATE_FORMAT_KEY, template_stamp
from addin.io.doc_props import read_doc_props

from ..release.make_old_workbook import FIXTURE, REPLACED
from ..release.test_upgrade import _cells
from .fakexw import FakeBook


@pytest.fixture()
def old(tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURE, tmp_path / "clients.xlsx"))


def _book(path: Path, *, windows: bool = True) -> FakeBook:
    book = FakeBook(path.name, windows=windows, fullname=str(path))
    book.add_sheet("Clients", [["Code"], ["PCF_CODE"]])
    book.app.answers = ["yes"]  # the confirmation before closing
    return book


def test_the_saved_workbook_is_closed_upgraded_and_reopened(old: Path) -> None:
    before = _cells(old)
    book = _book(old)
    result = macros.mettre_a_jour_modele(book)
    assert result.ok, result.message
    assert book.closed and [b.fullname for b in book.app.opened] == [str(old)]
    assert read_doc_props(old)[0] == template_stamp()
    assert _cells(old).keys() >= {k for k in before if k[1] >= 3}  # data rows kept…
    assert {k: v for k, v in _cells(old).items() if k[1] >= 3} == {
        k: v for k, v in before.items() if k[1] >= 3}  # …identical
    final = book.app.alerts[-1]
    assert final["mode"] == "info" and f"nouveau champ disponible {REPLACED}" in final["prompt"]
    assert "Aucune cellule de données n'a été modifiée" in final["prompt"]


@pytest.mark.parametrize("state", ["unsaved", "read_only", "no_com", "declined", "never_saved"])
def test_refusals_happen_before_anything_is_closed(old: Path, state: str) -> None:
    original = old.read_bytes()
    book = _book(old, windows=state != "no_com")
    book.saved = state != "unsaved"
    book.read_only = state == "read_only"
    if state == "declined":
        book.app.answers = ["no"]
    if state == "never_saved":
        book.fullname = "Classeur1"
    result = macros.mettre_a_jour_modele(book)
    assert not result.ok and not book.closed and book.app.opened == []
    assert old.read_bytes() == original
    expected = {"unsaved": "Enregistrez d'abord le classeur (ou annulez",
                "read_only": "lecture seule", "no_com": "Excel pour Windows",
                "declined": "annulée : rien n'a été modifié",
                "never_saved": "Enregistrez d'abord le classeur sur le poste"}[state]
    assert expected in book.app.alerts[-1]["prompt"]


def test_a_failed_upgrade_reopens_the_untouched_original(
    old: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import addin.templates.upgrade as upgrade

    def broken(_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(upgrade, "upgrade_workbook", broken)
    original = old.read_bytes()
    book = _book(old)
    result = macros.mettre_a_jour_modele(book)
    assert not result.ok and book.closed
    assert [b.fullname for b in book.app.opened] == [str(old)]
    assert old.read_bytes() == original
    assert book.app.alerts[-1]["mode"] == "critical"
    assert TEMPLATE_FORMAT_KEY not in read_doc_props(old)[0]


def test_a_workbook_that_cannot_be_reopened_says_where_it_is(old: Path) -> None:
    book = _book(old)
    book.app.open_fails = True
    result = macros.mettre_a_jour_modele(book)
    assert not result.ok and book.closed
    assert f"n'a pas pu être rouvert : ouvrez-le depuis {old}" in result.message
    assert book.app.alerts[-1]["mode"] == "critical"
    assert read_doc_props(old)[0] == template_stamp()  # the upgrade itself went through
