"""The run journal's CPU overhead on a 100,000-row import, measured side by side in one run.

Subject and floor are the same pipeline run (check + fingerprints + batches + bodies + answer
parsing + statuses) over the same in-memory 100,000 rows × 12 fields, the garbage collector
paused as the CLI pauses it, a trivial sender standing for the server: the floor without a
journal, the subject with a fresh sqlite journal (WAL, synchronous FULL: fsync per
transaction). Without the workbook read/write and without the server, this denominator is the
smallest a real import has, so the ratio printed is an upper bound of the real overhead.
Target: ≤ 5 %.

Two figures: the difference between the two runs (noisy: a few tenths of a second on a shared
machine move it by several points), and the CPU spent inside the journal's own methods within
the journaled run itself (numerator and denominator from the same run: far steadier).

Run: python tests/benchmarks/bench_journal.py [ROWS] [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from addin.core import pipeline
from addin.core.gc_pause import collector_paused
from addin.core.grid import Grid
from addin.core.lines import Options
from addin.io.run_journal import RunJournal

HEADER = ["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_RUE", "PCF_CP", "PCF_VILLE", "PAY_CODE",
          "PCF_TEL1", "PCF_EMAIL", "PCF_DATIMM", "PCF_CAPITA", "PCF_SIRET"]


class Book:
    """GridSource + ResultSink in memory: the cost of Excel or a file is not the subject here."""

    def __init__(self, rows: list[list[object]]) -> None:
        self.rows = rows

    def sheet_names(self) -> list[str]:
        return ["Clients"]

    def table_names(self, sheet: str) -> list[str]:
        return []

    def grid(self, sheet: str) -> Grid:
        return Grid(self.rows)

    def connexion(self) -> dict[str, str]:
        return {}

    def write_statuses(self, sheet: str, data: Any, rows: list[Any]) -> None:
        self.written = len(rows)

    def append_results(self, rows: list[list[object]]) -> None:
        pass

    def append_journal(self, rows: list[list[object]]) -> None:
        pass

    def save(self) -> None:
        pass


def make_rows(n: int) -> list[list[object]]:
    start = date(2001, 1, 1)
    return [HEADER] + [[
        f"C{i:07d}", f"Société numéro {i}", f"411C{i:07d}", f"{i % 300} rue de la Paix",
        f"{(i * 7) % 95000 + 1000:05d}", "Rambouillet", "FR", f"01{i:08d}",
        f"contact{i}@example.fr", start + timedelta(days=i % 9000), round(i * 10.5, 2),
        f"{i:014d}",
    ] for i in range(n)]


def sender(endpoint: Any, body: dict[str, Any]) -> dict[str, Any]:
    lines = len(body[endpoint.root_key]["parametres"][endpoint.file_param]) - 1
    return {"result": [{"resultat": "succès", "message": "terminé", "journal": [],
                        "statistiques": {"nombre_lignes_importées": str(lines),
                                         "nombre_lignes_non_importées": "0"}}]}


class TimedJournal(RunJournal):
    """The real journal, with the CPU spent inside each of its public methods added up."""

    spent = 0.0

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name.startswith("_") or not callable(attribute):
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return attribute(*args, **kwargs)
            finally:
                TimedJournal.spent += time.process_time() - started

        return timed


def one_run(rows: list[list[object]], journal_dir: Path | None) -> tuple[float, float]:
    """CPU of one import, and the part of it spent inside the journal."""
    book = Book(rows)
    TimedJournal.spent = 0.0
    with collector_paused():
        started = time.process_time()
        checks = pipeline.check(book, pipeline.select_sheets(book))
        journal = TimedJournal(journal_dir / "journal.sqlite3") if journal_dir else None
        report = pipeline.run_import(checks, book, sender, Options(), journal=journal,
                                     workbook="bench.xlsx", target={"server": "http://bench",
                                                                    "fichier": "BENCH"})
        if journal is not None:
            journal.close()
        elapsed = time.process_time() - started
    assert report.sheets[0].imported == len(rows) - 1, report
    return elapsed, TimedJournal.spent


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = make_rows(n)
    floors, subjects, shares = [], [], []
    for _ in range(repeats):  # interleaved, so that machine noise hits both alike
        floors.append(one_run(rows, None)[0])
        with tempfile.TemporaryDirectory() as tmp:
            total, inside = one_run(rows, Path(tmp))
        subjects.append(total)
        shares.append(100 * inside / total)
    f_min, s_min = min(floors), min(subjects)
    f_med, s_med = statistics.median(floors), statistics.median(subjects)
    print(f"{n} lignes × {len(HEADER)} champs, {repeats} répétitions (temps CPU)")
    print(f"sans journal : min {f_min:.2f} s, médiane {f_med:.2f} s")
    print(f"avec journal : min {s_min:.2f} s, médiane {s_med:.2f} s")
    print(f"surcoût du journal : min {100 * (s_min / f_min - 1):.1f} %, "
          f"médiane {100 * (s_med / f_med - 1):.1f} % (objectif ≤ 5 %)")
    print(f"part du journal dans l'import journalisé lui-même : min {min(shares):.1f} %, "
          f"médiane {statistics.median(shares):.1f} %, max {max(shares):.1f} % (objectif ≤ 5 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
