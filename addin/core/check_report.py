"""What a check tells the user: `#STATUT` texts per row, issues grouped, the column mapping.

Shared by the CLI `check` and the ribbon's Contrôler so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from addin.core import outcomes, status
from addin.core.issues import Issue, Severity
from addin.core.mapping import BY_CODE
from addin.core.sheet import SheetData

__all__ = [
    "CHECK_OK",
    "KEEP",
    "WARNING_PREFIX",
    "IssueGroup",
    "check_outcomes",
    "group_issues",
    "mapping_lines",
]

CHECK_OK = "Contrôle OK"
WARNING_PREFIX = "Avertissement : "
# Statuses a check or a clear must not drop silently: they record what Gestimum may hold.
KEEP = {status.RowState.IMPORTED, status.RowState.WARNING, status.RowState.SKIPPED,
        status.RowState.UNKNOWN}
GROUP_FROM = 4  # this many issues of one kind in one column are shown as one line


def check_outcomes(data: SheetData, issues: Sequence[Issue]) -> list[outcomes.RowOutcome]:
    """Each row's check status: its blocking issues, its warnings, or "Contrôle OK".

    Rows that record an import are left alone: overwriting "Importée" would make the next run
    send them again.
    """
    by_row: dict[int, list[Issue]] = {}
    for issue in issues:
        if issue.row is not None:
            by_row.setdefault(issue.row, []).append(issue)
    rows: list[outcomes.RowOutcome] = []
    for row in data.rows:
        if status.status_state(row.status) in KEEP:
            continue
        found = by_row.get(row.row, [])
        blocking = [i.message for i in found if i.severity is Severity.BLOCKING]
        if blocking:
            rows.append(outcomes.blocked_row(row.row, blocking))
        else:
            text = WARNING_PREFIX + " ; ".join(i.message for i in found) if found else CHECK_OK
            rows.append(outcomes.RowOutcome(row.row, status.RowState.BLOCKED, text))
    return rows


@dataclass(slots=True)
class IssueGroup:
    """Issues of one kind in one column: shown once, with their count and rows."""

    first: Issue
    rows: list[int] = field(default_factory=list)
    count: int = 1

    @property
    def grouped(self) -> bool:
        return self.count >= GROUP_FROM

    def rows_text(self, shown: int = 6) -> str:
        """"lignes 3, 4, 7 … 250" — the first rows and the last one."""
        rows = sorted(set(self.rows))
        if len(rows) <= shown:
            return "lignes " + ", ".join(map(str, rows))
        return "lignes " + ", ".join(map(str, rows[:shown])) + f" … {rows[-1]}"


def group_issues(issues: Sequence[Issue]) -> list[IssueGroup]:
    """Repeated issues (same sheet, column, kind) grouped, in the order they first appear.

    A group of fewer than `GROUP_FROM` is split back into single issues: each keeps its message.
    """
    def key(issue: Issue) -> tuple[str, str, str, str]:
        return (issue.sheet, issue.column, issue.code, issue.severity.value)

    groups: dict[tuple[str, str, str, str], IssueGroup] = {}
    for issue in issues:
        if issue.row is not None:
            group = groups.setdefault(key(issue), IssueGroup(issue, count=0))
            group.count += 1
            group.rows.append(issue.row)
    out: list[IssueGroup] = []
    shown: set[tuple[str, str, str, str]] = set()
    for issue in issues:
        group = groups.get(key(issue)) if issue.row is not None else None
        if group is None or not group.grouped:
            out.append(IssueGroup(issue, [issue.row] if issue.row is not None else []))
        elif key(issue) not in shown:
            shown.add(key(issue))
            out.append(group)
    return out


def mapping_lines(data: SheetData) -> list[str]:
    """"B « CP » → PCF_CP (Code postal…) [synonyme]" for each header not given as a field code.

    Empty when the sheet uses field codes throughout (nothing to confirm).
    """
    if all(m.how == BY_CODE for m in data.mapping):
        return []
    lines = []
    for m in data.mapping:
        if m.ignored:
            lines.append(f"{m.letter} « {m.header} » → non envoyée (#)")
        elif m.code is None:
            lines.append(f"{m.letter} « {m.header} » → aucun champ (à compléter)")
        else:
            f = data.endpoint.field(m.code)
            label = f" ({f.label})" if f is not None else ""
            lines.append(f"{m.letter} « {m.header} » → {m.code}{label} [{m.how}]")
    return lines
