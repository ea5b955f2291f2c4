"""Release-related command helpers: which template and versions a workbook was made with."""

from __future__ import annotations

from pathlib import Path

from addin.core.versions import erp_notes, template_notes, workbook_erp_notes
from addin.io.doc_props import read_doc_props


def workbook_template_notes(path: Path) -> list[str]:
    """French warnings when ``path`` was made from an older (or newer) template."""
    custom, creator = read_doc_props(path)
    return template_notes(custom, creator)


def erp_version_notes(erp_version: str, workbook: Path | None) -> list[str]:
    """What this ERP version lacks: for the workbook's sheets, or every documented import."""
    if workbook is None:
        return erp_notes(erp_version)
    from addin.io.workbook import open_workbook

    source = open_workbook(workbook)
    try:
        return workbook_erp_notes(erp_version, source)
    finally:
        source.close()


def upgrade_workbook_file(path: Path, out: Path | None) -> list[str]:
    """Upgrade ``path`` to the current template (written to ``out`` or in place, atomically);
    the French lines saying what changed."""
    import openpyxl

    from addin.io.file_errors import mapped
    from addin.io.file_safety import write_atomically
    from addin.templates.upgrade import upgrade_workbook

    with mapped(path):
        book = openpyxl.load_workbook(
            path, data_only=False, keep_vba=path.suffix.lower() in (".xlsm", ".xltm"),
            keep_links=True, rich_text=True,
        )
    reports = upgrade_workbook(book)
    formulas = any(isinstance(c.value, str) and c.value.startswith("=")
                   for ws in book.worksheets for row in ws.iter_rows(min_row=3) for c in row)
    write_atomically(out or path, book.save)  # openpyxl writes into the open temp file
    lines = [line for report in reports for line in report.lines()]
    if not reports:
        lines.append("Aucune feuille de données reconnue (tableau Excel nommé d'après un point "
                     "d'entrée) : seule la version du modèle a été notée.")
    lines.append(f"Classeur mis à jour : {out or path}. Aucune cellule de données n'a été "
                 "modifiée.")
    if formulas:
        lines.append("Le classeur contient des formules : ouvrez-le et enregistrez-le dans Excel "
                     "pour que leurs résultats soient recalculés avant un contrôle hors ligne.")
    return lines
