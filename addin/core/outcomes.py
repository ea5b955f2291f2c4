"""What happened to a batch and to each of its rows, including outcomes no answer produced.

The answer parser (`answers.py`) fills these records; the pipeline builds the others here
(blocked rows, batches never sent, refused or of unknown outcome).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from addin.core.status import RowState, status_text

__all__ = [
    "CHECK_IN_GESTIMUM",
    "NO_TEXTS",
    "BatchOutcome",
    "RowOutcome",
    "SharedList",
    "blocked_row",
    "failed_outcome",
    "not_sent_outcomes",
    "numbered",
    "refused_outcome",
    "unknown_outcome",
]

CHECK_IN_GESTIMUM = "résultat inconnu — vérifier dans Gestimum avant de relancer"


class SharedList(list):  # type: ignore[type-arg]
    """A list of texts shared by many rows' outcomes (the empty one, a batch's one reason):
    three fresh lists per row cost ~170 bytes × 100,000 rows. Read-only, so that a change meant
    for one row fails loudly instead of reaching every row: assign a new list instead."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError("SharedList is shared by several outcomes: assign a new list")

    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only  # type: ignore[assignment]

    def __copy__(self) -> list[str]:
        return list(self)  # a copy is the caller's own: a plain list

    def __deepcopy__(self, memo: dict[int, object]) -> list[str]:
        return list(self)  # texts are immutable

    def __reduce__(self) -> tuple[type[list[str]], tuple[list[str]]]:
        return list, (list(self),)


NO_TEXTS: list[str] = SharedList()  # no reason, no warning, no pièce


def _no_texts() -> list[str]:
    return NO_TEXTS


_NUMBERS: tuple[int, ...] = tuple(range(1025))  # replaced, never changed: safe across threads


def numbered(rows: Sequence[int]) -> Iterator[tuple[int, int]]:
    """`enumerate(rows, start=1)` with line numbers shared by every batch: each of 100,000
    outcomes would otherwise keep its own int object (numbers above 256 are not cached)."""
    numbers = _NUMBERS
    if len(numbers) <= len(rows):
        numbers = _share(len(rows))
    return zip(islice(numbers, 1, len(rows) + 1), rows, strict=True)


def _share(n: int) -> tuple[int, ...]:
    global _NUMBERS
    numbers = _NUMBERS
    _NUMBERS = numbers = numbers + tuple(range(len(numbers), max(n + 1, 2 * len(numbers))))
    return numbers


@dataclass(slots=True)
class RowOutcome:
    """What happened to one sheet row (Excel row number `row`); `text` goes to `#STATUT`.

    `reasons`, `warnings` and `pieces` may be shared with other rows (`SharedList`): replace
    them, never change them in place."""

    row: int
    state: str
    text: str = ""
    reasons: list[str] = field(default_factory=_no_texts)
    warnings: list[str] = field(default_factory=_no_texts)
    pieces: list[str] = field(default_factory=_no_texts)
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
    return _alike(batch, RowState.BLOCKED, reason)


def unknown_outcome(
    batch: Any, reason: str, *, test: bool = False, journal: Sequence[str] = (), resultat: str = ""
) -> BatchOutcome:
    """Every row of a batch whose outcome is unknown (timeout after sending, unreadable answer)."""
    rows = _alike(batch, RowState.UNKNOWN, reason)
    return BatchOutcome(
        "unknown", 0, 0, 0, [], list(journal), rows,
        f"{CHECK_IN_GESTIMUM[0].upper()}{CHECK_IN_GESTIMUM[1:]} ({reason})",
        test=test, sent=len(rows), unknown=len(rows), resultat=resultat,
    )  # fmt: skip


def refused_outcome(batch: Any, server_message: str, *, test: bool = False) -> BatchOutcome:
    """Every row of a batch Gestimum refused before processing it (password, company, locked,
    malformed request): nothing imported, so the rows say "Non envoyée", not "Rejetée"."""
    rows = _alike(batch, RowState.BLOCKED, server_message)
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


def _alike(batch: Any, state: RowState, reason: str) -> list[RowOutcome]:
    """Every row of a batch in one state for one reason: the reason and status text shared."""
    reasons = SharedList((reason,))
    text = status_text(state, reasons)
    return [RowOutcome(r, state, text, reasons, NO_TEXTS, NO_TEXTS, n)
            for n, r in numbered(batch.rows)]
