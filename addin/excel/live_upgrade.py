"""« Mettre à jour le modèle » from Excel: the open workbook brought to the current template.

The upgrade rewrites the saved file, so the only safe way from a live workbook is: refuse unless
it is saved and unmodified, close it, upgrade the file on disk (atomically: the original stays
whole on any failure), reopen it. Whatever happens after the close, the workbook is reopened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from addin.core.errors import WorkbookError
from addin.excel.book import ExcelWorkbook
from addin.excel.runner import Cancelled

__all__ = ["upgrade_open_workbook"]

log = logging.getLogger(__name__)

Upgrade = Callable[[Path, "Path | None"], list[str]]
_CLI = "la commande gestimum-excel mettre-a-jour CLASSEUR, classeur fermé"


def upgrade_open_workbook(excel: ExcelWorkbook, upgrade: Upgrade) -> list[str]:
    """Close, upgrade on disk and reopen the workbook; the French lines saying what changed.
    ``excel.book`` is the reopened workbook afterwards (also when the upgrade failed)."""
    path = _saved_file(excel.book)
    api = _com(excel.book)
    if bool(api.ReadOnly):
        raise WorkbookError("Ce classeur est ouvert en lecture seule : ouvrez-le en modification "
                            "pour le mettre à jour.")
    if not bool(api.Saved):
        raise WorkbookError("Enregistrez d'abord le classeur (ou annulez vos modifications) : "
                            "la mise à jour réécrit le fichier enregistré, puis le rouvre.")
    if not excel.confirm(
        f"Le classeur {path.name} va être fermé, mis au niveau du modèle actuel (libellés, notes, "
        "listes de choix, formats ; aucune cellule de données n'est modifiée), puis rouvert. "
        "Continuer ?"
    ):
        raise Cancelled("Mise à jour du modèle annulée : rien n'a été modifié.")
    app = excel.book.app
    excel.book.close()
    # Until it is reopened, messages go through the application (the closed book has none).
    excel.book = _Closed(app, path.name, str(path))
    try:
        lines = upgrade(path, None)
    except BaseException:
        excel.book = _reopen(app, path)  # the original, untouched: the save is atomic
        raise
    excel.book = _reopen(app, path)
    return lines


@dataclass(slots=True)
class _Closed:
    """The workbook while closed: its application and names, no sheets (writes fail, logged)."""

    app: Any
    name: str
    fullname: str


def _saved_file(book: Any) -> Path:
    full_name = str(getattr(book, "fullname", "") or "")
    if "://" in full_name:
        raise WorkbookError("Ce classeur est enregistré en ligne (OneDrive, SharePoint) : "
                            f"enregistrez-en une copie sur le poste et utilisez {_CLI}.")
    path = Path(full_name)
    if not path.is_absolute() or not path.is_file():
        raise WorkbookError("Enregistrez d'abord le classeur sur le poste : la mise à jour "
                            "réécrit le fichier enregistré.")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"La mise à jour du modèle ne prend en charge que les classeurs .xlsx "
                            f"et .xlsm ({path.name}) : enregistrez-le dans l'un de ces formats.")
    return path


def _com(book: Any) -> Any:
    try:
        return book.api
    except Exception as exc:  # Mac, remote engines: no way to know the book is saved
        raise WorkbookError(f"Possible seulement dans Excel pour Windows : utilisez {_CLI}.",
                            detail=f"{type(exc).__name__}: {exc}") from exc


def _reopen(app: Any, path: Path) -> Any:
    try:
        return app.books.open(str(path))
    except Exception as exc:
        log.exception("could not reopen %s", path)
        raise WorkbookError(f"Le classeur n'a pas pu être rouvert : ouvrez-le depuis {path}.",
                            detail=f"{type(exc).__name__}: {exc}") from exc
