"""install-addin's version check: the .xlam must be the one built for this package and xlwings.

An add-in whose VBA module comes from another xlwings release than the Python side is the classic
xlwings breakage (a DLL or protocol mismatch Excel reports as an obscure VBA error); an add-in
from another gestimum-excel release calls macros that may not exist. Both are refused before
anything is copied.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from addin.core.versions import __version__
from addin.excel.install_files import InstallRefused
from addin.excel.xlam.stamp import ADDIN_VERSION_KEY, XLWINGS_VERSION_KEY, read_stamp
from addin.excel.xlam.xlwings_patch import XLWINGS_VERSION

_REINSTALL = (
    "Réinstallez le paquet d'un seul tenant (pip install --force-reinstall FICHIER.whl, "
    "le même fichier sur tous les postes), puis relancez gestimum-excel install-addin."
)


def installed_xlwings() -> str | None:
    """The xlwings version installed next to this package, or None."""
    try:
        return metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        return None


def check_addin_matches(source: Path, *, xlwings_version: str | None = None) -> dict[str, str]:
    """The .xlam's stamp, after checking it against this package and the installed xlwings.

    ``xlwings_version``: the installed one (default: read from the package metadata).
    """
    found = read_stamp(source)
    built_for = found.get(ADDIN_VERSION_KEY)
    if built_for != __version__:
        raise InstallRefused(
            f"Le complément {source.name} fourni ne correspond pas à gestimum-excel "
            f"{__version__} (il a été construit pour "
            f"{built_for or 'une version antérieure non identifiée'}) : le paquet installé est "
            f"incomplet ou mélangé. {_REINSTALL}"
        )
    embedded = found.get(XLWINGS_VERSION_KEY)
    installed = xlwings_version if xlwings_version is not None else installed_xlwings()
    if installed is None:
        raise InstallRefused(
            f"xlwings n'est pas installé dans ce Python : le complément ne pourrait pas démarrer. "
            f"{_REINSTALL}"
        )
    if embedded != installed or installed != XLWINGS_VERSION:
        raise InstallRefused(
            f"Versions d'xlwings incompatibles : le complément contient le module VBA d'xlwings "
            f"{embedded or 'inconnu'}, ce Python a xlwings {installed} (attendu "
            f"{XLWINGS_VERSION}). Excel échouerait au premier clic. Installez la version "
            f"attendue : pip install xlwings=={XLWINGS_VERSION}, ou {_REINSTALL[0].lower()}"
            f"{_REINSTALL[1:]}"
        )
    return found
