"""Shared fixtures: the templates built once per session into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.templates import build_templates

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "workbook_templates"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of every template (the same code path as `gestimum-excel templates`)."""
    out = tmp_path_factory.mktemp("templates")
    build_templates(out)
    return out
