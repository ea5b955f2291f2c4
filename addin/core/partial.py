"""Partial imports on request: send the rows without blocking issues, hold back the others.

One bad customer must not block 290 good ones — when the user asks for it (`--lignes-valides`,
"Importer les lignes valides") and always in Gestimum's test mode (a test should test every
testable row). A pièce or document is never split: one blocked line holds its whole pièce. A
sheet-level problem (missing column, unknown column, no header…) holds the whole sheet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from addin.core.entries import entry_groups
from addin.core.formatted import format_rows, group_keys
from addin.core.issues import Issue, Severity
from addin.core.outcomes import RowOutcome, blocked_row
from addin.core.sheet import SheetData

__all__ = ["Held", "hold_back", "piece_rows", "split_checks"]


@dataclass(slots=True)
class Held:
    """What a sheet holds back: its rows' "Non envoyée" outcomes, and why."""

    sheet: str
    data: SheetData
    outcomes: list[RowOutcome] = field(default_factory=list)
    sheet_reason: str | None = None  # the whole sheet is held for this reason

    def summary(self) -> str:
        n = len(self.outcomes)
        if self.sheet_reason is not None:
            return (f"{self.sheet} : feuille non envoyée ({n} ligne(s)) : {self.sheet_reason}")
        return (f"{self.sheet} : {n} ligne(s) non envoyée(s) à cause de problèmes bloquants "
                "(voir #STATUT) ; les autres lignes ont été envoyées.")


def piece_rows(data: SheetData) -> list[list[int]]:
    """Excel rows of each pièce or document the lines will create (documents and entries)."""
    if not (data.endpoint.positional or data.endpoint.grouping) or not data.rows:
        return []
    return [[data.rows[rp].row for rp in range(s, e)] for s, e in _groups(data)]


def _groups(data: SheetData) -> list[tuple[int, int]]:
    """(start, end) row positions of the runs that travel together (pièces, documents)."""
    fs = format_rows(data)
    if data.endpoint.positional:
        return entry_groups(data, fs)
    keys = group_keys(data, fs)
    if keys is None:
        return [(rp, rp + 1) for rp in range(len(data.rows))]
    out: list[tuple[int, int]] = []
    for rp, key in enumerate(keys):
        if rp and key == keys[rp - 1]:
            out[-1] = (out[-1][0], rp + 1)
        else:
            out.append((rp, rp + 1))
    return out


def hold_back(data: SheetData, issues: Sequence[Issue]) -> tuple[SheetData, Held]:
    """The sheet reduced to the rows that can be sent, and what is held back (with reasons)."""
    held = Held(data.sheet, data)
    blocking = [i for i in issues if i.severity is Severity.BLOCKING]
    by_row: dict[int, list[str]] = {}
    rows = {r.row for r in data.rows}
    for issue in blocking:
        if issue.row in rows:
            by_row.setdefault(issue.row, []).append(issue.message)
        elif held.sheet_reason is None:
            held.sheet_reason = issue.message
    if held.sheet_reason is not None:
        held.outcomes = [blocked_row(r.row, [held.sheet_reason]) for r in data.rows]
        return dataclasses.replace(data, rows=[], cache={}, issues=[]), held
    if not by_row:
        return data, held
    stopped: set[int] = set()
    for start, end in _groups(data):
        members = [data.rows[rp].row for rp in range(start, end)]
        bad = [r for r in members if r in by_row]
        if not bad:
            continue
        stopped.update(members)
        for r in members:
            reasons = by_row.get(r) or [
                f"sa pièce est bloquée par la ligne Excel {bad[0]} (une pièce n'est jamais "
                f"envoyée en partie)"]
            held.outcomes.append(blocked_row(r, reasons))
    kept = [r for r in data.rows if r.row not in stopped]
    return dataclasses.replace(data, rows=kept, cache={}, issues=[]), held


def split_checks(checks: Sequence[Any]) -> tuple[list[Any], list[Held]]:
    """Each `SheetCheck` reduced to its sendable rows (non-blocking issues kept), and the held."""
    sendable: list[Any] = []
    held: list[Held] = []
    for c in checks:
        data, h = hold_back(c.data, c.issues)
        kept_rows = {r.row for r in data.rows}
        issues = [i for i in c.issues
                  if i.severity is not Severity.BLOCKING and (i.row is None or i.row in kept_rows)]
        sendable.append(dataclasses.replace(c, data=data, issues=issues))
        if h.outcomes or h.sheet_reason:
            held.append(h)
    return sendable, held
