"""What the CLI commands and the demo print: issues, the run summary, JSON, progress bars.

Below both `actions` and `demo`, so that neither imports the other for printing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from addin.core import pipeline
from addin.core.check_report import group_issues
from addin.core.issues import Issue, Severity

__all__ = [
    "BarProgress", "err", "issues_json", "out", "print_issues", "print_json", "print_report",
    "print_run", "print_runs", "terminal_safe",
]

# What a cell or a server may hold that a terminal would obey or hide: C0/C1 controls (ESC
# sequences can rewrite the screen or the title), bidirectional overrides, invisible characters.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_UNSAFE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\n\t]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def terminal_safe(text: object, *, one_line: bool = False) -> str:
    """Text with every control, bidi or invisible character shown escaped (ESC → \\x1b,
    U+200B → <U+200B>): what a workbook or a server says is printed, never obeyed."""
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_escape, str(text))

# Piped output (tests, logs) gets a wide fixed width so that tables are never truncated.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True,
              width=None if sys.stderr.isatty() else 200)


def print_issues(issues: list[Issue], console: Console = out) -> None:
    """Every issue in plain French (where, field, severity, what to do); the same issue repeated
    in one column is printed once with its count and rows. Issue codes are for `--json`."""
    for group in group_issues(issues):
        issue = group.first
        severity = "bloquant" if issue.severity is Severity.BLOCKING else "avertissement"
        field = f" [{issue.field}]" if issue.field else ""
        value = f" (valeur « {issue.value} »)" if issue.value else ""
        if group.grouped:
            where = f"{issue.sheet}!{issue.column}" if issue.sheet else issue.column
            example = f" (ex. ligne {issue.row} : « {issue.value} »)" if issue.value else ""
            console.print(
                terminal_safe(f"{where}{field} — {group.count} lignes ({group.rows_text()}), "
                              f"{severity} : {issue.message}{example}", one_line=True),
                markup=False,
            )
            continue
        where = f"{issue.sheet}!{issue.column}{issue.row or ''}" if issue.sheet else ""
        console.print(terminal_safe(f"{where}{field} {severity} : {issue.message}{value}",
                                    one_line=True), markup=False)


def issues_json(issues: list[Issue]) -> list[dict[str, object]]:
    """Issues for machines: stable codes, severity, Excel coordinates, French message."""
    return [
        {"feuille": i.sheet, "ligne": i.row, "colonne": i.column, "champ": i.field,
         "code": i.code, "gravite": i.severity.value, "message": i.message, "valeur": i.value}
        for i in issues
    ]


def report_lines(report: pipeline.RunReport) -> list[str]:
    """The run summary as short lines (readable in an 80-column console): one per sheet with
    only the counts that are not zero, its pièces below."""
    lines = ["Test (rien n'a été écrit dans Gestimum) :" if report.test else "Import :"]
    done = "valide(s) en test" if report.test else "importée(s)"
    for s in report.sheets:
        counts = [f"{s.rows} ligne(s)", f"{s.sent} envoyée(s)", f"{s.imported} {done}"]
        for n, word in ((s.rejected, "rejetée(s)"), (s.warned, "avec avertissement"),
                        (s.unknown, "à vérifier dans Gestimum"),
                        (s.skipped, "déjà importée(s), non renvoyée(s)")):
            if n:
                counts.append(f"{n} {word}")
        lines.append(f"  {s.sheet} → {s.endpoint} : {', '.join(counts)}")  # made safe below
        if s.pieces:
            shown = ", ".join(s.pieces[:6]) + (f" … ({len(s.pieces)} en tout)"
                                               if len(s.pieces) > 6 else "")
            lines.append(f"    pièces : {shown}")
    return lines


def print_report(report: pipeline.RunReport, written: Path | None) -> None:
    """The per-sheet summary and what to do next."""
    for line in report_lines(report):
        out.print(terminal_safe(line, one_line=True), markup=False)
    if report.calls:
        out.print(f"{report.calls} appel(s) au serveur Gestimum.", markup=False)
    for message in report.messages:
        out.print(terminal_safe(message), markup=False)
    if written is not None:
        out.print(terminal_safe(f"Résultats écrits dans {written} (colonne #STATUT, feuilles "
                                "Résultats et Journal)."), markup=False)


def print_json(data: object) -> None:
    """JSON for humans and machines: UTF-8, indented, accents kept."""
    # JSON escapes C0 controls itself; C1, bidi and invisible characters get \\uXXXX too.
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


class BarProgress:
    """rich progress bar over batches and rows of each sheet."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, int] = {}

    def start(self, sheet: str, batches: int, rows: int) -> None:
        self._tasks[sheet] = self._progress.add_task(
            f"{escape(terminal_safe(sheet, one_line=True))} lot 0/{batches}", total=rows
        )

    def advance(self, sheet: str, batch: int, batches: int, rows_done: int) -> None:
        self._progress.update(
            self._tasks[sheet], completed=rows_done,
            description=f"{escape(terminal_safe(sheet, one_line=True))} lot {batch}/{batches}",
        )


_STATE_WORDS = {
    "imported": "importées", "warning": "avec avertissement", "rejected": "rejetées",
    "unknown": "à vérifier", "pending": "sans réponse", "tested": "test OK",
    "test-rejected": "test rejetées", "not-sent": "non envoyées",
}


def _counts(rows: dict[str, int]) -> str:
    return ", ".join(f"{n} {_STATE_WORDS.get(state, state)}" for state, n in sorted(rows.items()))


def print_runs(runs: list[dict[str, Any]]) -> None:
    """One line per run: id, date, mode, company, workbook, outcome counts."""
    if not runs:
        out.print("Aucune exécution enregistrée.", markup=False)
        return
    for run in runs:
        mode = "test" if run["test"] else "réel"
        out.print(terminal_safe(
            f"{run['run_id']}  {run['started']}  {mode}  {run['fichier']} ({run['server']})  "
            f"{Path(run['workbook'] or '').name}  [{run['state']}]  {_counts(run['rows'])}",
            one_line=True), markup=False)


def print_run(run: dict[str, Any]) -> None:
    """A run's header, its batches and the outcome of each row."""
    print_runs([run])
    for b in run["batches"]:
        answer = b["answered_at"] or "aucune"
        out.print(terminal_safe(
            f"  {b['sheet']} lot {b['batch_index']}/{b['batch_total']} envoyé {b['sent_at']}, "
            f"réponse {answer} : {b['message'] or b['state']}", one_line=True), markup=False)
    for r in run["row_states"]:
        pieces = f" — pièce {r['pieces']}" if r["pieces"] else ""
        out.print(terminal_safe(f"    {r['sheet']} ligne {r['excel_row']} : "
                                f"{_STATE_WORDS.get(r['state'], r['state'])}{pieces}",
                                one_line=True), markup=False)
