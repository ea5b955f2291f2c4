"""Release-related command helpers: which template and versions a workbook was made with."""

from __future__ import annotations

from pathlib import Path

from addin.core.versions import template_notes
from addin.io.doc_props import read_doc_props


def workbook_template_notes(path: Path) -> list[str]:
    """French warnings when ``path`` was made from an older (or newer) template."""
    custom, creator = read_doc_props(path)
    return template_notes(custom, creator)
