"""End-to-end benchmark: a 100,000-row .xlsx imported into the sandbox (no latency).

Prints the total time of `import` (read, check, build, send every batch, write statuses, Résultats
and Journal, atomic save) against a floor measured in the same run: openpyxl's own load + save of
the same file. Target ratio: 1.5 or less. Run: python tests/benchmarks/bench_end_to_end.py [ROWS]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from addin.core import pipeline
from addin.core.lines import Options
from addin.io.client import GestimumClient
from addin.io.workbook import open_workbook
from addin.sandbox import running_sandbox

HEADER = ["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_RUE", "PCF_CP", "PCF_VILLE", "PAY_CODE",
          "PCF_TEL1", "PCF_EMAIL", "PCF_DATIMM", "PCF_CAPITA", "PCF_SIRET"]


def make_workbook(path: Path, rows: int) -> None:
    """A Clients sheet of `rows` rows × 12 mixed fields (texts, dates, amounts, codes)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Clients")
    ws.append(HEADER)
    start = date(2001, 1, 1)
    for i in range(rows):
        ws.append([
            f"C{i:07d}", f"Société numéro {i}", f"411C{i:07d}", f"{i % 300} rue de la Paix",
            f"{(i * 7) % 95000 + 1000:05d}", "Rambouillet", "FR", f"01{i:08d}",
            f"contact{i}@example.fr", start + timedelta(days=i % 9000), round(i * 10.5, 2),
            f"{i:014d}",
        ])
    wb.save(path)


def floor(path: Path, out: Path) -> float:
    """openpyxl's own load + save of the file: what any tool writing into it must pay."""
    started = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    wb.save(out)
    return time.perf_counter() - started


def full_import(path: Path, url: str) -> tuple[float, pipeline.RunReport]:
    """Our whole `import` on the file, against the sandbox."""
    started = time.perf_counter()
    book = open_workbook(path)
    plans = pipeline.select_sheets(book)
    checks = pipeline.check(book, plans)
    with GestimumClient(url) as client:
        report = pipeline.run_import(checks, book.sink(), client.post_import, Options(),
                                     target={"server": url, "fichier": "DEMO.Gestimum"})
    return time.perf_counter() - started, report


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "clients.xlsx"
        make_workbook(source, rows)
        print(f"{rows} lignes × {len(HEADER)} champs, {source.stat().st_size / 1e6:.1f} Mo")
        base = floor(source, Path(tmp) / "floor.xlsx")
        work = Path(tmp) / "work.xlsx"
        shutil.copyfile(source, work)
        with running_sandbox() as sandbox:
            total, report = full_import(work, sandbox.url)
        sheet = report.sheets[0]
        assert sheet.imported == rows, (sheet, report.messages)
        print(f"openpyxl chargement + enregistrement : {base:.2f} s")
        print(f"import complet (lecture, contrôle, envoi, écriture) : {total:.2f} s "
              f"({rows / total:,.0f} lignes/s)")
        print(f"rapport : {total / base:.2f} (objectif ≤ 1,5)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("GESTIMUM_MOT_PASSE", "")
    raise SystemExit(main())
