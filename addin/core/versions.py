"""Versions a user or a support call needs: the add-in, xlwings, the catalog.

Read without importing xlwings (package metadata only), so ``--version`` stays instant.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata, resources

from addin import __version__

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
