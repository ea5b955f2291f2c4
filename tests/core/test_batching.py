"""Batches sized by time: as few calls as the per-request budget allows, learnt from the
server's measured times; an explicit size is obeyed; documents are never split."""

from __future__ import annotations

from typing import Any

import pytest

from addin.core import pipeline
from addin.core.batching import BUDGET_SECONDS, MAX_LINES, BatchSizer, parse_batch_size
from addin.core.catalog import get_endpoint
from addin.core.lines import Options, build_batches, sheet_lines
from addin.core.sheet import read_sheet
from tests.core.test_pipeline import MemoryBook


@pytest.mark.parametrize(("raw", "size"), [("auto", None), ("", None), (None, None),
                                           ("AUTO", None), ("2000", 2000), (500.0, 500),
                                           ("1 500".replace(" ", ""), 1500)])
def test_batch_size_as_typed(raw: object, size: int | None) -> None:
    assert parse_batch_size(raw) == size


@pytest.mark.parametrize("raw", ["0", "-3", "12.5", "beaucoup"])
def test_bad_batch_sizes_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_batch_size(raw)


def simulate(sizer: BatchSizer, rows: int, per_call: float, per_line: float) -> list[int]:
    """Batch sizes an import of `rows` rows gets from a server of that speed."""
    sizes = []
    while rows:
        n = min(sizer.next_lines(), rows)
        sizes.append(n)
        sizer.observe(n, per_call + per_line * n)
        rows -= n
    return sizes


def test_fixed_size_is_obeyed() -> None:
    assert simulate(BatchSizer(fixed=500), 10_000, 5.0, 0.0025) == [500] * 20


def test_auto_needs_two_calls_where_fixed_batches_need_twenty() -> None:
    """Gestimum as measured: ≈ 5 s opening the company per call, a few ms per line."""
    sizes = simulate(BatchSizer(), 10_000, 5.0, 0.0025)
    assert len(sizes) == 2 and sum(sizes) == 10_000


def test_auto_shrinks_for_a_slow_server_and_keeps_under_the_budget() -> None:
    """50 ms per line: after the first call, every request is expected under the budget."""
    sizer = BatchSizer()
    sizes = simulate(sizer, 20_000, 5.0, 0.05)
    assert all(5.0 + 0.05 * n <= BUDGET_SECONDS * 1.01 for n in sizes[1:])
    assert sizes[1] < sizes[0]


def test_auto_grows_to_the_line_cap_for_a_fast_server() -> None:
    sizes = simulate(BatchSizer(), 50_000, 0.01, 0.00001)
    assert sizes[1:-1] == [MAX_LINES] * (len(sizes) - 2)


def test_noisy_times_never_make_a_request_longer_than_the_slowest_seen_allows() -> None:
    sizer = BatchSizer()
    sizer.observe(1000, 8.0)
    sizer.observe(2000, 6.0)  # faster with more lines: a negative slope is not believed
    n = sizer.next_lines()
    assert n * (8.0 / 1000) <= BUDGET_SECONDS


def _clients(n: int, text: str = "") -> Any:
    rows = [["PCF_CODE", "PCF_RS"], *[[f"C{i}", f"Client {i}{text}"] for i in range(n)]]
    return read_sheet(rows, get_endpoint("Clients"), sheet="Clients")


def test_bytes_cap_cuts_big_lines() -> None:
    data = _clients(100, "x" * 50)
    lines = sheet_lines(data, Options())
    start, end = lines.next_range(1000, max_bytes=600)
    assert (start, end) == (0, 9)  # each line ≈ 62 bytes + 3


def test_documents_are_never_split_under_auto() -> None:
    doc = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "PCF_CODE", "ART_CODE", "LIG_QTE"]
    rows = [["C", "01/01/2024", f"P{d}", "CLI1", f"A{i}", 1] for d in range(3) for i in range(4)]
    data = read_sheet([doc, *rows], get_endpoint("DocumentsVente"), sheet="DocumentsVente")
    lines = sheet_lines(data, Options())
    assert lines.next_range(6) == (0, 4)  # 6 lines would cut the second document
    assert lines.next_range(2) == (0, 4)  # a document bigger than the cap travels alone


def test_payload_preview_uses_the_first_call_size() -> None:
    batches = build_batches(_clients(7_000), Options())
    assert [len(b.lines) for b in batches] == [BatchSizer().next_lines(), 7_000 - 5_750]


def test_the_run_says_how_many_calls_were_made() -> None:
    rows = [["PCF_CODE", "PCF_RS"], *[[f"P{i}", f"Prospect {i}"] for i in range(3_000)]]

    def sender(endpoint: Any, body: Any) -> Any:
        sent = len(body[endpoint.root_key]["parametres"][endpoint.file_param]) - 1
        return {"result": [{"resultat": "succès", "message": "terminé", "journal": [],
                            "statistiques": {"nombre_lignes_importées": str(sent),
                                             "nombre_lignes_non_importées": "0"}}]}

    for options, calls in ((Options(), 1), (Options(batch_size=500), 6)):
        book = MemoryBook({"Prospects": [list(r) for r in rows]})
        checks = pipeline.check(book, pipeline.select_sheets(book))
        report = pipeline.run_import(checks, book, sender, options, target={})
        assert report.calls == calls and report.exit_code == 0
        assert len(book.statuses["Prospects"]) == 3_000
        assert [r[7] for r in book.results][-1] == f"{calls}/{calls}"  # Lot (n/N)
