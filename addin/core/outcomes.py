"""What happened to a batch and to each of its rows, including outcomes no answer produced.

The answer parser (`answers.py`) fills these records; the pipeline builds the others here
(blocked rows, batches never sent, refused or of unknown outcome).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from addin.core.status import RowState, status_text

__all__ = [
    "CHECK_IN_GESTIMUM",
    "BatchOutcome",
    "RowOutcome",
    "blocked_row",
    "failed_outcome",
    "not_sent_outcomes",
    "refused_outcome",
    "unknown_outcome",
]

CHECK_IN_GESTIMUM = "résultat inconnu — vérifier dans Gestimum avant de relancer"


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
    stamp: str = ""  # #EMPREINTE (run id + content stamp) of a row sent for real

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
    """Every row of a batch Gestimum refused before processing it (password, company, locked,
    malformed request): nothing imported, so the rows say "Non envoyée", not "Rejetée"."""
    rows = [RowOutcome(r, RowState.BLOCKED, "", [server_message], [], [], n)
            for n, r in _lines(batch)]
    return BatchOutcome(
        "refused", 0, 0, 0, [], [], rows, f"Non envoyé : {server_message}",
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
