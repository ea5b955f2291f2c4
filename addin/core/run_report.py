"""A run's per-sheet counts and its exit code (0 imported, 1 rejected, 2 bad input, 3 unknown)."""

from __future__ import annotations

from dataclasses import dataclass, field

from addin.core.lines import Batch
from addin.core.outcomes import BatchOutcome

__all__ = ["RunReport", "SheetReport", "count_batch", "exit_code"]


@dataclass(slots=True)
class SheetReport:
    """What happened to one sheet during a run."""

    sheet: str
    endpoint: str
    rows: int = 0
    sent: int = 0
    imported: int = 0
    rejected: int = 0
    warned: int = 0
    unknown: int = 0
    skipped: int = 0
    blocked: int = 0  # held back: pièces changed after their import
    pieces: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class RunReport:
    """The whole run: per-sheet counts, the run id and the CLI exit code."""

    run_id: str
    test: bool
    sheets: list[SheetReport] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    exit_code: int = 0
    calls: int = 0  # requests sent to the server (import batches and test-mode locating)


def count_batch(report: SheetReport, batch: Batch, outcome: BatchOutcome) -> None:
    """Add a batch's row outcomes to its sheet's counts."""
    report.sent += len(batch.lines)
    for row in outcome.rows:
        if row.state in ("imported", "tested"):
            report.imported += 1
        elif row.state == "warning":
            report.imported += 1
            report.warned += 1
        elif row.state in ("rejected", "test-rejected"):
            report.rejected += 1
        elif row.state == "unknown":
            report.unknown += 1
    report.pieces.extend(outcome.pieces)


def exit_code(report: RunReport, stop: str | None) -> int:
    """The CLI exit code of a run; `stop` is why it stopped early, if it did."""
    if stop is not None or any(s.unknown for s in report.sheets):
        return 3
    if any(s.rejected or s.blocked for s in report.sheets):
        return 1
    if any(s.error for s in report.sheets):
        return 2
    return 0
