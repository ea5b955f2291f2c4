"""End-to-end benchmark: a Clients workbook saved by LibreOffice (12 fields, one formula column
`="411"&A3`, an Excel Table) imported into the sandbox without latency, side by side with its
floor and with the write-back openpyxl used to do.

Every subject runs in a fresh child process, the same way (the cyclic garbage collector paused,
as `cli.main` pauses it for every batch command; CPU time of the work only, peak RSS of the
child), interleaved, several times; min and median printed:

* floor       python-calamine reading every value of the workbook + a byte copy of the package
* import      the whole `import` as the CLI runs it (read, check, run journal, send every
              batch, write back, atomic replace); the sandbox runs in another process, so its
              CPU is not counted
* sans-journal the same import without the run journal (journal=None): the journal's overhead
              (issue #9: ≤ 5 % of the import's CPU) is import / sans-journal − 1 (noisy), and
              also measured inside the journaled import itself (CPU spent in its methods)
* writeback   the package writer alone: a status per row, Résultats and Journal, save
* openpyxl    what the CLI did before: openpyxl load, a status per row, save (reference)

Run: `python tests/benchmarks/bench_end_to_end.py [ROWS ...] [--runs N] [--no-openpyxl]`
(default 20000 rows; the README reports 100000). Targets (issue #10): import CPU ≤ 5 × floor
(aim 3 ×), peak memory ≤ 300 MB at 100,000 rows, growth linear with the rows.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

HEADER = ["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_RUE", "PCF_CP", "PCF_VILLE", "PAY_CODE",
          "PCF_TEL1", "PCF_EMAIL", "PCF_DATIMM", "PCF_CAPITA", "PCF_SIRET"]
SUBJECTS = ("floor", "import", "sans-journal", "writeback", "openpyxl")


def make_workbook(path: Path, rows: int, work: Path) -> Path:
    """The Clients sheet written by openpyxl (formulas without values), then opened and saved by
    LibreOffice, which computes and stores every formula's value, as a user's file has them."""
    import openpyxl
    from openpyxl.worksheet.table import Table, TableColumn

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Clients")
    ws.append(HEADER)
    start = date(2001, 1, 1)
    for i in range(rows):
        r = i + 2
        ws.append([
            f"C{i:07d}", f"Société numéro {i}", f'="411"&A{r}', f"{i % 300} rue de la Paix",
            f"{(i * 7) % 95000 + 1000:05d}", "Rambouillet", "FR", f"01{i:08d}",
            f"contact{i}@example.fr", start + timedelta(days=i % 9000), round(i * 10.5, 2),
            f"{i:014d}",
        ])
    table = Table(displayName="Clients", ref=f"A1:L{rows + 1}")
    table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(HEADER, start=1)]
    ws.add_table(table)
    raw = work / "openpyxl.xlsx"
    wb.save(raw)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{work / 'lo-profile'}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(work / "lo"), str(raw)],
        check=True, capture_output=True, timeout=1800,
    )
    shutil.move(work / "lo" / "openpyxl.xlsx", path)
    return path


def child(subject: str, path: Path, url: str) -> dict[str, float]:
    """One measured subject, alone in this process, with the collector paused as the CLI does."""
    from addin.core.gc_pause import collector_paused

    os.environ["GESTIMUM_MOT_PASSE"] = ""
    with collector_paused():
        return _measured(subject, path, url)


def _measured(subject: str, path: Path, url: str) -> dict[str, float]:
    inside = 0.0  # CPU spent inside the run journal's methods (subject "import")
    if subject == "floor":
        import python_calamine

        started, cpu = time.perf_counter(), time.process_time()
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        shutil.copyfile(path, path.with_suffix(".copie.xlsx"))
    elif subject in ("import", "sans-journal"):
        from addin.core import pipeline
        from addin.core.lines import Options
        from addin.io.client import GestimumClient
        from addin.io.workbook import open_workbook

        started, cpu = time.perf_counter(), time.process_time()
        book = open_workbook(path)
        checks = pipeline.check(book, pipeline.select_sheets(book))
        assert not any(c.blocking for c in checks), [c.issues[:3] for c in checks]
        sink = book.sink(sheets=[c.plan.sheet for c in checks])
        # As the CLI does: with the run journal (a fresh one, so that every row is sent), the
        # CPU spent inside its methods added up (bench_journal.TimedJournal).
        from bench_journal import TimedJournal

        TimedJournal.spent = 0.0
        with GestimumClient(url) as client, TimedJournal(path.with_suffix(".sqlite3")) as journal:
            report = pipeline.run_import(checks, sink, client.post_import, Options(),
                                         target={"server": url, "fichier": "DEMO.Gestimum"},
                                         journal=journal if subject == "import" else None,
                                         workbook=str(path))
        assert report.exit_code == 0, report.messages
        assert report.sheets[0].imported == report.sheets[0].rows, report.messages
        inside = TimedJournal.spent
    elif subject == "writeback":
        from addin.core.outcomes import RowOutcome
        from addin.core.sheet import read_sheet
        from addin.io.workbook import open_workbook

        book = open_workbook(path)
        grid = book.grid("Clients")
        from addin.core.catalog import get_endpoint

        data = read_sheet(grid.values, get_endpoint("Clients"), sheet="Clients")
        started, cpu = time.perf_counter(), time.process_time()
        sink = book.sink(sheets=["Clients"])
        sink.write_statuses("Clients", data, [RowOutcome(r.row, "imported") for r in data.rows])
        sink.append_results([["run", "Clients", i] for i in range(20)])
        sink.append_journal([["run", "Clients", f"ligne {i}"] for i in range(len(data.rows))])
        sink.save()
    else:
        import openpyxl

        started, cpu = time.perf_counter(), time.process_time()
        wb = openpyxl.load_workbook(path)
        ws = wb["Clients"]
        col = ws.max_column + 1
        for row in range(2, ws.max_row + 1):
            ws.cell(row, col, "Importée")
        wb.save(path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - started,
            "rss": usage.ru_maxrss / 1024, "journal": inside}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sandbox(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "addin", "sandbox", "--host", "127.0.0.1", "--port", str(port),
         "--data", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/api/rest/Outils/%22Version%22", timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("sandbox did not start")


def _run(subject: str, source: Path, work: Path, url: str) -> dict[str, float]:
    target = work / f"{subject}.xlsx"
    shutil.copyfile(source, target)
    for leftover in work.glob(f"{subject}.sqlite3*"):  # a fresh journal: every row is sent
        leftover.unlink()
    done = subprocess.run(
        [sys.executable, __file__, "--child", subject, str(target), url],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(rows: int, runs: int, subjects: tuple[str, ...], url: str) -> dict[str, list[dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        source = make_workbook(work / "clients.xlsx", rows, work)
        print(f"\n{rows} lignes × {len(HEADER)} champs (formule en CPT_NUMERO, tableau, "
              f"enregistré par LibreOffice en {time.perf_counter() - started:.0f} s) : "
              f"{source.stat().st_size / 1e6:.1f} Mo", flush=True)
        results: dict[str, list[dict]] = {s: [] for s in subjects}
        for _ in range(runs):  # interleaved: the machine's noise hits every subject alike
            for subject in subjects:
                results[subject].append(_run(subject, source, work, url))
    floor = min(r["cpu"] for r in results["floor"])
    print(f"{'sujet':<10} {'CPU min':>8} {'CPU méd.':>9} {'mur min':>8} {'mémoire':>8} "
          f"{'× plancher':>10}")
    for subject, measures in results.items():
        cpu = [m["cpu"] for m in measures]
        print(f"{subject:<10} {min(cpu):>7.2f}s {statistics.median(cpu):>8.2f}s "
              f"{min(m['wall'] for m in measures):>7.2f}s "
              f"{max(m['rss'] for m in measures):>6.0f}Mo {min(cpu) / floor:>10.2f}", flush=True)
    if "import" in results and "sans-journal" in results:
        with_j = [m["cpu"] for m in results["import"]]
        without = [m["cpu"] for m in results["sans-journal"]]
        low = 100 * (min(with_j) / min(without) - 1)
        mid = 100 * (statistics.median(with_j) / statistics.median(without) - 1)
        print(f"surcoût du journal des exécutions : min {low:.1f} %, médiane {mid:.1f} % "
              "(objectif ≤ 5 %, différence de deux exécutions : bruitée)", flush=True)
        shares = [100 * m["journal"] / m["cpu"] for m in results["import"]]
        print(f"part du journal dans l'import lui-même : min {min(shares):.1f} %, médiane "
              f"{statistics.median(shares):.1f} % (objectif ≤ 5 %)", flush=True)
    return results


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], Path(argv[2]), argv[3])))
        return 0
    runs = 3
    if "--runs" in argv:
        runs = int(argv[argv.index("--runs") + 1])
        del argv[argv.index("--runs") : argv.index("--runs") + 2]
    subjects = SUBJECTS
    if "--no-openpyxl" in argv:
        argv.remove("--no-openpyxl")
        subjects = SUBJECTS[:4]
    sizes = [int(a) for a in argv] or [20_000]
    with tempfile.TemporaryDirectory() as data:
        sandbox, url = _sandbox(Path(data))
        try:
            all_results = {rows: bench(rows, runs, subjects, url) for rows in sizes}
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)
    if len(sizes) > 1:
        print("\ncroissance (CPU de l'import par ligne, µs) :")
        for rows, results in all_results.items():
            cpu = min(m["cpu"] for m in results["import"])
            print(f"  {rows:>7} lignes : {cpu / rows * 1e6:.1f} µs/ligne")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
