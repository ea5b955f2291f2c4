"""File-system and file-format errors of a workbook, mapped once into French `WorkbookError`s."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import python_calamine

from addin.core.errors import AddinError, WorkbookError

__all__ = ["mapped"]


@contextmanager
def mapped(path: Path, action: str = "lire") -> Iterator[None]:
    """Map OS, zip, openpyxl and calamine failures to one French `WorkbookError`."""
    try:
        yield
    except AddinError:
        raise
    except FileNotFoundError as exc:
        raise WorkbookError(
            f"Classeur introuvable : {path}. Vérifiez le chemin et le nom du fichier.",
            detail=str(exc),
        ) from exc
    except PermissionError as exc:
        raise WorkbookError(
            f"Accès refusé au classeur {path.name} : il est peut-être ouvert dans Excel ou en "
            "lecture seule. Fermez-le et relancez (ou écrivez les résultats ailleurs avec --out).",
            detail=str(exc),
        ) from exc
    except IsADirectoryError as exc:
        raise WorkbookError(f"{path} est un dossier, pas un classeur.") from exc
    except OSError as exc:
        raise WorkbookError(
            f"Impossible de {action} le classeur {path.name} : {exc.strerror or exc}.",
            detail=str(exc),
        ) from exc
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, TypeError) as exc:
        raise unreadable(path, exc) from exc
    except python_calamine.PasswordError as exc:
        raise WorkbookError(
            f"Le classeur {path.name} est protégé par un mot de passe : enregistrez-en une copie "
            "sans mot de passe d'ouverture."
        ) from exc
    except python_calamine.CalamineError as exc:
        raise unreadable(path, exc) from exc
    except Exception as exc:  # openpyxl raises bare exceptions on malformed parts
        if type(exc).__module__.startswith(("openpyxl", "python_calamine")):
            raise unreadable(path, exc) from exc
        raise


def unreadable(path: Path, exc: BaseException) -> WorkbookError:
    return WorkbookError(
        f"Le fichier {path.name} n'est pas un classeur Excel .xlsx lisible (endommagé, protégé "
        "par mot de passe ou d'un autre format ?). Ouvrez-le dans Excel et enregistrez-le au "
        "format « Classeur Excel (.xlsx) ».",
        detail=f"{type(exc).__name__}: {exc}",
    )
