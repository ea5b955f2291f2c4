"""What a run records: row states and outcomes, `#STATUT` texts/colours, Résultats/Journal rows.

Pure (stdlib only) so that the openpyxl and xlwings writers produce the very same cells; the
answer parsing that fills these records lives in `results.py`.
"""

from __future__ import annotations

import getpass
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from addin.core.layout import (
    JOURNAL_HEADERS,
    JOURNAL_SHEET,
    RESULTATS_HEADERS,
    RESULTATS_SHEET,
    STATUS_HEADER,
)

__all__ = [
    "JOURNAL_HEADERS",
    "JOURNAL_SHEET",
    "RESULTS_HEADERS",
    "RESULTS_SHEET",
    "STATE_FILLS",
    "STATE_LABELS",
    "STATUS_HEADER",
    "BatchOutcome",
    "RowOutcome",
    "RowState",
    "batch_digest",
    "blocked_row",
    "clean_text",
    "failed_outcome",
    "is_imported_status",
    "journal_rows",
    "looks_like_formula",
    "new_run_id",
    "not_sent_outcomes",
    "os_user",
    "refused_outcome",
    "results_row",
    "safe_text",
    "safe_url",
    "status_state",
    "status_text",
    "unknown_outcome",
]

RESULTS_SHEET = RESULTATS_SHEET
RESULTS_HEADERS = RESULTATS_HEADERS
MAX_CELL_TEXT = 32_767  # Excel's limit per cell
MAX_STATUS_TEXT = 1_000  # a status stays readable in a cell
CHECK_IN_GESTIMUM = "résultat inconnu — vérifier dans Gestimum avant de relancer"


class RowState(StrEnum):
    """Outcome of one sheet row."""

    IMPORTED = "imported"
    WARNING = "warning"  # imported, with warnings
    REJECTED = "rejected"
    TESTED = "tested"  # accepted by Gestimum's test mode: nothing imported
    TEST_REJECTED = "test-rejected"
    UNKNOWN = "unknown"  # the request may or may not have imported it: check in Gestimum
    BLOCKED = "blocked"  # not sent (blocking issue, or the run stopped before this batch)
    SKIPPED = "skipped"  # not sent: already imported by an earlier run


STATE_LABELS: dict[RowState, str] = {
    RowState.IMPORTED: "Importée",
    RowState.WARNING: "Importée avec avertissement",
    RowState.REJECTED: "Rejetée",
    RowState.TESTED: "Test OK",
    RowState.TEST_REJECTED: "Test : rejetée",
    RowState.UNKNOWN: "À vérifier",
    RowState.BLOCKED: "Non envoyée",
    RowState.SKIPPED: "Déjà importée",
}

# Light fills (RGB hex, no '#') that stay readable with black text, in Excel and LibreOffice.
STATE_FILLS: dict[RowState, str] = {
    RowState.IMPORTED: "C6EFCE",  # green
    RowState.WARNING: "FFEB9C",  # amber
    RowState.REJECTED: "FFC7CE",  # red
    RowState.TESTED: "BDD7EE",  # blue
    RowState.TEST_REJECTED: "F4B6C2",  # red, a shade apart from a real rejection
    RowState.UNKNOWN: "E1CCF0",  # purple: needs a human check
    RowState.BLOCKED: "FFC7CE",  # red
    RowState.SKIPPED: "D9D9D9",  # grey
}

# Characters that make Excel (or a CSV re-import) read a typed text as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters that XML 1.0 (hence .xlsx) cannot hold; openpyxl raises on them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(slots=True)
class RowOutcome:
    """What happened to one sheet row (Excel row number `row`); `text` goes to `#STATUT`."""

    row: int
    state: str
    text: str = ""
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    line: int | None = None  # 1-based data line in its batch

    def __post_init__(self) -> None:
        if not self.text:
            self.text = status_text(self.state, self.reasons, self.warnings, self.pieces)


@dataclass(slots=True)
class BatchOutcome:
    """What happened to one batch: counts, per-row outcomes and a French summary."""

    state: str  # "ok", "partial", "rejected", "unknown" or "not-sent"
    imported: int
    rejected: int
    warned: int
    pieces: list[str]
    journal: list[str]
    rows: list[RowOutcome]
    message: str
    test: bool = False
    sent: int = 0
    unknown: int = 0
    warnings: list[str] = field(default_factory=list)  # batch-level (free) warnings
    statistics: dict[str, int] = field(default_factory=dict)
    resultat: str = ""
    server_message: str = ""
    # Rejected rows could not be identified: splitting the batch in test mode would find them.
    locate_in_test: bool = False
    duration: float = 0.0  # seconds, set by the caller that timed the request


def status_text(
    state: RowState | str,
    reasons: Sequence[str] = (),
    warnings: Sequence[str] = (),
    pieces: Sequence[str] = (),
) -> str:
    """Short French `#STATUT` text: state, then reason(s), warning(s) and pièce number(s)."""
    state = RowState(state)
    text = STATE_LABELS[state]
    if reasons:
        joiner = " : " if state in (RowState.REJECTED, RowState.BLOCKED) else " — "
        text += joiner + " ; ".join(reasons)
    if warnings:
        joiner = " : " if state is RowState.WARNING else " — avertissement : "
        text += joiner + " ; ".join(warnings)
    if pieces:
        text += f" — {'pièce' if len(pieces) == 1 else 'pièces'} {', '.join(pieces)}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_STATUS_TEXT else text[: MAX_STATUS_TEXT - 1] + "…"


