"""Odd inputs in the pure core: Tables read by their data body, percent cells, sheet choice,
invisible header characters, merged headers and the scrubbing of secrets."""

from __future__ import annotations

import datetime as dt

import pytest

from addin.core import issues as ic
from addin.core import pipeline
from addin.core.catalog import get_endpoint
from addin.core.errors import WorkbookError
from addin.core.grid import Grid, TableExtent
from addin.core.lines import Batch, Options, build_batches, line_digest
from addin.core.secret_fields import MASK, Scrubber
from addin.core.tables import table_view

PROSPECTS = get_endpoint("Prospects")


class Book:
    """A GridSource over plain grids, with sheet visibility."""

    def __init__(self, grids: dict[str, Grid], hidden: dict[str, str] | None = None) -> None:
        self.grids, self.hidden = grids, hidden or {}

    def sheet_names(self) -> list[str]:
        return list(self.grids)

    def sheet_visibility(self, sheet: str) -> str:
        return self.hidden.get(sheet, "visible")

    def table_names(self, sheet: str) -> list[str]:
        return [t.name for t in self.grids[sheet].tables]

    def grid(self, sheet: str) -> Grid:
        return self.grids[sheet]

    def connexion(self) -> dict[str, str]:
        return {}


def _check(grid: Grid, sheet: str = "Prospects") -> pipeline.SheetCheck:
    book = Book({sheet: grid})
    return pipeline.check(book, pipeline.select_sheets(book, [sheet]))[0]


ROWS = [["Titre", None], ["PCF_CODE", "PCF_RS"], ["P1", "Un"], ["P2", "Deux"], ["Total", 2],
        [None, None], ["Note", "hors tableau"]]


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        pytest.param(TableExtent("Prospects", 2, 1, 5, 2, 1, 1), [3, 4], id="totals-row-left-out"),
        pytest.param(TableExtent("Prospects", 2, 1, 4, 2, 1, 0), [3, 4], id="below-table-cut"),
        pytest.param(TableExtent("T", 3, 1, 4, 2, 0, 0), [3, 4], id="no-header-row"),
        pytest.param(TableExtent("Prospects", 2, 1, 2, 2, 1, 0), [], id="empty-body"),
    ],
)
def test_a_table_is_read_by_its_data_body(table: TableExtent, rows: list[int]) -> None:
    checked = _check(Grid([list(r) for r in ROWS], tables=(table,)))
    assert [r.row for r in checked.data.rows] == rows
    assert not checked.blocking, checked.issues


def test_without_table_every_row_is_data() -> None:
    checked = _check(Grid([list(r) for r in ROWS]))
    assert [r.row for r in checked.data.rows] == [3, 4, 5, 7]


def test_several_tables_none_named_after_the_endpoint_block() -> None:
    tables = (TableExtent("Liste1", 2, 1, 3, 2), TableExtent("Liste2", 5, 1, 7, 2))
    _, issues = table_view(Grid([list(r) for r in ROWS], tables=tables), "Feuil", PROSPECTS)
    assert [i.code for i in issues] == [ic.SEVERAL_TABLES]
    assert "Liste1" in issues[0].message and "Liste2" in issues[0].message


def test_the_table_named_after_the_endpoint_wins_over_others() -> None:
    tables = (TableExtent("Aide", 6, 1, 7, 2), TableExtent("Prospects", 2, 1, 5, 2, 1, 1))
    grid, issues = table_view(Grid([list(r) for r in ROWS], tables=tables), "F", PROSPECTS)
    assert (grid.first_row, len(grid.values)) == (2, 3)
    # Row 7 ("Note") lies below the Table: said, not silently dropped.
    assert [(i.code, i.row, i.blocking) for i in issues] == [(ic.OUTSIDE_TABLE, 7, False)]
    assert "« Prospects »" in issues[0].message and "ligne 5" in issues[0].message


def test_a_helper_table_beside_the_data_is_not_the_data() -> None:
    rows = [["PCF_CODE", "PCF_RS", None, "Aide"], ["P1", "Un", None, "x"], ["P2", "Deux"],
            ["P3", "Trois"]]
    checked = _check(Grid(rows, tables=(TableExtent("Tableau1", 1, 4, 2, 4),)))
    assert [r.row for r in checked.data.rows] == [2, 3, 4]


def test_percent_cells_rate_converted_other_fields_blocked() -> None:
    rows = [["PCF_CODE", "PCF_RS", "PCF_REMVAL", "PCF_REMMIN"], ["P1", "Un", 0.055, 0.05]]
    checked = _check(Grid(rows, percent_cells=frozenset({(2, 3), (2, 4)})))
    assert checked.data.rows[0].values["PCF_REMVAL"] == 5.5
    [issue] = [i for i in checked.issues if i.code == ic.PERCENT_FORMAT]
    assert (issue.row, issue.column, issue.field) == (2, "D", "PCF_REMMIN")
    assert "5 %" in issue.message and "0,05" in issue.message


