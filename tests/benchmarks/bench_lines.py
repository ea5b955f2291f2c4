"""Benchmark: grid → validated → payload bodies, against a naive join floor measured alongside.

Run: `python tests/benchmarks/bench_lines.py [rows] [runs]`. 100,000 DocumentsVente rows × 12
mixed fields (texts, dates, amounts, quantities, codes) as openpyxl gives them. Prints both
times and the ratio (target ≤ 2), best and median of the runs: CPU time, runs interleaved, both
sides with the garbage collector as it comes (on), as these machines are shared and noisy.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable

from addin.core.catalog import get_endpoint
from addin.core.issues import has_blocking
from addin.core.lines import Options, build_batches, build_body
from addin.core.sheet import read_sheet
from addin.core.validate import validate

HEADER = [
    "#STATUT", "DOC_STYPE", "DOC_DATE", "DOC_DT_PRV", "DOC_REFPCF", "PCF_CODE", "REP_CODE",
    "DEP_CODE", "ART_CODE", "LIG_QTE", "LIG_P_BRUT", "LIG_REMISE", "LIG_LIB",
]


def make_grid(n: int) -> list[list[object]]:
    """A label row, the header row, then `n` order lines, three per document."""
    rng = random.Random(42)
    day0 = dt.datetime(2024, 1, 1)
    grid: list[list[object]] = [["Statut", "Type", "Date", "Livraison", "Référence", "Client",
                                 "Commercial", "Dépôt", "Article", "Qté", "Prix", "Remise",
                                 "Libellé"], list(HEADER)]
    for i in range(n):
        doc = i // 3
        day = day0 + dt.timedelta(days=doc % 365)
        grid.append([
            None, "C", day, day + dt.timedelta(days=3), f"CC{doc:07d}", f"CLI{doc % 977:05d}",
            "CO1", "001", f"ART{rng.randrange(5000):05d}", float(rng.randrange(1, 50)),
            round(rng.uniform(1, 2000), 2), float(rng.choice((0, 2, 5, 10))),
            f"Ligne {i} de la commande {doc}",
        ])
    return grid


def pipeline(grid: list[list[object]]) -> list[dict[str, object]]:
    ep = get_endpoint("DocumentsVente")
    data = read_sheet(grid, ep, sheet="DocumentsVente")
    issues = validate(data)
    if has_blocking(issues):
        raise SystemExit(f"unexpected blocking issues: {issues[:3]}")
    options = Options(batch_size=500)
    return [build_body(ep, b, options) for b in build_batches(data, options)]


def floor(grid: list[list[object]]) -> list[str]:
    return [";".join(str(v) for v in row) for row in grid]


def timed(fn: Callable[[list[list[object]]], object], grid: list[list[object]]) -> float:
    """CPU seconds of one call: less sensitive than wall time to other jobs on a shared machine."""
    t0 = time.process_time()
    fn(grid)
    return time.process_time() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    grid = make_grid(n)
    bodies = pipeline(grid)
    sent = sum(len(next(iter(b.values()))["parametres"]["fichier_documents_vente"]) - 1
               for b in bodies)
    assert sent == n, (sent, n)
    floors, cores = [], []
    for _ in range(runs):  # interleaved, so that noise hits both sides alike
        floors.append(timed(floor, grid))
        cores.append(timed(pipeline, grid))
    t_floor, t_core = min(floors), min(cores)
    m_floor, m_core = statistics.median(floors), statistics.median(cores)
    print(f"rows: {n}, fields: {len(HEADER) - 1}, batches: {len(bodies)}, runs: {runs}")
    print(f"floor (naive ';'.join(str(v))): {t_floor:.3f} s CPU best, {m_floor:.3f} median")
    print(f"core (read → validate → batches → bodies): {t_core:.3f} s CPU best, "
          f"{m_core:.3f} median")
    print(f"ratio: {t_core / t_floor:.2f} best, {m_core / m_floor:.2f} median (target ≤ 2)")


if __name__ == "__main__":
    main()