def status_state(text: object) -> RowState | None:
    """The state a `#STATUT` text was written for, None for anything else."""
    if not isinstance(text, str):
        return None
    text = text.strip().lstrip("'")
    # Longest labels first: "Importée avec avertissement" before "Importée".
    for state, label in sorted(STATE_LABELS.items(), key=lambda item: -len(item[1])):
        if text == label or text.startswith((label + " ", label + ":")):
            return state
    return None


def is_imported_status(text: object) -> bool:
    """True when a `#STATUT` says an earlier run imported the row (skipped on a re-run)."""
    return status_state(text) in (RowState.IMPORTED, RowState.WARNING, RowState.SKIPPED)


# -- outcomes that do not come from an answer ---------------------------------------------


def blocked_row(row: int, reasons: Sequence[str]) -> RowOutcome:
    """A row not sent because of blocking issues (their French messages)."""
    return RowOutcome(row, RowState.BLOCKED, "", list(reasons) or ["problème bloquant"])


def not_sent_outcomes(batch: Any, reason: str) -> list[RowOutcome]:
    """The rows of a batch never sent because the run stopped earlier (`reason`)."""
    return [RowOutcome(r, RowState.BLOCKED, "", [reason], [], [], n) for n, r in _lines(batch)]


def unknown_outcome(
    batch: Any, reason: str, *, test: bool = False, journal: Sequence[str] = (), resultat: str = ""
) -> BatchOutcome:
    """Every row of a batch whose outcome is unknown (timeout after sending, unreadable answer)."""
    rows = [RowOutcome(r, RowState.UNKNOWN, "", [reason], [], [], n) for n, r in _lines(batch)]
    return BatchOutcome(
        "unknown", 0, 0, 0, [], list(journal), rows,
        f"{CHECK_IN_GESTIMUM[0].upper()}{CHECK_IN_GESTIMUM[1:]} ({reason})",
        test=test, sent=len(rows), unknown=len(rows), resultat=resultat,
    )  # fmt: skip


def refused_outcome(batch: Any, server_message: str, *, test: bool = False) -> BatchOutcome:
    """Every row of a batch Gestimum refused as a whole (`{"error": …}`): nothing imported."""
    state = RowState.TEST_REJECTED if test else RowState.REJECTED
    reason = f"requête refusée par Gestimum : {server_message}"
    rows = [RowOutcome(r, state, "", [reason], [], [], n) for n, r in _lines(batch)]
    return BatchOutcome(
        "rejected", 0, len(rows), 0, [], [], rows, f"Requête refusée : {server_message}",
        test=test, sent=len(rows), server_message=server_message,
    )  # fmt: skip


def failed_outcome(
    batch: Any, message: str, *, unknown: bool, nothing_sent: bool = False, test: bool = False
) -> BatchOutcome:
    """A batch whose request failed: outcome unknown, refused, or never sent (`nothing_sent`)."""
    if unknown:
        return unknown_outcome(batch, message, test=test)
    if not nothing_sent:
        return refused_outcome(batch, message, test=test)
    rows = not_sent_outcomes(batch, message)
    return BatchOutcome("not-sent", 0, 0, 0, [], [], rows, f"Non envoyé : {message}", test=test)


def _lines(batch: Any) -> Iterable[tuple[int, int]]:
    return enumerate(batch.rows, start=1)


# -- Résultats and Journal rows -----------------------------------------------------------


def batch_digest(batch: Any) -> str:
    """SHA-256 (hex) of the lines sent, header first, as `lines.line_digest` defines it."""
    from addin.core.lines import (
        line_digest,  # one definition; imported late: lines is the heavier module
    )

    return line_digest(batch)


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
    """One `Résultats` row (in `RESULTS_HEADERS` order) for a batch; never a password."""
    sent = outcome.sent if outcome.state != "not-sent" else 0
    by_header: dict[str, object] = {
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
    return [by_header.get(header) for header in RESULTS_HEADERS]


def journal_rows(run_id: str, endpoint: Any, outcome: Any) -> list[list[object]]:
    """`Journal` rows for one answer: its journal lines (a `BatchOutcome` or the lines)."""
    lines = outcome.journal if isinstance(outcome, BatchOutcome) else outcome
    name = getattr(endpoint, "name", str(endpoint))
    return [[run_id, name, clean_text(line)] for line in lines]


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


# -- cell text ----------------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """True when Excel's input parser would read this text as a formula or a signed number."""
    return text.startswith(_FORMULA_TRIGGERS)


def clean_text(value: object) -> str:
    """Text that a cell can hold: XML-illegal control characters removed, Excel length cap."""
    text = "" if value is None else str(value)
    text = _ILLEGAL_XML.sub("", text)
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def safe_text(value: object) -> str:
    """`clean_text`, prefixed with `'` when it looks like a formula (Excel's quote prefix).

    For writers that go through Excel's input parser (xlwings), where the apostrophe is
    consumed and only marks the cell as text. The openpyxl writer instead stores such text as
    a string cell with the quote-prefix style (see `workbook.py`).
    """
    text = clean_text(value)
    return "'" + text if looks_like_formula(text) else text