def test_exact_sheet_name_wins_and_ambiguity_is_an_error() -> None:
    rows = [["PCF_CODE", "PCF_RS"], ["P1", "Un"]]
    book = Book({"PROSPECTS": Grid(rows), "prospects": Grid(rows)})
    assert [p.sheet for p in pipeline.select_sheets(book, ["prospects"])] == ["prospects"]
    assert [p.sheet for p in pipeline.select_sheets(book, ["PROSPECTS"])] == ["PROSPECTS"]
    with pytest.raises(WorkbookError, match="Plusieurs feuilles correspondent"):
        pipeline.select_sheets(book, ["Prospects"])


def test_decomposed_sheet_name_finds_the_composed_one() -> None:
    book = Book({"Sociétés": Grid([["PCF_CODE"]])})
    plans = pipeline.select_sheets(book, ["Socie\u0301te\u0301s"], "Prospects")
    assert [p.sheet for p in plans] == ["Sociétés"]


def test_hidden_data_sheets_are_skipped_with_a_note_unless_named() -> None:
    rows = [["PCF_CODE", "PCF_RS"], ["P1", "Un"]]
    book = Book({"Prospects": Grid(rows), "Clients": Grid([["PCF_CODE"]])},
                hidden={"Prospects": "hidden", "Clients": "veryHidden"})
    notes: list[str] = []
    with pytest.raises(WorkbookError, match="masquée : ignorée"):
        pipeline.select_sheets(book, notes=notes)
    book.hidden["Clients"] = "visible"
    plans = pipeline.select_sheets(book, notes=notes)
    assert [p.sheet for p in plans] == ["Clients"]
    assert any("« Prospects » masquée" in n for n in notes)
    assert [p.sheet for p in pipeline.select_sheets(book, ["Prospects"])] == ["Prospects"]


def test_invisible_header_character_is_stripped_and_shown() -> None:
    checked = _check(Grid([["PCF_\u200bCODE", "PCF_R\u0053"], ["P1", "Un"]]))
    [issue] = [i for i in checked.issues if i.code == ic.INVISIBLE_CHARACTER]
    assert "<U+200B>" in issue.message and "ZERO WIDTH SPACE" in issue.message
    assert not checked.blocking and checked.data.columns[0].code == "PCF_CODE"


def test_merged_header_is_named_as_such() -> None:
    grid = Grid([["PCF_CODE", "PCF_RS", None], ["P1", "Un", "x"]], merged=("B1:C1",))
    codes = [i.code for i in _check(grid).issues]
    assert ic.MERGED_HEADER in codes


def test_a_merged_title_above_the_header_stays_harmless() -> None:
    grid = Grid([["Titre", None], ["PCF_CODE", "PCF_RS"], ["P1", "Un"]], merged=("A1:B1",))
    assert not _check(grid).issues


@pytest.mark.parametrize(
    ("secrets", "text", "expected"),
    [
        pytest.param(["Kanari-7Q"], "ligne JDUPONT;Kanari-7Q;X", f"ligne JDUPONT;{MASK};X",
                     id="substring"),
        pytest.param(["ab1"], "ab1 tab1 ab12 (ab1)", f"{MASK} tab1 ab12 ({MASK})",
                     id="short-as-token-only"),
        pytest.param(["Kanari", "Kanari-7Q"], "Kanari-7Q", MASK, id="longest-first"),
        pytest.param(["", "  "], "rien", "rien", id="empty-ignored"),
    ],
)
def test_scrubber(secrets: list[str], text: str, expected: str) -> None:
    assert Scrubber(secrets)(text) == expected


def test_batches_with_secrets_are_masked_in_previews_and_keyed_in_digests() -> None:
    users = get_endpoint("Utilisateurs")
    book = Book({"Utilisateurs": Grid([["USR_NAME", "USR_PASSWD"], ["JD", "Kanari-7Q"],
                                       ["MM", None]])})
    checked = pipeline.check(book, pipeline.select_sheets(book))[0]
    [sent] = build_batches(checked.data, Options())
    [shown] = build_batches(checked.data, Options(), mask_secrets=True)
    assert sent.lines == ["JD;Kanari-7Q", "MM"] and shown.lines == [f"JD;{MASK}", "MM"]
    assert sent.secrets == {"Kanari-7Q"} and "secrets" not in repr(sent)
    plain = Batch(1, 1, sent.header, sent.lines, sent.rows)
    assert line_digest(sent) != line_digest(plain)
    assert users.field("USR_PASSWD").is_secret


def test_pre_1900_dates_read_as_times_are_explained() -> None:
    checked = _check(Grid([["PCF_CODE", "PCF_RS", "PCF_DATIMM"], ["P1", "Un", dt.time(0)]]))
    [issue] = [i for i in checked.issues if i.code == ic.DATE_OUT_OF_RANGE]
    assert issue.column == "C" and "01/01/1900" in issue.message
