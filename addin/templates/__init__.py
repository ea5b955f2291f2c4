"""Template workbooks generated from the catalog: `gestimum-excel templates [--out DIR]`.

Five grouped workbooks (every import endpoint in exactly one) plus one small workbook per
endpoint under `par-endpoint/`; `build_sheet` adds one data sheet to any openpyxl workbook.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from addin.core.catalog import Endpoint, get_endpoint, import_endpoints
from addin.core.versions import template_stamp
from addin.templates.package import save_deterministic
from addin.templates.plan import WORKBOOK_TITLES, WORKBOOKS, workbook_endpoints
from addin.templates.readme import add_readme
from addin.templates.sheets import (
    LISTES_SHEET,
    add_connexion,
    add_journal,
    add_resultats,
    build_sheet,
)

__all__ = [
    "PER_ENDPOINT_DIR",
    "WORKBOOKS",
    "build_sheet",
    "build_templates",
    "default_out_dir",
    "main_templates",
    "new_workbook",
]

PER_ENDPOINT_DIR = "par-endpoint"


def default_out_dir() -> Path:
    """`workbook_templates/` of the repository the command runs from."""
    return Path.cwd() / "workbook_templates"


def new_workbook(title: str, endpoints: list[Endpoint]) -> Workbook:
    """A complete template: Lisez-moi, Connexion, one data sheet per endpoint, ledger sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    add_connexion(wb)
    for endpoint in endpoints:
        build_sheet(wb, endpoint)
    add_resultats(wb)
    add_journal(wb)
    add_readme(wb, title, endpoints)
    if LISTES_SHEET in wb.sheetnames:  # hidden helper sheet last
        wb.move_sheet(
            LISTES_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTES_SHEET)
        )
    wb.active = 0
    wb.properties.title = f"Gestimum — {title}"
    # Which template generation and catalog this is: `check` tells users of older copies.
    for name, value in template_stamp().items():
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    return wb


def build_templates(out_dir: Path) -> list[Path]:
    """Write every template workbook into `out_dir` (same bytes on every run); return the paths."""
    written: list[Path] = []
    for book in WORKBOOKS:
        wb = new_workbook(WORKBOOK_TITLES[book], workbook_endpoints(book))
        written.append(save_deterministic(wb, out_dir / f"{book}.xlsx"))
    for endpoint in import_endpoints():
        wb = new_workbook(endpoint.label, [get_endpoint(endpoint.name)])
        written.append(save_deterministic(wb, out_dir / PER_ENDPOINT_DIR / f"{endpoint.name}.xlsx"))
    return written


def main_templates(out: Path | None = None) -> int:
    """CLI `templates`: (re)generate the templates and say where they are (French)."""
    out_dir = out or default_out_dir()
    try:
        paths = build_templates(out_dir)
    except OSError as exc:
        print(
            f"Impossible d'écrire les modèles dans {out_dir} : {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    grouped = [p for p in paths if p.parent == out_dir]
    print(f"{len(paths)} classeurs modèles écrits dans {out_dir} :")
    for path in grouped:
        print(f"  {path.name}")
    print(f"  {PER_ENDPOINT_DIR}/ : un classeur par import ({len(paths) - len(grouped)} fichiers)")
    return 0
