"""What the CLI commands and the demo print: issues, the run summary, JSON, progress bars.

Below both `actions` and `demo`, so that neither imports the other for printing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from addin.core import pipeline
from addin.core.issues import Issue, Severity

__all__ = ["BarProgress", "err", "out", "print_issues", "print_json", "print_report"]

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
