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

__all__ = ["CellStyles", "Put", "cell_column", "render_cell", "rewrite_row", "row_number"]

_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d+)["']""")
_ROW_REF = re.compile(rb"""\sr=["'](\d+)["']""")
_STYLE = re.compile(rb"""\ss=["'](\d+)["']""")
_SPANS = re.compile(rb"""\sspans=["'](\d+):(\d+)["']""")
# Excel reads `_xHHHH_` in a string as an escaped character: a literal one is escaped itself.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
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


def _render(
    col: int, row: int, put: Put, old_tag: bytes | None, left_tag: bytes | None,
    styles: CellStyles, prefix: bytes,
) -> bytes:  # fmt: skip
    style = put.style
    if style is None and put.left_style and left_tag is not None:
        style = _style_of(left_tag)
    elif style is None and old_tag is not None:
        style = _style_of(old_tag)
    return render_cell(f"{column_letter(col)}{row}", put.value, style, styles, prefix)


def rewrite_row(
    row_xml: bytes, row: int, puts: dict[int, Put], styles: CellStyles, prefix: bytes = b""
) -> bytes:
    """The `<row>` element with `puts` (column → cell) set; every other cell kept as it was."""
    cell_re = _cell_pattern(prefix)
    end_tag = b"</%srow>" % prefix
    tag_end = row_xml.index(b">")
    if row_xml[tag_end - 1 : tag_end] == b"/":
        start_tag, content = row_xml[: tag_end - 1].rstrip() + b">", b""
    else:
        start_tag, content = row_xml[: tag_end + 1], row_xml[tag_end + 1 : -len(end_tag)]
    fast: bytes | None = content
    for col, put in sorted(puts.items()):  # left to right: each may go after the previous
        fast = _fast_put(fast, row, col, put, styles, prefix, cell_re)
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
        new = _render(col, row, put, old and old[0], left and left[0], styles, prefix)
        cells[col] = (b"", new)
    body = b"".join(cells[c][1] for c in sorted(cells))
    return _spans(start_tag, puts) + pre + body + post + end_tag


def _fast_put(
    content: bytes, row: int, col: int, put: Put, styles: CellStyles, prefix: bytes,
    cell_re: re.Pattern[bytes],
) -> bytes | None:  # fmt: skip
    """The common cases without parsing the row: the cell exists, or it goes after the last."""
    if put.left_style:
        return None
    ref = b"%s%d" % (column_letter(col).encode(), row)
    at = content.find(b' r="%s"' % ref)
    if at >= 0:
        start = content.rfind(b"<", 0, at)
        match = cell_re.match(content, start)
        if match is None:
            return None
        tag = match.group()[: match.group().index(b">") + 1]
        new = _render(col, row, put, tag, None, styles, prefix)
        return content[:start] + new + content[match.end() :]
    start = content.rfind(b"<%sc " % prefix)
    if start < 0:
        if content.strip():
            return None
        return _render(col, row, put, None, None, styles, prefix)
    match = cell_re.match(content, start)
    if match is None:
        return None
    found = _CELL_REF.search(match.group(), 0, match.group().index(b">"))
    if found is None or cell_column(found.group(1)) >= col:
        return None
    new = _render(col, row, put, None, None, styles, prefix)
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
