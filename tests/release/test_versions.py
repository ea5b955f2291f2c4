"""What `--version` and the connection test tell support: add-in, xlwings and catalog."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

import addin
from addin import cli
from addin.core.versions import about_lines, catalog_version

ROOT = Path(__file__).resolve().parents[2]


def test_version_prints_the_three_versions_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    out, err = capsys.readouterr()
    sha = json.loads((ROOT / "addin/data/catalog.json").read_text("utf-8"))["source_sha256"]
    assert out.splitlines() == [
        f"Complément gestimum-excel : {addin.__version__}",
        f"xlwings : {metadata.version('xlwings')}",
        f"Catalogue Gestimum : {sha[:12]}",
    ]
    assert not err


def test_catalog_version_is_the_documentation_hash_prefix() -> None:
    sha = json.loads((ROOT / "addin/data/catalog.json").read_text("utf-8"))["source_sha256"]
    assert catalog_version() == sha[:12] and catalog_version() in about_lines()[2]


def test_changelog_has_an_entry_for_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert f"\n## {addin.__version__} " in text
