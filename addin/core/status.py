"""The `#STATUT` vocabulary: row states, their French labels and colours, and reading them back.

Pure so that the openpyxl and xlwings writers produce the very same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

__all__ = [
    "MAX_STATUS_TEXT",
    "STATE_FILLS",
    "STATE_LABELS",
    "RowState",
    "is_imported_status",
    "status_state",
    "status_text",
]

MAX_STATUS_TEXT = 1_000  # a status stays readable in a cell


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
    UNTESTED = "untested"  # test mode could not verify it (depends on a sheet only tested)


STATE_LABELS: dict[RowState, str] = {
    RowState.IMPORTED: "Importée",
    RowState.WARNING: "Importée avec avertissement",
    RowState.REJECTED: "Rejetée",
    RowState.TESTED: "Test OK",
    RowState.TEST_REJECTED: "Test : rejetée",
    RowState.UNKNOWN: "À vérifier",
    RowState.BLOCKED: "Non envoyée",
    RowState.SKIPPED: "Déjà importée",
    RowState.UNTESTED: "Non vérifiable en test",
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
    RowState.UNTESTED: "DDEBF7",  # pale blue: a test matter, not an error
}


def status_text(
    state: RowState | str,
    reasons: Sequence[str] = (),
    warnings: Sequence[str] = (),
    pieces: Sequence[str] = (),
) -> str:
    """Short French `#STATUT` text: state, then reason(s), warning(s) and pièce number(s)."""
    if state.__class__ is not RowState:  # (an enum call per row costs more than the rest)
        state = RowState(state)
    text = STATE_LABELS[state]
    if not (reasons or warnings or pieces):
        return text  # the label itself: one string shared by every such row
    if reasons:
        colon = (RowState.REJECTED, RowState.BLOCKED, RowState.UNTESTED)
        joiner = " : " if state in colon else " — "
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
