"""The writer's fast paths give exactly the bytes of its general paths: the cached renderer those
of `render_cell`, the one-pass append to a row those of the cell-by-cell rewrite."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from addin.io import sheet_cells
from addin.io.sheet_cells import CellRenderer, CellStyles, Put, render_cell, rewrite_row
from addin.io.xlsx_scan import hidden_rows, scan_sheet

VALUES: list[object] = [
    "Importée", "plain ASCII 123 - ok", "20261130-081234-abcd 1a2b3c4d 00ff", "", " lead",
    "=SUM(A1)", "+33 1 23", "-5", "@x", "a & b < c > d", 'say "hi"', "_x0041_ kept", "a_b",
    "tab\there", "ctrl\x01char", "é è ç", "x" * 40_000, "~`{|}^[]\\", 3, 2.5, -0.1, True,
    False, None, datetime(2026, 11, 30, 8, 15), date(2026, 11, 30), float("nan"), 0.0, -0.0,
    [1, 2],
]
STYLES = [CellStyles(), CellStyles(quote=7, date=8, datetime=9)]


@pytest.mark.parametrize("styles", STYLES)
@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_renderer_renders_like_render_cell(styles: CellStyles, prefix: bytes) -> None:
    render = CellRenderer(styles, prefix)
    for value in VALUES:
        for style in (None, 4):
            for col, row in ((1, 2), (13, 100_001), (28, 7)):
                expected = render_cell(f"{sheet_cells.column_letter(col)}{row}", value, style,
                                       styles, prefix)
                assert render(col, row, value, style) == expected, value
                assert render(col, row, value, style) == expected, value  # remembered


def test_renderer_stops_remembering_unique_texts() -> None:
    render = CellRenderer(CellStyles())
    for n in range(CellRenderer._MAX_REMEMBERED + 500):
        render(14, n + 2, f"&stamp {n}", None)  # "&": not a plain text, so remembered
    assert len(render._parts) == CellRenderer._MAX_REMEMBERED


ROWS = [
    b'<row r="5" customFormat="false" ht="15" hidden="false"><c r="A5" s="0" t="s"><v>35</v>'
    b'</c><c r="C5" s="0" t="str"><f aca="false">&quot;411&quot;&amp;A5</f><v>411C5</v></c>'
    b"</row>",
    b'<row r="5" spans="1:3"><c r="A5"><v>1</v></c><c r="C5" s="2"/></row>',
    b'<row r="5" spans="2:3" x14ac:dyDescent="0.25"><c r="B5" t="inlineStr"><is><t>a</t></is>'
    b"</c></row>",
    b'<row r="5"/>',
    b'<row r="5"></row>',
    b'<row r="5"><c r="A5"><v>1</v></c><extLst><ext uri="u"/></extLst></row>',
    b'<row r="5"><c r="A5"><v>1</v></c><c r="M5" s="3"><v>old</v></c></row>',
    b'<row r="5"><c r="A5"><v>1</v></c><c r="P5"><v>2</v></c></row>',
    b"<row r='5'><c r='A5'><v>1</v></c></row>",
    b'<row r="5"><c r="A5"><v>1</v></c><c r="B5" t="e"/></row>',
    b'<row r="5"><c r="M5"><v>out of order</v></c><c r="A5"><v>1</v></c></row>',
    b"<row r='5'><c r='N5'><v>2</v></c><c r='B5'><v>1</v></c></row>",
]
PUTS = [
    {13: Put("Importée"), 14: Put("20261130-081234-abcd 1a2b3c4d 00ff")},
    {13: Put("=1+1")},
    {13: Put(3), 14: Put(datetime(2026, 1, 2))},
    {13: Put("#STATUT", left_style=True)},
]


@pytest.mark.parametrize("row_xml", ROWS)
@pytest.mark.parametrize("puts", PUTS)
@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_one_pass_append_matches_the_cell_by_cell_rewrite(
    row_xml: bytes, puts: dict[int, Put], prefix: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    if prefix:
        row_xml = row_xml.replace(b"<", b"<x:").replace(b"<x:/", b"</x:")
    styles = CellStyles(quote=7, date=8, datetime=9)
    fast = rewrite_row(row_xml, 5, puts, CellRenderer(styles, prefix), prefix)
    monkeypatch.setattr(sheet_cells, "_append_to_row", lambda *args: None)
    general = rewrite_row(row_xml, 5, puts, CellRenderer(styles, prefix), prefix)
    assert fast == general


def test_a_cell_out_of_column_order_is_replaced_not_doubled() -> None:
    out = rewrite_row(ROWS[-2], 5, {13: Put("Importée")}, CellStyles())
    assert out.count(b'r="M5"') == 1 and b"out of order" not in out


def test_the_append_keeps_every_existing_byte() -> None:
    row_xml = ROWS[0]
    out = rewrite_row(row_xml, 5, PUTS[0], CellStyles())
    assert out.startswith(row_xml[: -len(b"</row>")])
    status = '<c r="M5" t="inlineStr"><is><t xml:space="preserve">Importée</t></is></c>'
    assert out.endswith(
        status.encode() + b'<c r="N5" t="inlineStr"><is><t xml:space="preserve">20261130-'
        b"081234-abcd 1a2b3c4d 00ff</t></is></c></row>"
    )


def test_the_formula_scan_skips_only_formulas_followed_by_their_value() -> None:
    xml = (
        b'<worksheet><sheetData><row r="1">'
        b'<c r="A1" t="str"><f aca="false">&quot;411&quot;&amp;B1</f><v>411X</v></c>'
        b'<c r="B1"><f t="shared" si="0" ref="B1:B2"/><v>2</v></c>'
        b'<c r="C1"><f>1+1</f>\n  <v>2</v></c>'  # pretty-printed: still has its value
        b'<c r="D1"><f t="shared" si="0"/></c>'
        b'<c r="E1"><f>1+1</f></c>'
        b'<c r="F1" t="str"><f>""</f><v></v></c>'
        b"</row></sheetData></worksheet>"
    )
    assert scan_sheet(xml)[0] == [(1, 4), (1, 5)]
    prefixed = xml.replace(b"<", b"<x:").replace(b"<x:/", b"</x:")
    assert scan_sheet(prefixed)[0] == [(1, 4), (1, 5)]


def test_hidden_rows_in_one_pass() -> None:
    xml = (
        b'<worksheet><cols><col min="1" max="1" hidden="1"/></cols><sheetData>'
        b'<row r="1" hidden="false"/><row r="2" hidden="1"/><row r="3" hidden="true"/>'
        b"<row r='4' hidden='1'/><row r=\"5\" customHeight=\"1\" hidden='true'/>"
        b"</sheetData></worksheet>"
    )
    assert hidden_rows(xml) == {2, 3, 4, 5}
