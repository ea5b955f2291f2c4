"""The demo: bundled workbook in sync with its data, and a full run against the sandbox."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from addin.cli import main
from addin.commands.demo import demo_workbook_path
from addin.commands.demo_data import DEMO_SHEETS
from addin.core.catalog import get_endpoint
from addin.core.layout import DATA_ROW, HEADER_ROW, RESULTATS_SHEET, STATUS_HEADER


def _rows(ws, codes: tuple[str, ...]) -> list[tuple[object, ...]]:
    header = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    found = []
    for r in range(DATA_ROW, ws.max_row + 1):
        values = tuple(ws.cell(r, header[code]).value for code in codes)
        if any(v is not None for v in values):
            found.append(values)
    return found


def test_bundled_workbook_holds_the_demo_data() -> None:
    """addin/data/demo.xlsx is `python -m addin.commands.demo --build` of demo_data.py."""
    wb = openpyxl.load_workbook(demo_workbook_path())
    for name, (codes, rows) in DEMO_SHEETS.items():
        ws = next(w for w in wb.worksheets if name in w.tables)
        got = _rows(ws, codes)
        assert len(got) == len(rows), name
        for g, expected in zip(got, rows, strict=True):
            assert [str(v)[:10] for v in g] == [str(v)[:10] for v in expected], name


def test_demo_shows_imported_rejected_warned_rows_and_pieces(tmp_path: Path, capsys) -> None:
    """`demo` exits 0 and its workbook says what happened to every row."""
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Documents de vente" in printed and "pièce" in printed
    wb = openpyxl.load_workbook(out)
    texts: list[str] = []
    for name in DEMO_SHEETS:
        ws = next(w for w in wb.worksheets if name in w.tables)
        header = [c.value for c in ws[HEADER_ROW]]
        col = header.index(STATUS_HEADER) + 1
        rows = len(DEMO_SHEETS[name][1])
        statuses = [ws.cell(r, col).value for r in range(DATA_ROW, DATA_ROW + rows)]
        assert all(statuses), (name, statuses)  # every row has its outcome
        texts += statuses
    assert any(t.startswith("Importée — pièce") for t in texts)
    assert any(t.startswith("Rejetée") for t in texts)
    assert any("avertissement" in t for t in texts)
    test_runs = [r for r in wb[RESULTATS_SHEET].iter_rows(min_row=2, values_only=True)
                 if r[6] == "test"]
    assert {r[5] for r in test_runs} == {
        n for n in DEMO_SHEETS if get_endpoint(n).test_mode
    }
