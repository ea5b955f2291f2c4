"""Batch policy benchmark: a 10,000-row Clients import into the sandbox with a fixed cost per
call (Gestimum spends ≈ 5 s opening the company on every call), "auto" against fixed batches
of 500 lines, side by side in one run. Prints calls and wall time of each.

Run: `python tests/benchmarks/bench_batches.py [ROWS] [--latency S] [--per-line-ms MS]`
(defaults 10000 rows, 5 s per call, no per-line cost): the sandbox's own per-call latency and
per-line processing delay (`--latence-ligne`), so that the policy adapts to a realistic server.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from addin.core import pipeline
from addin.core.lines import Options
from addin.io.client import GestimumClient
from addin.io.workbook import open_workbook
from addin.sandbox import running_sandbox


def make_workbook(path: Path, rows: int, tag: str) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Clients")
    ws.append(["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_VILLE"])
    for i in range(rows):
        ws.append([f"{tag}{i:06d}", f"Société {i}", f"411{tag}{i:06d}", "Rambouillet"])
    wb.save(path)
    return path


def run(path: Path, url: str, options: Options) -> tuple[float, int, list[int]]:
    book = open_workbook(path)
    checks = pipeline.check(book, pipeline.select_sheets(book))
    sink = book.sink(sheets=[c.plan.sheet for c in checks])
    sizes: list[int] = []
    with GestimumClient(url) as client:

        def sender(endpoint: Any, body: dict[str, Any]) -> dict[str, Any]:
            lines = len(body[endpoint.root_key]["parametres"][endpoint.file_param]) - 1
            sizes.append(lines)
            return client.post_import(endpoint, body)

        started = time.perf_counter()
        report = pipeline.run_import(checks, sink, sender, options, target={"server": url})
        elapsed = time.perf_counter() - started
    assert report.exit_code == 0, report.messages
    return elapsed, report.calls, sizes


def main(argv: list[str]) -> int:
    os.environ.setdefault("GESTIMUM_MOT_PASSE", "")
    latency, per_line = 5.0, 0.0
    if "--latency" in argv:
        latency = float(argv[argv.index("--latency") + 1])
        del argv[argv.index("--latency") : argv.index("--latency") + 2]
    if "--per-line-ms" in argv:
        per_line = float(argv[argv.index("--per-line-ms") + 1]) / 1000
        del argv[argv.index("--per-line-ms") : argv.index("--per-line-ms") + 2]
    rows = int(argv[0]) if argv else 10_000
    print(f"{rows} lignes Clients, bac à sable avec {latency:g} s par appel"
          + (f" + {per_line * 1000:g} ms par ligne" if per_line else ""))
    with tempfile.TemporaryDirectory() as tmp, running_sandbox(
        latency=latency, line_latency=per_line
    ) as sandbox:
        results = {}
        for name, options, tag in (("auto", Options(), "A"), ("fixe 500", Options(batch_size=500),
                                                                "F")):
            path = make_workbook(Path(tmp) / f"{tag}.xlsx", rows, tag)
            results[name] = run(path, sandbox.url, options)
    auto = results["auto"][0]
    for name, (elapsed, calls, sizes) in results.items():
        shown = ", ".join(map(str, sizes[:6])) + (" …" if len(sizes) > 6 else "")
        print(f"{name:<9} {calls:>3} appels  {elapsed:>7.1f} s  ({elapsed / auto:.1f} × auto)  "
              f"lots : {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
