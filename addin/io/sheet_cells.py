"""Worksheet XML at the scale of one row: cells rendered as text that can never become a formula,
and a row's cells set or inserted while every other cell is kept byte for byte."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from addin.core import cell_text
from addin.core.issues import column_letter

__all__ = [
    "CellRenderer", "CellStyles", "Put", "cell_column", "render_cell", "rewrite_row", "row_number",
]

_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d+)["']""")
_ROW_REF = re.compile(rb"""\sr=["'](\d+)["']""")
_STYLE = re.compile(rb"""\ss=["'](\d+)["']""")
_SPANS = re.compile(rb"""\sspans=["'](\d+):(\d+)["']""")
# Excel reads `_xHHHH_` in a string as an escaped character: a literal one is escaped itself.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
# Texts that render as they are (printable ASCII, nothing to escape, no `_xHHHH_`, not read as a
# formula): their cell is written without going through `render_cell`.
_PLAIN = re.compile(r"(?![=+\-@])[ -%'-;=?-^`-~]*")
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


@dataclass(slots=True)
class Put:
    """One cell to write: its value, and where its style comes from."""

    value: object
    style: int | None = None  # forced style; None keeps the style of the cell replaced
    left_style: bool = False  # new header cells look like their left neighbour


@dataclass(slots=True)
class CellStyles:
    """Style ids (`cellXfs` indexes) the writer uses, and the workbook's date system."""

    quote: int | None = None  # quote prefix: Excel keeps the text a text when edited
    bold: int | None = None
    date: int | None = None
    datetime: int | None = None
    date1904: bool = False


def cell_column(letters: bytes) -> int:
    col = 0
    for char in letters:
        col = col * 26 + (char - 64)
    return col


def row_number(start_tag: bytes) -> int | None:
    found = _ROW_REF.search(start_tag)
    return int(found.group(1)) if found else None


def render_cell(
    ref: str, value: object, style: int | None, styles: CellStyles, prefix: bytes = b""
) -> bytes:
    """One `<c>` element. Text is an inline string (sharedStrings stays untouched), so that
    nothing written can be read back as a formula; numbers and dates are plain values."""
    if isinstance(value, str):  # the common case first: statuses, journal lines
        text = cell_text.clean_text(value)
        if styles.quote is not None and cell_text.looks_like_formula(text):
            style = styles.quote
        if "_x" in text:
            text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
        kind = b' t="inlineStr"'
        body = b'<%sis><%st xml:space="preserve">%s</%st></%sis>' % (
            prefix, prefix, escape(text).encode("utf-8"), prefix, prefix,
        )  # fmt: skip
    elif isinstance(value, bool):
        kind, body = b' t="b"', b"<%sv>%d</%sv>" % (prefix, value, prefix)
    elif isinstance(value, int | float) and math.isfinite(value):
        kind, body = b"", b"<%sv>%s</%sv>" % (prefix, repr(value).encode(), prefix)
    elif isinstance(value, datetime | date) and not isinstance(value, time):
        serial = _serial(value, styles.date1904)
        kind, body = b"", b"<%sv>%s</%sv>" % (prefix, repr(serial).encode(), prefix)
        if style is None:
            style = styles.datetime if isinstance(value, datetime) else styles.date
    elif value is None:
        kind, body = b"", None
    else:
        return render_cell(ref, str(value), style, styles, prefix)
    attrs = b'r="%s"%s' % (ref.encode(), kind)
    if style is not None:
        attrs += b' s="%d"' % style
    if body is None:
        return b"<%sc %s/>" % (prefix, attrs)
    return b"<%sc %s>%s</%sc>" % (prefix, attrs, body, prefix)


def _serial(value: datetime | date, date1904: bool) -> float | int:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    days = (moment.replace(tzinfo=None) - (_EPOCH_1904 if date1904 else _EPOCH_1900))
    serial = days.days + days.seconds / 86_400
    return int(serial) if serial == int(serial) else round(serial, 10)


def _style_of(tag: bytes) -> int | None:
    found = _STYLE.search(tag)
    return int(found.group(1)) if found else None


