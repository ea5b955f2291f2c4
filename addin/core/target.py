"""Where a run goes: command-line flags, else the workbook's Connexion sheet, else defaults.

Shared by the CLI and the ribbon so both resolve the connection the same way (DESIGN §3.2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from addin.core.batching import parse_batch_size
from addin.core.connexion import DEFAULTS, TEST_SERVER
from addin.core.errors import ConfigError
from addin.core.trust import Source

__all__ = ["Target", "resolve_target", "with_ca_folder"]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a run goes: flags, else the Connexion sheet, else the defaults."""

    server: str
    fichier: str
    utilisateur: str
    batch_size: int | None  # None: "auto", sized by time (core/batching.py)
    environment: str
    server_source: str = Source.DEFAULT  # who named the server: trust.Source
    ca_bundle: str = ""  # extra certificate authority (.pem) trusted for this server

    @property
    def test_server(self) -> bool:
        """Marked "recette" in Connexion: a test server, real imports are not confirmed."""
        return self.environment == TEST_SERVER

    def as_ledger(self) -> dict[str, str]:
        return {"server": self.server, "fichier": self.fichier, "utilisateur": self.utilisateur}


def resolve_target(args: Any, sheet_values: dict[str, str]) -> Target:
    """Merge `args` (flags: server, societe, utilisateur, batch_size; any may be missing)
    with the Connexion sheet values and the defaults; a bad batch size is a clear error."""

    def pick(flag: str | None, key: str) -> str:
        value = getattr(args, flag, None) if flag else None
        return str(value) if value not in (None, "") else sheet_values.get(key, DEFAULTS[key])

    raw_size = pick("batch_size", "batch_size")
    try:
        size = parse_batch_size(raw_size)
    except ValueError:
        raise ConfigError(
            f"Taille des lots « {raw_size} » invalide : indiquez un nombre entier positif, ou "
            "« auto » pour des lots calculés d'après le temps de réponse du serveur (feuille "
            "Connexion ou option --batch-size)."
        ) from None
    typed = getattr(args, "server", None) not in (None, "")
    source = (Source.TYPED if typed
              else Source.WORKBOOK if sheet_values.get("server") else Source.DEFAULT)
    return Target(
        server=pick("server", "server").rstrip("/"),
        fichier=pick("societe", "fichier"),
        utilisateur=pick("utilisateur", "utilisateur"),
        batch_size=size,
        environment=sheet_values.get("environment", "").strip().lower(),
        server_source=source,
        ca_bundle=str(getattr(args, "certificat_ca", None) or sheet_values.get("ca_bundle", "")),
    )


def with_ca_folder(target: Target, folder: str | None) -> Target:
    """A relative `Certificat CA` path is taken from the workbook's folder (shared with it)."""
    if not target.ca_bundle or folder is None or PurePath(target.ca_bundle).is_absolute():
        return target
    return replace(target, ca_bundle=str(PurePath(folder) / target.ca_bundle))
