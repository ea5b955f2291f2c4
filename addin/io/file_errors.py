"""File-system and file-format errors of a workbook, mapped once into French `WorkbookError`s."""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import python_calamine
from defusedxml import DefusedXmlException

from addin.core.errors import AddinError, WorkbookError

__all__ = ["check_file", "mapped"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


def check_file(path: Path) -> None:
    """Refuse, with a precise French message, what is not a readable workbook file: a missing
    path, a folder, a special file (pipe, device: reading one could block forever), a workbook
    encrypted with a password, an old .xls under an .xlsx name. Never opens a special file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise WorkbookError(
            f"Classeur introuvable : {path}. Vérifiez le chemin et le nom du fichier."
        ) from None
    except OSError as exc:
        raise WorkbookError(
            f"Impossible de lire le classeur {path.name} : {exc.strerror or exc}.", detail=str(exc)
        ) from exc
    if stat.S_ISDIR(info.st_mode):
        raise WorkbookError(
            f"{path} est un dossier, pas un classeur : donnez le chemin du fichier .xlsx."
        )
    if not stat.S_ISREG(info.st_mode):
        raise WorkbookError(
            f"{path} n'est pas un fichier ordinaire (tube, périphérique ou socket) : donnez le "
            "chemin d'un classeur .xlsx enregistré sur le disque."
        )
    with mapped(path), path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTION_STREAM in head:
            raise WorkbookError(
                f"Le classeur {path.name} est protégé par un mot de passe d'ouverture : "
                "ouvrez-le dans Excel, enregistrez une copie sans mot de passe (Fichier > "
                "Informations > Protéger le classeur > Chiffrer avec mot de passe : videz le "
                "champ) et importez cette copie."
            )
        raise WorkbookError(
            f"{path.name} est un classeur Excel 97-2003 (.xls) : ouvrez-le dans Excel et "
            "enregistrez-le au format « Classeur Excel (.xlsx) »."
        )


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
            f"Impossible {'d’' if action[:1] in 'aeéiou' else 'de '}{action} le classeur "
            f"{path.name} : {exc.strerror or exc}.",
            detail=str(exc),
        ) from exc
    except DefusedXmlException as exc:
        raise WorkbookError(
            f"Le fichier {path.name} contient du XML dangereux (entités ou DTD, souvent le signe "
            "d'un fichier piégé) : il n'est pas lu. Ouvrez-le dans Excel et enregistrez-en une "
            "copie au format « Classeur Excel (.xlsx) » si vous lui faites confiance.",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, TypeError) as exc:
        raise unreadable(path, exc) from exc
    except python_calamine.PasswordError as exc:
        raise WorkbookError(
            f"Le classeur {path.name} est protégé par un mot de passe : enregistrez une copie "
            "sans mot de passe d'ouverture et importez cette copie."
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
