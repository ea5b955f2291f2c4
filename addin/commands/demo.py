"""`gestimum-excel demo`: the bundled demo workbook imported into the in-process sandbox.

Every sheet is imported in dependency order, in Gestimum's test mode first where the endpoint
has it, then for real; the results land in a copy of the workbook (default ./gestimum-demo.xlsx).
`python -m addin.commands.demo --build` regenerates the bundled workbook from `demo_data.py`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from addin.commands.demo_data import DEMO_SHEETS
from addin.core import pipeline
from addin.core.catalog import get_endpoint
from addin.core.layout import DATA_ROW, HEADER_ROW
from addin.core.lines import Options

__all__ = ["build_demo_workbook", "demo_workbook_path", "run_demo"]

_BUNDLED = "data/demo.xlsx"


def demo_workbook_path() -> Path:
    """The demo workbook shipped in the package."""
    return Path(str(resources.files("addin").joinpath(_BUNDLED)))


def build_demo_workbook(path: Path) -> Path:
    """Write the demo workbook: the templates' sheets filled with the rows of `demo_data`."""
    from addin.templates import new_workbook
    from addin.templates.package import save_deterministic

    endpoints = [get_endpoint(name) for name in DEMO_SHEETS]
    wb = new_workbook("Démonstration", endpoints)
    for endpoint in endpoints:
        ws = next(w for w in wb.worksheets if endpoint.name in w.tables)
        columns = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
        codes, rows = DEMO_SHEETS[endpoint.name]
        for offset, values in enumerate(rows):
            for code, value in zip(codes, values, strict=True):
                cell = ws.cell(DATA_ROW + offset, columns[code], value)
                # Excel gives typed cells their column's format; openpyxl does not.
                cell.number_format = ws.cell(DATA_ROW, columns[code]).number_format
        table = ws.tables[endpoint.name]
        last_col = table.ref.split(":")[1].rstrip("0123456789")
        last_row = max(DATA_ROW + len(rows) - 1, int(table.ref.split(":")[1][len(last_col):]))
        table.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    return save_deterministic(wb, path)


class _Quiet:
    """Progress sink of the demo: a line per batch, no bar (the output is a transcript)."""

    def __init__(self, console) -> None:  # noqa: ANN001 - rich Console
        self._console = console

    def start(self, sheet: str, batches: int, rows: int) -> None:
        return None

    def advance(self, sheet: str, batch: int, batches: int, rows_done: int) -> None:
        self._console.print(f"  {sheet} : lot {batch}/{batches}, {rows_done} ligne(s)",
                            markup=False)


def run_demo(out: Path) -> int:
    """Start the sandbox, import the demo workbook into it, print the summary; exit code 0."""
    from addin.commands.console import out as console
    from addin.commands.console import print_issues, print_report
    from addin.io.client import GestimumClient
    from addin.io.run_journal import RunJournal
    from addin.io.workbook import open_workbook
    from addin.sandbox import running_sandbox

    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="gestimum-demo-") as tmp:
        work = Path(tmp) / out.name
        shutil.copyfile(demo_workbook_path(), work)
        # A journal of its own: the demo company is new each time, the user's journal is not
        # the place for it.
        with running_sandbox() as sandbox, GestimumClient(sandbox.url) as client, RunJournal(
            Path(tmp) / "journal.sqlite3"
        ) as journal:
            console.print(f"Bac à sable Gestimum démarré sur {sandbox.url} "
                          "(société DEMO.Gestimum, utilisateur DEMO).", markup=False)
            target = {"server": sandbox.url, "fichier": "DEMO.Gestimum", "utilisateur": "DEMO"}
            book = open_workbook(work)
            plans = pipeline.select_sheets(book, all_sheets=True)
            console.print("Ordre d'import : " + " → ".join(p.sheet for p in plans), markup=False)
            checks = pipeline.check(book, plans)
            print_issues([i for c in checks for i in c.issues])
            testable = [c for c in checks if c.plan.endpoint.test_mode]
            if testable:
                console.print("1) Mode test de Gestimum (rien n'est écrit) : "
                              + ", ".join(c.plan.sheet for c in testable), markup=False)
                sink = book.sink(sheets=[c.plan.sheet for c in testable])  # before sending
                report = pipeline.run_import(testable, sink, client.post_import,
                                             Options(test=True), target=target,
                                             progress=_Quiet(console), journal=journal,
                                             workbook=str(work))
                print_report(report, None)
            console.print("2) Import réel de toutes les feuilles :", markup=False)
            book = open_workbook(work)
            checks = pipeline.check(book, plans)
            sink = book.sink(sheets=[c.plan.sheet for c in checks])
            report = pipeline.run_import(checks, sink, client.post_import, Options(),
                                         target=target, progress=_Quiet(console),
                                         journal=journal, workbook=str(work))
            print_report(report, None)
            pieces = sandbox.pieces()
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(work), out)
    console.print(f"{len(pieces)} pièce(s) créée(s) dans la société de démonstration.",
                  markup=False)
    console.print(f"Résultats : {out} — ouvrez-le pour voir la colonne #STATUT de chaque ligne et "
                  "les feuilles Résultats et Journal.", markup=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Régénère le classeur de démonstration.")
    parser.add_argument("--build", type=Path, nargs="?", const=None, default=None,
                        help="chemin de sortie (défaut : addin/data/demo.xlsx)")
    args = parser.parse_args(argv)
    target = args.build or Path(__file__).resolve().parents[1] / _BUNDLED
    print(build_demo_workbook(target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