class CellRenderer:
    """`render_cell` for one sheet rewrite, with the row left out of what it remembers: a status
    repeated on 100,000 rows is rendered once, then only its reference changes."""

    __slots__ = ("styles", "prefix", "row_end", "cell_open", "cell_end", "_ref_at", "_parts",
                 "_plain", "_letters", "_columns", "_any")
    _MAX_REMEMBERED = 4096  # unique texts (stamps) stop being remembered: memory stays bounded

    def __init__(self, styles: CellStyles, prefix: bytes = b"") -> None:
        self.styles, self.prefix = styles, prefix
        self.row_end, self.cell_end = b"</%srow>" % prefix, b"</%sc>" % prefix
        self.cell_open = b"<%sc " % prefix
        self._ref_at = re.compile(rb"""<%sc\s+r=["']([A-Z]{1,3})\d+["']""" % re.escape(prefix))
        self._parts: dict[tuple[type, object, int | None], tuple[bytes, bytes]] = {}
        self._plain: dict[int | None, tuple[bytes, bytes]] = {}
        self._letters: dict[int, bytes] = {}
        self._columns: dict[bytes, int] = {}
        self._any: dict[tuple[int, ...], re.Pattern[bytes]] = {}

    def letters(self, col: int) -> bytes:
        found = self._letters.get(col)
        if found is None:
            found = self._letters[col] = column_letter(col).encode()
        return found

    def any_cell_in(self, cols: tuple[int, ...]) -> re.Pattern[bytes]:
        """A reference to any cell of these columns (in one row element: that row's cells)."""
        found = self._any.get(cols)
        if found is None:
            letters = b"|".join(self.letters(c) for c in cols)
            found = self._any[cols] = re.compile(rb"""r=["'](?:%s)\d""" % letters)
        return found

    def column_at(self, xml: bytes, start: int) -> int | None:
        """Column of the cell element starting at `start`, when its reference comes first."""
        found = self._ref_at.match(xml, start)
        if found is None:
            return None
        letters = found.group(1)
        col = self._columns.get(letters)
        if col is None:
            col = self._columns[letters] = cell_column(letters)
        return col

    def __call__(self, col: int, row: int, value: object, style: int | None) -> bytes:
        cls = value.__class__
        if cls is not str and cls is not int:  # 0.0 == -0.0: only texts and integers are kept
            return render_cell(f"{column_letter(col)}{row}", value, style, self.styles,
                               self.prefix)
        key = (cls, value, style)
        parts = self._parts.get(key)
        if parts is None:
            if (cls is str and len(value) <= cell_text.MAX_CELL_TEXT  # type: ignore[arg-type]
                    and _PLAIN.fullmatch(value)):  # type: ignore[arg-type]
                parts = self._plain.get(style) or self._plain_parts(style)
                return b"%s%s%d%s%s%s" % (parts[0], self.letters(col), row, parts[1],
                                          value.encode(), parts[2])  # type: ignore[attr-defined]
            whole = render_cell("", value, style, self.styles, self.prefix)
            head, _, tail = whole.partition(b'r=""')
            parts = (head + b'r="', b'"' + tail)
            if len(self._parts) < self._MAX_REMEMBERED:
                self._parts[key] = parts
        return b"%s%s%d%s" % (parts[0], self.letters(col), row, parts[1])

    def _plain_parts(self, style: int | None) -> tuple[bytes, bytes, bytes]:
        """A plain text cell around its reference and its text (see `_PLAIN`)."""
        whole = render_cell("", "\x01", style, self.styles, self.prefix)  # \x01: cleaned away
        head, _, tail = whole.partition(b'r=""')
        before, _, after = tail.partition(b'xml:space="preserve">')
        parts = (head + b'r="', b'"' + before + b'xml:space="preserve">', after)
        self._plain[style] = parts
        return parts


def _render(
    col: int, row: int, put: Put, old_tag: bytes | None, left_tag: bytes | None,
    render: CellRenderer,
) -> bytes:  # fmt: skip
    style = put.style
    if style is None and put.left_style and left_tag is not None:
        style = _style_of(left_tag)
    elif style is None and old_tag is not None:
        style = _style_of(old_tag)
    return render(col, row, put.value, style)


def rewrite_row(
    row_xml: bytes, row: int, puts: dict[int, Put], styles: CellStyles | CellRenderer,
    prefix: bytes = b"",
) -> bytes:  # fmt: skip
    """The `<row>` element with `puts` (column → cell) set; every other cell kept as it was.
    Pass a `CellRenderer` when rewriting many rows (it remembers repeated cells)."""
    render = styles if isinstance(styles, CellRenderer) else CellRenderer(styles, prefix)
    ordered = sorted(puts.items())
    appended = _append_to_row(row_xml, row, ordered, render)
    if appended is not None:
        return appended
    cell_re = _cell_pattern(prefix)
    end_tag = b"</%srow>" % prefix
    tag_end = row_xml.index(b">")
    if row_xml[tag_end - 1 : tag_end] == b"/":
        start_tag, content = row_xml[: tag_end - 1].rstrip() + b">", b""
    else:
        start_tag, content = row_xml[: tag_end + 1], row_xml[tag_end + 1 : -len(end_tag)]
    fast: bytes | None = content
    for col, put in sorted(puts.items()):  # left to right: each may go after the previous
        fast = _fast_put(fast, row, col, put, render, cell_re)
        if fast is None:
            break
    if fast is not None:
        return _spans(start_tag, puts) + fast + end_tag
    cells: dict[int, tuple[bytes, bytes]] = {}  # column → (start tag, whole element)
    first = last = None
    col = 0
    for match in cell_re.finditer(content):
        whole = match.group()
        tag = whole[: whole.index(b">") + 1]
        ref = _CELL_REF.search(tag)
        col = cell_column(ref.group(1)) if ref else col + 1
        cells[col] = (tag, whole)
        first = match.start() if first is None else first
        last = match.end()
    pre = content[:first] if first is not None else b""
    post = content[last:] if last is not None else content
    for col, put in puts.items():
        old = cells.get(col)
        left_cols = [c for c in cells if c < col]
        left = cells.get(max(left_cols)) if left_cols else None
        new = _render(col, row, put, old and old[0], left and left[0], render)
        cells[col] = (b"", new)
    body = b"".join(cells[c][1] for c in sorted(cells))
    return _spans(start_tag, puts) + pre + body + post + end_tag


