"""Templates record their generation and catalog; `check` says when a workbook is older."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin import cli
from addin.core.versions import (
    TEMPLATE_CATALOG_KEY,
    TEMPLATE_CREATOR,
    TEMPLATE_FORMAT,
    TEMPLATE_FORMAT_KEY,
    template_notes,
    template_stamp,
)
from addin.io.doc_props import read_doc_props
from addin.templates import build_templates

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = sorted((ROOT / "workbook_templates").rglob("*.xlsx"))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_every_committed_template_carries_the_current_stamp(path: Path) -> None:
    custom, creator = read_doc_props(path)
    assert custom == template_stamp() and creator == TEMPLATE_CREATOR
    assert template_notes(custom, creator) == []


def test_demo_workbook_is_stamped_too() -> None:
    assert read_doc_props(ROOT / "addin/data/demo.xlsx")[0] == template_stamp()


def test_notes_for_older_newer_other_catalog_and_foreign_workbooks() -> None:
    current = template_stamp()
    (older,) = template_notes({}, TEMPLATE_CREATOR)
    assert "modèle plus ancien" in older and "antérieure à 0.2.0" in older
    assert "mettre-a-jour" in older
    (older,) = template_notes({**current, TEMPLATE_FORMAT_KEY: str(TEMPLATE_FORMAT - 1)}, "")
    assert "modèle plus ancien" in older
    (newer,) = template_notes({**current, TEMPLATE_FORMAT_KEY: str(TEMPLATE_FORMAT + 1)}, "")
    assert "plus récent" in newer and "mettez gestimum-excel à jour" in newer
    (other,) = template_notes({**current, TEMPLATE_CATALOG_KEY: "0123456789ab"}, "")
    assert "autre catalogue Gestimum (0123456789ab" in other
    assert template_notes({}, "Marie Dupont") == []  # her own workbook: nothing to say
    assert template_notes({}, "") == []


def test_check_of_an_unstamped_template_warns_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GESTIMUM_JOURNAL", str(tmp_path / "journal.sqlite3"))
    (path,) = [p for p in build_templates(tmp_path) if p.name == "Clients.xlsx"]
    assert cli.main(["check", str(path)]) == 0
    assert "modèle plus ancien" not in capsys.readouterr().out
    old = tmp_path / "ancien.xlsx"
    _strip_custom_properties(path, old)
    assert cli.main(["check", str(old)]) == 0  # a warning, never a blocking problem
    assert "Ce classeur a été créé avec un modèle plus ancien" in capsys.readouterr().out


def _strip_custom_properties(source: Path, target: Path) -> None:
    """What a template generated before the stamp looks like: no custom properties."""
    from openpyxl import load_workbook
    from openpyxl.packaging.custom import CustomPropertyList

    wb = load_workbook(source)
    wb.custom_doc_props = CustomPropertyList()
    wb.save(target)
