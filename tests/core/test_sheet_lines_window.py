"""Lines made a window at a time cut the same batches, with the same lines, as lines made all at
once (the sizes in bytes decide where a request ends)."""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate

import pytest

from addin.core import lines as lines_module
from addin.core.catalog import get_endpoint
from addin.core.lines import Options, sheet_lines
from addin.core.sheet import read_sheet

DOC = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "PCF_CODE", "ART_CODE", "LIG_QTE", "LIG_LIB"]


def _documents(n_docs: int, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = [DOC]
    for d in range(n_docs):
        for i in range(rng.choice((1, 1, 1, 1, 2, 3, 7))):
            label = "é" * rng.randrange(0, 40) if rng.random() < 0.7 else None  # trailing empty
            rows.append(["C", "01/01/2024", f"P{d}", "CLI1", f"A{i}", 1 + i, label])
    return rows


def _reference(data, options: Options, caps: list[tuple[int, int | None]]):
    """The cuts and lines of the former all-at-once implementation."""
    maker = lines_module._LineMaker(data, *_formatted(data, options))
    every = maker.lines(0, len(data.rows))
    sizes = list(accumulate(len(line.encode()) + 3 for line in every))
    groups = sheet_lines(data, options).group_ends
    out, start = [], 0
    for max_rows, max_bytes in caps:
        if start >= len(every):
            break
        limit = start + max_rows
        if max_bytes is not None:
            before = sizes[start - 1] if start else 0
            limit = min(limit, bisect_right(sizes, before + max_bytes))
        first = bisect_right(groups, start)
        cut = bisect_right(groups, limit) - 1
        end = groups[cut] if cut >= first else groups[first]
        out.append((start, end, every[start:end]))
        start = end
    return out


def _formatted(data, options: Options):
    from addin.core.formatted import format_rows

    return format_rows(data, options.identificateur_texte), range(len(data.rows))


@pytest.mark.parametrize("chunk", [1, 3, 64, 4096])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_windowed_lines_cut_like_all_at_once(chunk: int, seed: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_module.SheetLines, "_CHUNK", chunk)
    data = read_sheet(_documents(300, seed), get_endpoint("DocumentsVente"),
                      sheet="DocumentsVente")
    rng = random.Random(seed)
    caps = [(rng.choice((1, 5, 40, 500, 10**6)), rng.choice((None, 1, 100, 150, 400, 2_000)))
            for _ in range(2_000)]
    expected = _reference(data, Options(), caps)
    lines = sheet_lines(data, Options())
    got = []
    for max_rows, max_bytes in caps[: len(expected)]:
        start, end = lines.next_range(max_rows, max_bytes)
        batch = lines.take(start, end, 1)
        got.append((start, end, batch.lines))
    assert got == expected
    assert lines.remaining == 0
    assert len(lines._window) == 0  # every line sent was let go


def test_taking_again_from_the_start_rebuilds_the_lines() -> None:
    data = read_sheet(_documents(50, 7), get_endpoint("DocumentsVente"), sheet="DocumentsVente")
    lines = sheet_lines(data, Options())
    first = lines.take(*lines.next_range(20, 500), 1).lines
    lines.done = 0  # as build_batches does after planning the cuts
    assert lines.take(0, len(first), 1).lines == first
