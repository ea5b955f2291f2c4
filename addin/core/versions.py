"""Versions a user or a support call needs: the add-in, xlwings, the catalog.

Read without importing xlwings (package metadata only), so ``--version`` stays instant.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import metadata, resources

# The one place the version is written: pyproject.toml reads it, addin.__version__ re-exports
# it, and the .xlam and the templates record it.
__version__ = "0.2.0"

# Characters of the catalog's source SHA-256 shown as its version: enough to tell two apart.
CATALOG_ID_LENGTH = 12


@cache
def catalog_version() -> str:
    """The catalog's identity: the first characters of the documentation's SHA-256."""
    text = resources.files("addin").joinpath("data/catalog.json").read_text(encoding="utf-8")
    return str(json.loads(text).get("source_sha256", ""))[:CATALOG_ID_LENGTH] or "inconnu"


def xlwings_version() -> str:
    """The installed xlwings distribution's version, or « absent »."""
    try:
        return metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        return "absent"


def about_lines() -> list[str]:
    """One French line per component, as ``--version`` and the connection test print them."""
    return [
        f"Complément gestimum-excel : {__version__}",
        f"xlwings : {xlwings_version()}",
        f"Catalogue Gestimum : {catalog_version()}",
    ]


# ── template versions ─────────────────────────────────────────────────────────────────────
# The templates' layout generation: bump it when header rows, notes, validations or formats
# change, so that `check` can tell a user their workbook was made with an older template.
# 1: the templates before they carried a version (created by gestimum-excel, no property).
TEMPLATE_FORMAT = 2
TEMPLATE_FORMAT_KEY = "GestimumModele"
TEMPLATE_ADDIN_KEY = "GestimumExcelVersion"
TEMPLATE_CATALOG_KEY = "GestimumCatalogue"
# docProps/core.xml creator of every generated template (templates/package.py sets it).
TEMPLATE_CREATOR = "gestimum-excel"


def template_stamp() -> dict[str, str]:
    """The custom document properties a template is generated with."""
    return {
        TEMPLATE_FORMAT_KEY: str(TEMPLATE_FORMAT),
        TEMPLATE_ADDIN_KEY: __version__,
        TEMPLATE_CATALOG_KEY: catalog_version(),
    }


def template_notes(custom: dict[str, str], creator: str) -> list[str]:
    """French warnings about the template a workbook was made from; [] when current or unknown.

    ``custom``: the workbook's custom document properties; ``creator``: its core creator. A
    workbook the user built without a template (no stamp, another creator) says nothing.
    """
    raw = custom.get(TEMPLATE_FORMAT_KEY)
    if raw is None:
        if creator != TEMPLATE_CREATOR:
            return []
        made_with, fmt = "une version de gestimum-excel antérieure à 0.2.0", 1
    else:
        try:
            fmt = int(raw)
        except ValueError:
            return [f"Version de modèle illisible ({raw!r}) dans les propriétés du classeur."]
        made_with = f"gestimum-excel {custom.get(TEMPLATE_ADDIN_KEY) or 'de version inconnue'}"
    upgrade = ("Mettez-le à jour sans toucher à vos données : bouton « Mettre à jour le modèle » "
               "du ruban, ou gestimum-excel mettre-a-jour CLASSEUR (ou repartez d'un modèle "
               "neuf : gestimum-excel templates).")
    if fmt > TEMPLATE_FORMAT:
        return [f"Ce classeur vient d'un modèle plus récent ({made_with}) que ce "
                f"complément ({__version__}) : mettez gestimum-excel à jour avant d'importer."]
    if fmt < TEMPLATE_FORMAT:
        return [f"Ce classeur a été créé avec un modèle plus ancien ({made_with}) "
                f"que le modèle actuel ({__version__}) : libellés, notes et listes de choix "
                f"peuvent avoir changé. {upgrade}"]
    catalog = custom.get(TEMPLATE_CATALOG_KEY, "")
    if catalog and catalog != catalog_version():
        return [f"Ce classeur a été créé avec un autre catalogue Gestimum ({catalog}, modèle "
                f"{made_with}) que celui de ce complément ({catalog_version()}) : "
                f"des champs peuvent avoir été ajoutés, renommés ou retirés. {upgrade}"]
    return []


# Distinct from the template stamp: which add-in and catalog last wrote results into a workbook
# (the package writer and the Excel sink set it), so a support call can tell at a glance.
LAST_WRITE_KEY = "GestimumDerniereEcriture"


def last_write_stamp() -> str:
    """The value of ``LAST_WRITE_KEY``: "0.2.0 / catalogue abcdef123456"."""
    return f"{__version__} / catalogue {catalog_version()}"


# ── Gestimum ERP versions ──────────────────────────────────────────────────────────────────
_MAJOR = re.compile(r"\s*(\d{1,4})(?:[.\s(]|$)")
_SINCE = re.compile(r"(\d{1,4})\+")


@cache
def endpoint_min_erp() -> dict[str, int]:
    """Endpoint name → the first ERP major version that has it, as the catalog documents it
    (``versions``: "8+", "9+")."""
    text = resources.files("addin").joinpath("data/catalog.json").read_text(encoding="utf-8")
    found: dict[str, int] = {}
    for entry in json.loads(text)["endpoints"]:
        match = _SINCE.fullmatch(str(entry.get("versions") or "").strip())
        if match:
            found[entry["name"]] = int(match.group(1))
    return found


def erp_major(version: str) -> int | None:
    """The major version of a ``VersionERP`` answer ("8.4.1.856 (13/08/2019…)" → 8)."""
    match = _MAJOR.match(version)
    return int(match.group(1)) if match else None


def erp_notes(erp_version: str, sheets: list[tuple[str, str]] | None = None) -> list[str]:
    """French warnings about imports this ERP version does not have.

    ``sheets``: (sheet, endpoint name) of a workbook; None: every documented import.
    """
    major = erp_major(erp_version)
    if major is None:
        return []
    needs = endpoint_min_erp()
    if sheets is None:
        missing = sorted((name, since) for name, since in needs.items() if since > major)
        if not missing:
            return []
        listed = ", ".join(f"{name} (version {since} et suivantes)" for name, since in missing)
        return [f"Imports absents de cet ERP Gestimum (version {major}) : {listed}."]
    return [
        f"La feuille « {sheet} » alimente {name}, que Gestimum ne documente qu'à partir de la "
        f"version {needs[name]} ; ce serveur a la version {major} : son import risque d'être "
        "refusé. Faites mettre Gestimum à jour ou retirez cette feuille de l'import."
        for sheet, name in sheets if needs.get(name, 0) > major
    ]


def workbook_erp_notes(erp_version: str, source: object) -> list[str]:
    """``erp_notes`` for the data sheets of a workbook (a GridSource); [] when it has none."""
    from addin.core.errors import AddinError
    from addin.core.selection import select_sheets

    try:
        plans = select_sheets(source, all_sheets=True)  # type: ignore[arg-type]
    except AddinError:  # no data sheet: nothing a version could miss
        return []
    return erp_notes(erp_version, [(plan.sheet, plan.endpoint.name) for plan in plans])
