"""What the saved copy of the live workbook says about the template it was made from.

The template stamp is a document property written when the template was generated; it does not
change while the user types, so the saved file on disk tells it without asking Excel over COM.
"""

from __future__ import annotations

from pathlib import Path

from addin.core.versions import template_notes
from addin.io.doc_props import read_doc_props


def saved_template_notes(full_name: str) -> list[str]:
    """French warnings for an older/newer template; [] when unsaved or stored online."""
    if "://" in full_name:  # OneDrive / SharePoint: no local file to read
        return []
    path = Path(full_name)
    if not path.is_file() or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    custom, creator = read_doc_props(path)
    return template_notes(custom, creator)