def _append_to_row(
    row_xml: bytes, row: int, ordered: list[tuple[int, Put]], render: CellRenderer
) -> bytes | None:  # fmt: skip
    """The commonest case, on the whole element: the row ends with a cell left of every put
    (new `#STATUT`/`#EMPREINTE` columns) and none of the puts exists yet (looked for, as a
    file may not keep its cells in column order). None when it is not that case."""
    end = len(row_xml) - len(render.row_end)
    if not row_xml.endswith(render.row_end):
        return None
    start = row_xml.rfind(render.cell_open, 0, end)
    if start < 0:
        return None
    # The row must end with that cell: `…</c>`, or an empty `<c …/>` with nothing after it.
    if not row_xml.endswith(render.cell_end, 0, end) and not (
        row_xml.endswith(b"/>", 0, end) and row_xml.find(b"<", start + 1, end) < 0
    ):
        return None
    last = render.column_at(row_xml, start)
    if last is None or last >= ordered[0][0]:
        return None
    for _, put in ordered:
        if put.left_style:
            return None
    if render.any_cell_in(tuple(col for col, _ in ordered)).search(row_xml, 0, end):
        return None
    new = b"".join([render(col, row, put.value, put.style) for col, put in ordered])
    head_end = row_xml.index(b">")
    if row_xml.find(b"spans=", 0, head_end) >= 0:
        head = _spans(row_xml[: head_end + 1], dict(ordered))
        return head + row_xml[head_end + 1 : end] + new + render.row_end
    return row_xml[:end] + new + render.row_end


def _fast_put(
    content: bytes, row: int, col: int, put: Put, render: CellRenderer,
    cell_re: re.Pattern[bytes],
) -> bytes | None:  # fmt: skip
    """The common cases without parsing the row: the cell exists, or it goes after the last."""
    if put.left_style:
        return None
    ref = b"%s%d" % (render.letters(col), row)
    at = content.find(b' r="%s"' % ref)
    if at >= 0:
        start = content.rfind(b"<", 0, at)
        match = cell_re.match(content, start)
        if match is None:
            return None
        tag = match.group()[: match.group().index(b">") + 1]
        new = _render(col, row, put, tag, None, render)
        return content[:start] + new + content[match.end() :]
    start = content.rfind(b"<%sc " % render.prefix)
    if start < 0:
        if content.strip():
            return None
        return _render(col, row, put, None, None, render)
    match = cell_re.match(content, start)
    if match is None:
        return None
    found = _CELL_REF.search(match.group(), 0, match.group().index(b">"))
    if found is None or cell_column(found.group(1)) >= col:
        return None
    new = _render(col, row, put, None, None, render)
    return content[: match.end()] + new + content[match.end() :]


def _spans(start_tag: bytes, puts: dict[int, Put]) -> bytes:
    """Keep the row's optional `spans` hint true (Excel may distrust a row otherwise)."""
    found = _SPANS.search(start_tag)
    if found is None:
        return start_tag
    low = min(int(found.group(1)), *puts)
    high = max(int(found.group(2)), *puts)
    return start_tag[: found.start()] + b' spans="%d:%d"' % (low, high) + start_tag[found.end() :]


_PATTERNS: dict[bytes, re.Pattern[bytes]] = {}


def _cell_pattern(prefix: bytes) -> re.Pattern[bytes]:
    if prefix not in _PATTERNS:
        p = re.escape(prefix)
        _PATTERNS[prefix] = re.compile(rb"<%sc\b[^>]*?(?:/>|>.*?</%sc>)" % (p, p), re.DOTALL)
    return _PATTERNS[prefix]
