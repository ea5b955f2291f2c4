"""The rows a run appends to the `Résultats` (one per batch) and `Journal` sheets, and run ids.

Never a password: the server URL is stored without credentials.
"""

from __future__ import annotations

import getpass
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from addin.core.cell_text import clean_text
from addin.core.excel_rows import excel_row_of
from addin.core.layout import RESULTATS_HEADERS
from addin.core.lines import line_digest
from addin.core.outcomes import BatchOutcome

__all__ = ["batch_digest", "journal_rows", "new_run_id", "os_user", "results_row", "safe_url"]


def batch_digest(batch: Any) -> str:
    """SHA-256 (hex) of the lines sent, header first, as `lines.line_digest` defines it; lines
    holding secret values get a keyed hash, marked "HMAC" so nobody compares it to a plain one."""
    digest = line_digest(batch)
    return f"HMAC {digest}" if getattr(batch, "secrets", None) else digest


def results_row(
    run_id: str,
    target: Mapping[str, str],
    sheet: str,
    endpoint: Any,
    batch: Any,
    outcome: BatchOutcome,
    test: bool,
    *,
    when: datetime | None = None,
) -> list[object]:
    """One `Résultats` row (in `RESULTATS_HEADERS` order) for a batch; never a password."""
    sent = outcome.sent if outcome.state != "not-sent" else 0
    by_header: dict[str, object] = {
        **_who(run_id, target, sheet, endpoint, test, when),
        "Lot (n/N)": f"{getattr(batch, 'index', 1)}/{getattr(batch, 'total', 1)}",
        "Lignes envoyées": sent,
        "Importées": outcome.imported,
        "Rejetées": outcome.rejected,
        "Avertissements": outcome.warned,
        "À vérifier": outcome.unknown,
        "Durée (s)": round(outcome.duration, 1),
        "Résultat": clean_text(outcome.message),
        "SHA-256 des lignes": batch_digest(batch),
    }
    return [by_header.get(header) for header in RESULTATS_HEADERS]


def _who(
    run_id: str, target: Mapping[str, str], sheet: str, endpoint: Any, test: bool,
    when: datetime | None,
) -> dict[str, object]:
    """The columns every `Résultats` row shares: when, who, where, what, which mode."""
    return {
        "Date": (when or datetime.now()).replace(microsecond=0),
        "Identifiant d'exécution": run_id,
        "Exécution": run_id,
        "Utilisateur (OS)": clean_text(os_user()),
        "Serveur": clean_text(safe_url(str(target.get("server", "")))),
        "Société": clean_text(target.get("fichier", "")),
        "Utilisateur Gestimum": clean_text(target.get("utilisateur", "")),
        "Feuille": clean_text(sheet),
        "Point d'entrée": getattr(endpoint, "name", str(endpoint)),
        "Mode (test/réel)": "test" if test else "réel",
    }


def total_row(
    run_id: str, target: Mapping[str, str], sheet: str, endpoint: Any, label: str, text: str,
    test: bool, *, when: datetime | None = None,
) -> list[object]:
    """A `Résultats` row after a sheet's batches: a total (e.g. one accounting journal's debit
    and credit), `Lot (n/N)` saying which; what is reconciled with the trial balance."""
    by_header: dict[str, object] = {
        **_who(run_id, target, sheet, endpoint, test, when),
        "Lot (n/N)": clean_text(label),
        # Counts stay in the text: a sum of the Importées column must not count lines twice.
        "Résultat": clean_text(text),
    }
    return [by_header.get(header) for header in RESULTATS_HEADERS]


def journal_rows(
    run_id: str, endpoint: Any, outcome: Any, rows: Sequence[int] = ()
) -> list[list[object]]:
    """`Journal` rows for one answer: its journal lines (a `BatchOutcome` or the lines), each
    with the Excel row of the batch line it names (`rows`: the batch's Excel rows)."""
    lines = outcome.journal if isinstance(outcome, BatchOutcome) else outcome
    name = getattr(endpoint, "name", str(endpoint))
    out: list[list[object]] = []
    block: int | None = None  # "La ligne 2 n'a pas pu être importée :" then its reasons
    for line in lines:
        row = excel_row_of(line, rows)
        if row is None and block is not None:
            row = block
        block = row if line.rstrip().endswith(":") else None
        out.append([run_id, name, clean_text(line), row])
    return out


def new_run_id(now: datetime | None = None) -> str:
    """Sortable run identifier: local timestamp + 6 random hex digits (`20261123-094512-3fa2c1`)."""
    now = now or datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def os_user() -> str:
    """The operating-system user running the import (for the ledger)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service/container contexts
        return ""


def safe_url(url: str) -> str:
    """The server URL without any `user:password@` part, so that it can be logged or stored."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return url.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
