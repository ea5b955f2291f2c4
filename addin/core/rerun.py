"""What a re-run sends, holds back or refuses, decided from the run journal and the workbook marks.

Documents and entries are creation-only: content already imported (or whose outcome is unknown)
into the same server + company + endpoint is never sent again by a plain re-run, whatever the
`#STATUT` says; master data (upserts) re-send only rows changed since their import, as updates.
Pure: the journal is reached through the small `JournalStore` protocol (io/run_journal.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from addin.core.catalog import Endpoint
from addin.core.fingerprints import RowPrint, parse_stamp, stamp_text
from addin.core.outcomes import BatchOutcome, RowOutcome
from addin.core.sheet import SheetData
from addin.core.sheet_rows import row_marks
from addin.core.status import RowState, status_state

__all__ = [
    "DUPLICATE_OPTION",
    "Intent",
    "JournalStore",
    "Known",
    "RerunPlan",
    "RunInfo",
    "Scope",
    "plan_rerun",
]

DUPLICATE_OPTION = "--dupliquer"
RESEND_UNKNOWN_OPTION = "--renvoyer-inconnues"
_IMPORTED = {RowState.IMPORTED, RowState.WARNING, RowState.SKIPPED}


@dataclass(frozen=True, slots=True)
class Scope:
    """Where content lands: one endpoint of one company on one server."""

    server: str
    fichier: str
    endpoint: str


@dataclass(frozen=True, slots=True)
class Known:
    """What the journal knows of one content fingerprint (its latest real import)."""

    state: str  # "imported" (warnings included) or "unknown" (sent, no proof of the outcome)
    when: str  # "30/11/2026 10:02", local time of the POST
    run_id: str
    pieces: tuple[str, ...] = ()


@dataclass(slots=True)
class RunInfo:
    """One import run, as the journal and its locks know it."""

    run_id: str
    server: str
    fichier: str
    utilisateur: str
    workbook: str  # absolute path of the workbook read (its identity on this machine)
    test: bool
    os_user: str = ""


@dataclass(slots=True)
class Intent:
    """What is about to be POSTed, recorded durably before the request leaves."""

    run_id: str
    scope: Scope
    test: bool
    workbook: str
    sheet: str
    batch_index: int
    batch_total: int
    digest: str
    prints: list[RowPrint]  # one per data line, in line order
    posting: bool = False  # set just before the request leaves (not stored)
    # Excel row → the code its real import creates (reference endpoints only, core.known_codes)
    codes: dict[int, str] = field(default_factory=dict)


class JournalStore(Protocol):
    """The durable record the pipeline writes before and after each POST."""

    salt: bytes

    def begin(self, run: RunInfo) -> None: ...
    def end(self, run_id: str, state: str, message: str = "") -> None: ...
    def lookup(self, scope: Scope, fps: Iterable[str]) -> dict[str, Known]: ...
    def imported_keys(self, scope: Scope, keys: Iterable[str]) -> set[str]: ...
    def record_intent(self, intent: Intent) -> None: ...
    def record_outcome(self, intent: Intent, outcome: BatchOutcome) -> None: ...


@dataclass(slots=True)
class RerunPlan:
    """Rows not to send (with the status to show) and rows sent as updates."""

    skip: set[int] = field(default_factory=set)
    restored: list[RowOutcome] = field(default_factory=list)
    updates: set[int] = field(default_factory=set)
    held_imported: int = 0
    held_unknown: int = 0
    changed: int = 0
    changed_pieces: int = 0  # documents/entries changed after import (sent: duplicates)
    resent_unknown: int = 0

    def hold(self, outcome: RowOutcome) -> None:
        self.skip.add(outcome.row)
        self.restored.append(outcome)


def _imported_text(known: Known) -> str:
    label = "Importée"
    text = f"{label} le {known.when}"
    if known.pieces:
        text += f" — {'pièce' if len(known.pieces) == 1 else 'pièces'} {', '.join(known.pieces)}"
    return text


def _unknown_text(known: Known) -> str:
    return (f"À vérifier : envoyée le {known.when} sans réponse sûre — vérifiez dans Gestimum "
            f"avant de relancer (exécution {known.run_id})")


def _restored(row: int, known: Known, p: RowPrint, current: object = None) -> RowOutcome:
    """The status the journal knows for a row, stamped with the run that sent it.

    A row whose `#STATUT` already says it was imported keeps its text (warnings, pièces).
    """
    stamp = stamp_text(known.run_id, p)
    if known.state == "imported" and status_state(current) in _IMPORTED:
        return RowOutcome(row, RowState.SKIPPED, stamp=stamp)
    if known.state == "unknown":
        return RowOutcome(row, RowState.UNKNOWN, _unknown_text(known), stamp=stamp)
    return RowOutcome(row, RowState.IMPORTED, _imported_text(known), stamp=stamp)


def _marked(data_row: Any, p: RowPrint) -> str | None:
    """What the workbook says of a row: "changed", "unknown", "imported" or None (nothing)."""
    raw = getattr(data_row, "stamp", None)
    if raw is None and data_row.status is None:  # a row never sent: most rows, the fast way
        return None
    stamp = parse_stamp(raw)
    if stamp is not None and stamp[1] and p.target and stamp[1] != p.target:
        return None  # imported into another server or company: says nothing about this one
    if stamp is not None and stamp[2] != p.stamp:
        return "changed"
    state = status_state(data_row.status)
    if state is RowState.UNKNOWN:
        return "unknown"
    if stamp is not None or state in _IMPORTED:
        return "imported"
    return None


def _with_history(
    data: SheetData, prints: Sequence[RowPrint], known: dict[str, Known], known_keys: set[str]
) -> set[int]:
    """Positions of the rows a re-run has something to decide about: known to the journal (by
    content or update key) or marked in the workbook. The others are sent as they are: on a
    first import, all of them, and then no row object is made (`core/sheet_rows.py`)."""
    statuses, stamps = row_marks(data.rows)
    out = {i for i, (status, stamp) in enumerate(zip(statuses, stamps, strict=True))
           if status is not None or stamp is not None}
    if known:
        out.update(i for i, p in enumerate(prints) if p.fp in known)
    if known_keys:
        out.update(i for i, p in enumerate(prints) if p.key and p.key in known_keys)
    return out


def plan_rerun(
    data: SheetData,
    endpoint: Endpoint,
    prints: Sequence[RowPrint],
    known: dict[str, Known],
    known_keys: set[str],
    *,
    duplicate: bool = False,
    resend_unknown: bool = False,
    reimport: bool = False,
    send_changed: bool = False,
) -> RerunPlan:
    """Decide, row by row (pièce by pièce for documents and entries), what a real run sends."""
    plan = RerunPlan()
    if endpoint.creation_only:
        _plan_creations(data, prints, known, plan, duplicate, resend_unknown, send_changed)
    else:
        _plan_upserts(data, prints, known, known_keys, plan, reimport, resend_unknown)
    return plan


def _plan_upserts(
    data: SheetData, prints: Sequence[RowPrint], known: dict[str, Known], known_keys: set[str],
    plan: RerunPlan, reimport: bool, resend_unknown: bool,
) -> None:
    for i in sorted(_with_history(data, prints, known, known_keys)):
        row, p = data.rows[i], prints[i]
        k = known.get(p.fp)
        mark = _marked(row, p)
        if reimport:  # an update sent again changes nothing that is already right
            if k is not None or mark is not None or (p.key and p.key in known_keys):
                plan.updates.add(row.row)
            continue
        if k is not None and k.state == "imported":
            plan.held_imported += 1
            plan.hold(_restored(row.row, k, p, row.status))
        elif k is not None or mark == "unknown":
            if resend_unknown:
                plan.resent_unknown += 1
                plan.updates.add(row.row)
            else:
                plan.held_unknown += 1
                if k is not None:
                    plan.hold(_restored(row.row, k, p, row.status))
                else:
                    plan.skip.add(row.row)  # its "À vérifier" status stays as it is
        elif (p.key and p.key in known_keys) or mark == "changed":
            plan.updates.add(row.row)
        elif mark == "imported":
            plan.held_imported += 1
            plan.skip.add(row.row)  # its #STATUT (with its pièce numbers) stays as it is


def _plan_creations(
    data: SheetData, prints: Sequence[RowPrint], known: dict[str, Known], plan: RerunPlan,
    duplicate: bool, resend_unknown: bool, send_changed: bool = False,
) -> None:
    wanted = {prints[i].group for i in _with_history(data, prints, known, set())}
    groups: dict[int, list[int]] = {}
    for i, p in enumerate(prints):
        if p.group in wanted:
            groups.setdefault(p.group, []).append(i)
    for members in groups.values():
        rows = [data.rows[i] for i in members]
        found = [known.get(prints[i].fp) for i in members]
        marks = [_marked(r, prints[i]) for r, i in zip(rows, members, strict=True)]
        if duplicate:
            continue
        if all(k is not None for k in found):
            states = {k.state for k in found if k is not None}
            if resend_unknown and states == {"unknown"}:  # checked absent from Gestimum
                plan.resent_unknown += len(rows)
                continue
            for r, k, i in zip(rows, found, members, strict=True):
                assert k is not None
                if k.state == "unknown":
                    plan.held_unknown += 1
                else:
                    plan.held_imported += 1
                plan.hold(_restored(r.row, k, prints[i], r.status))
            continue
        seen = next((k for k in found if k is not None), None)
        if (seen is not None or "changed" in marks) and send_changed:  # confirmed: a new pièce
            plan.changed_pieces += 1
            continue
        if seen is not None or "changed" in marks:
            # Part of an imported pièce changed, or a line was added to it: sending the rest
            # would create a second document or entry.
            when = f" le {seen.when}" if seen else ""
            pieces = f" (pièce {', '.join(seen.pieces)})" if seen and seen.pieces else ""
            reason = (
                f"modifiée après son import{when}{pieces} : la renvoyer créerait un second "
                "document ou une seconde écriture. Corrigez la pièce dans Gestimum ; pour créer "
                f"quand même un nouveau document, relancez avec {DUPLICATE_OPTION}"
            )
            plan.changed_pieces += 1
            for r in rows:
                plan.changed += 1
                plan.hold(RowOutcome(r.row, RowState.BLOCKED, "", [reason]))
            continue
        if all(m in ("imported", "unknown") for m in marks):
            # Marked in the workbook (an import from another machine or another journal).
            if resend_unknown and all(m == "unknown" for m in marks):
                plan.resent_unknown += len(rows)
                continue
            for r, m in zip(rows, marks, strict=True):  # their #STATUT stays as it is
                if m == "unknown":
                    plan.held_unknown += 1
                else:
                    plan.held_imported += 1
                plan.skip.add(r.row)
            continue
        if any(m is not None for m in marks):
            reason = ("une partie de cette pièce est marquée importée dans le classeur : "
                      "vérifiez-la dans Gestimum, puis effacez les statuts de toute la pièce "
                      f"(ou relancez avec {DUPLICATE_OPTION})")
            for r in rows:
                plan.changed += 1
                plan.hold(RowOutcome(r.row, RowState.BLOCKED, "", [reason]))
