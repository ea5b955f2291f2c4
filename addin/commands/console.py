"""What the CLI commands and the demo print: issues, the run summary, JSON, progress bars.

Below both `actions` and `demo`, so that neither imports the other for printing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from addin.core import pipeline
from addin.core.issues import Issue, Severity

__all__ = [
    "BarProgress", "err", "out", "print_issues", "print_json", "print_report", "print_run",
    "print_runs",
]

# Piped output (tests, logs) gets a wide fixed width so that tables are never truncated.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True,
              width=None if sys.stderr.isatty() else 200)


def print_issues(issues: list[Issue], console: Console = out) -> None:
    """Every issue on one line: where, field, code, severity and what to do."""
    for issue in issues:
        where = f"{issue.sheet}!{issue.column}{issue.row or ''}" if issue.sheet else ""
        field = f" [{issue.field}]" if issue.field else ""
        severity = "bloquant" if issue.severity is Severity.BLOCKING else "avertissement"
        value = f" (valeur « {issue.value} »)" if issue.value else ""
        console.print(
            f"{where}{field} {issue.code} ({severity}) : {issue.message}{value}", markup=False
        )


def print_report(report: pipeline.RunReport, written: Path | None) -> None:
    """The per-sheet summary table and what to do next."""
    table = Table(title="Test (rien n'a été écrit)" if report.test else "Import")
    done = "Valides (test)" if report.test else "Importées"
    for col in ("Feuille", "Point d'entrée", "Lignes", "Envoyées", done, "Rejetées",
                "Avertissements", "À vérifier", "Déjà importées", "Pièces"):
        table.add_column(col)
    for s in report.sheets:
        table.add_row(s.sheet, s.endpoint, str(s.rows), str(s.sent), str(s.imported),
                      str(s.rejected), str(s.warned), str(s.unknown), str(s.skipped),
                      ", ".join(s.pieces[:4]) + (" …" if len(s.pieces) > 4 else ""))
    out.print(table)
    for message in report.messages:
        out.print(message, markup=False)
    if written is not None:
        out.print(f"Résultats écrits dans {written} (colonne #STATUT, feuilles Résultats et "
                  "Journal).", markup=False)


def print_json(data: object) -> None:
    """JSON for humans and machines: UTF-8, indented, accents kept."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


class BarProgress:
    """rich progress bar over batches and rows of each sheet."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, int] = {}

    def start(self, sheet: str, batches: int, rows: int) -> None:
        self._tasks[sheet] = self._progress.add_task(f"{sheet} lot 0/{batches}", total=rows)

    def advance(self, sheet: str, batch: int, batches: int, rows_done: int) -> None:
        self._progress.update(
            self._tasks[sheet], completed=rows_done, description=f"{sheet} lot {batch}/{batches}"
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
        out.print(f"{run['run_id']}  {run['started']}  {mode}  {run['fichier']} "
                  f"({run['server']})  {Path(run['workbook'] or '').name}  [{run['state']}]  "
                  f"{_counts(run['rows'])}", markup=False)


def print_run(run: dict[str, Any]) -> None:
    """A run's header, its batches and the outcome of each row."""
    print_runs([run])
    for b in run["batches"]:
        answer = b["answered_at"] or "aucune"
        out.print(f"  {b['sheet']} lot {b['batch_index']}/{b['batch_total']} envoyé "
                  f"{b['sent_at']}, réponse {answer} : {b['message'] or b['state']}",
                  markup=False)
    for r in run["row_states"]:
        pieces = f" — pièce {r['pieces']}" if r["pieces"] else ""
        out.print(f"    {r['sheet']} ligne {r['excel_row']} : "
                  f"{_STATE_WORDS.get(r['state'], r['state'])}{pieces}", markup=False)
