"""Rows kept column by column (`core.sheet_rows`): the same issues and lines as a plain list of
rows, whatever was edited, padded or skipped; blank rows and document runs found as before."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from addin.core.catalog import get_endpoint
from addin.core.formatted import format_rows, group_keys, group_starts
from addin.core.lines import Options, build_batches, build_body
from addin.core.sheet import read_sheet
from addin.core.sheet_rows import Rows, SheetRow
from addin.core.validate import validate

VENTE = get_endpoint("DocumentsVente")
CLIENTS = get_endpoint("Clients")
HEADER = ["#STATUT", "DOC_STYPE", "DOC_DATE", "DOC_REFPCF", "PCF_CODE", "DEP_CODE", "ART_CODE",
          "LIG_QTE", "LIG_P_BRUT", "LIG_LIB", "# note", "XXX_INCONNU"]


class Text(str):
    """A str subclass (some readers return them): never taken for a blank cell."""


def messy_grid(seed: int, n: int = 120) -> list[list[object]]:
    """Order lines with what real sheets hold: blank and ragged rows, spaces, notes, statuses,
    an unknown column, a document split in two, a client changing inside a document."""
    rng = random.Random(seed)
    grid: list[list[object]] = [list(HEADER)]
    doc = 0
    for i in range(n):
        if rng.random() < 0.3:
            doc += 1
        ref = f"CC{rng.randrange(doc + 1) if rng.random() < 0.03 else doc:04d}"
        row: list[object] = [
            rng.choice([None, "", "Importée", "Rejetée : x"]), "C",
            dt.datetime(2024, 1, 1) + dt.timedelta(days=doc % 50), ref,
            f"CLI{doc % 7 + (rng.random() < 0.03):03d}", rng.choice(["001", " 001 ", 1.0]),
            rng.choice([f"ART{rng.randrange(40):03d}", None]),
            rng.choice([1.0, 2.0, 0.5, -0.0, None, " ", 3]),
            rng.choice([round(rng.uniform(0, 500), 2), 12.0, None, 1e-7, 123.456]),
            rng.choice([f"Ligne {i}", f"Ligne {i};", "=A2&B2", None, "  "]),
            rng.choice([None, "note"]), rng.choice([None, None, None, "??"]),
        ]
        shape = rng.random()
        if shape < 0.08:  # a blank row, maybe with a note, spaces or a status
            row = [rng.choice([None, "Importée"]), None, None, " ", None, "", None, None, None,
                   rng.choice([None, "   "]), rng.choice([None, "note"]), None]
        elif shape < 0.1:
            row = [None, None, None, None, None, None, None, None, None, Text(" "), None, None]
        elif shape < 0.15:  # ragged: trimmed by the reader after its last value
            row = row[:rng.randrange(1, len(row))]
        grid.append(row)
    return grid


def as_plain_list(data):  # type: ignore[no-untyped-def]
    """The same rows as a plain list of dict-backed rows: the slow, obvious representation."""
    data.rows = [SheetRow(r.row, dict(r.values), r.status, stamp=r.stamp) for r in data.rows]
    data.cache.clear()
    return data


def outcome(data, skip: frozenset[int] = frozenset()) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    issues = validate(data)
    options = Options(batch_size=7)
    bodies = [build_body(data.endpoint, b, options)
              for b in build_batches(data, options, skip_rows=skip)]
    return issues, bodies


@pytest.mark.parametrize("seed", range(12))
def test_lazy_rows_give_the_same_issues_and_bodies_as_a_plain_list(seed: int) -> None:
    grid = messy_grid(seed)
    lazy = read_sheet(grid, VENTE, sheet="V")
    plain = as_plain_list(read_sheet(grid, VENTE, sheet="V"))
    assert isinstance(lazy.rows, Rows)
    skip = frozenset(r.row for r in plain.rows[::5])
    # Validation blocks these sheets; the lines are built from the rows validation accepts.
    issues = validate(lazy)
    assert issues == validate(plain)
    bad = {i.row for i in issues if i.severity == "bloquant"}
    assert outcome(lazy, skip | bad) == outcome(plain, skip | bad)
    assert lazy.rows == plain.rows


SENT = [i for i, h in enumerate(HEADER) if not h.startswith("#") and h != "XXX_INCONNU"]


def kept(row: list[object]) -> bool:
    """The row-by-row rule: a sent cell with data, or text in the unknown column."""
    cells = row + [None] * (len(HEADER) - len(row))
    if any(v is not None and (v.__class__ is not str or v.strip())
           for v in (cells[i] for i in SENT)):
        return True
    return bool(str(cells[-1] or "").strip())


def test_blank_rows_are_those_with_only_empty_sent_cells() -> None:
    """Rows of None, spaces and `#` cells are skipped; a str subclass, a 0, an unknown column's
    text keep the row (the same rule as row by row)."""
    for seed in range(12):
        grid = messy_grid(seed)
        data = read_sheet(grid, VENTE, sheet="V")
        assert [r.row for r in data.rows] == [n + 2 for n, row in enumerate(grid[1:])
                                               if kept(row)]


def test_a_column_filled_everywhere_still_lets_blank_rows_go() -> None:
    grid = [["PCF_CODE", "CPT_NUMERO", "PCF_RS"], ["C1", "411C1", "Un"], [None, None, " "],
            ["C2", "411C2", "Deux"], []]
    data = read_sheet(grid, CLIENTS, sheet="C")
    assert [r.row for r in data.rows] == [2, 4]


def test_rows_edited_through_values_are_sent_as_edited() -> None:
    """An edit through `.values` (by index, or while iterating) is what validation and lines
    see; rows only looked at are not copied."""
    grid = [["PCF_CODE", "CPT_NUMERO", "PCF_RS"]] + [[f"C{i}", f"411C{i}", f"Nom {i}"]
                                                      for i in range(40)]
    data = read_sheet(grid, CLIENTS, sheet="C")
    assert data.rows[3].cells == ("C3", "411C3", "Nom 3")  # looked at only
    data.rows[5].values["PCF_RS"] = "Autre"
    data.rows[-1].values = {"PCF_CODE": "C39", "CPT_NUMERO": "411C39", "PCF_RS": "a;b"}
    issues = validate(data)
    assert [(i.code, i.row, i.column) for i in issues] == [("separator-in-value", 41, "C")]
    (batch,) = build_batches(data, Options(), skip_rows={41})
    assert batch.lines[5] == "C5;411C5;Autre" and batch.lines[4] == "C4;411C4;Nom 4"
    again = read_sheet(grid, CLIENTS, sheet="C")
    for row in again.rows:
        if row.row == 7:
            row.values["PCF_RS"] = "Autre"
    (batch,) = build_batches(again, Options())
    assert batch.lines[5] == "C5;411C5;Autre"


def test_rows_behave_as_a_list() -> None:
    grid = [["PCF_CODE", "CPT_NUMERO", "PCF_RS"], ["C1", "411C1", "Un"], ["C2", "411C2"]]
    rows = read_sheet(grid, CLIENTS, sheet="C").rows
    first = rows[0]
    assert len(rows) == 2 and rows[-1].row == 3 and rows[1].values["PCF_RS"] is None
    assert list(rows)[0] is first and rows[0:1] == [first]
    assert rows == [SheetRow(2, {"PCF_CODE": "C1", "CPT_NUMERO": "411C1", "PCF_RS": "Un"}),
                    SheetRow(3, {"PCF_CODE": "C2", "CPT_NUMERO": "411C2", "PCF_RS": None})]
    with pytest.raises(IndexError):
        rows[2]


def test_document_runs_match_the_keys() -> None:
    """Runs found column by column start exactly where the row-by-row keys change."""
    for seed in range(12):
        data = read_sheet(messy_grid(seed), VENTE, sheet="V")
        fs = format_rows(data)
        keys = group_keys(data, fs)
        assert keys is not None
        assert group_starts(data, fs) == [rp for rp in range(len(keys))
                                          if rp == 0 or keys[rp] != keys[rp - 1]]


@pytest.mark.parametrize("seed", [3, 4])
def test_row_marks_read_statuses_and_stamps_without_making_rows(seed: int) -> None:
    from addin.core.sheet_rows import row_marks

    data = read_sheet(messy_grid(seed), VENTE, sheet="DocumentsVente")
    assert isinstance(data.rows, Rows)
    statuses, stamps = row_marks(data.rows)
    assert not data.rows._made and data.rows._all is None  # nothing made to read them
    plain = [SheetRow(r.row, dict(r.values), r.status, stamp=r.stamp) for r in list(data.rows)]
    assert (list(statuses), list(stamps)) == ([r.status for r in plain],
                                               [r.stamp for r in plain])
    data = read_sheet(messy_grid(seed), VENTE, sheet="DocumentsVente")
    data.rows[2].status = "Importée le 01/01/2026"  # a row handed out, then changed
    statuses, _ = row_marks(data.rows)
    assert statuses[2] == "Importée le 01/01/2026"
    assert list(statuses[3:]) == [r.status for r in plain[3:]]
