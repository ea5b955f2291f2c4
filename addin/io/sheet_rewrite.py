"""Streaming rewrite of one worksheet part: a few cells set, rows appended, colour rules added;
every other byte (cells, formulas and their cached values, styles, drawings…) kept as it was.

The part is read in chunks and written row by row, so memory stays at one chunk plus the rows
being edited, whatever the size of the sheet.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from addin.core import status
from addin.core.errors import WorkbookError
from addin.core.issues import column_letter
from addin.io.sheet_cells import (
    CellRenderer,
    CellStyles,
    Put,
    cell_column,
    rewrite_row,
    row_number,
)

__all__ = ["ColourRules", "SheetEdit", "SheetShape", "new_sheet_xml", "rewrite_sheet", "shape"]

MAX_ROWS = 1_048_576
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref=["']([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?["']""")
_PRIORITY = re.compile(rb"""\spriority=["'](\d+)["']""")
# Worksheet children that come after <conditionalFormatting> (ECMA-376 CT_Worksheet order).
_AFTER_CF = (
    b"dataValidations", b"hyperlinks", b"printOptions", b"pageMargins", b"pageSetup",
    b"headerFooter", b"rowBreaks", b"colBreaks", b"customProperties", b"cellWatches",
    b"ignoredErrors", b"smartTags", b"drawing", b"legacyDrawing", b"legacyDrawingHF",
    b"picture", b"oleObjects", b"controls", b"webPublishItems", b"tableParts", b"extLst",
)  # fmt: skip


@dataclass(slots=True)
class ColourRules:
    """The `#STATUT` colour rules: one "begins with" fill per state, installed once."""

    col: int
    first_row: int
    dxf_ids: dict[str, int]  # state label → differential style id in styles.xml

    @property
    def sqref(self) -> bytes:
        letter = column_letter(self.col)
        return f"{letter}{self.first_row}:{letter}{MAX_ROWS}".encode()


@dataclass(slots=True)
class SheetEdit:
    """What changes in one worksheet part."""

    puts: dict[int, dict[int, Put]] = field(default_factory=dict)  # row → column → cell
    # Whole rows added under the last used row (Résultats, Journal): row → (values from
    # column A, style of every cell or None).
    new_rows: dict[int, tuple[Sequence[object], int | None]] = field(default_factory=dict)
    widths: dict[int, tuple[float, bool]] = field(default_factory=dict)  # col → (width, hidden)
    colours: ColourRules | None = None


@dataclass(slots=True)
class SheetShape:
    """What the writer must know of a part before sending anything (found by `shape`)."""

    prefix: bytes
    last_row: int
    tail: bytes  # everything after </sheetData>: conditional formats, tables, drawings…


def shape(chunks: Iterable[bytes]) -> SheetShape:
    """Check that a worksheet part can be rewritten; its namespace prefix, last row and tail.

    One pass over the part; memory is bounded by a chunk and the tail.
    """
    buf = b""
    stream = iter(chunks)
    prefix = None
    last_row = 0
    for chunk in stream:
        buf += chunk
        found = _SHEET_DATA.search(buf)
        if found is not None:
            prefix = found.group(1) or b""
            _check_root(buf[: found.start()], prefix)
            if found.group(2):  # <sheetData/>: no row
                tail = buf[found.end() :] + b"".join(stream)
                return SheetShape(prefix, 0, tail)
            buf = buf[found.end() :]
            break
        if len(buf) > 64 << 20:
            break
    if prefix is None:
        raise _malformed("pas de données de cellules (sheetData)")
    close = b"</%ssheetData>" % prefix
    row_tag = b"<%srow" % prefix
    for chunk in itertools.chain((b"",), stream):
        buf += chunk
        end = buf.find(close)
        scan_to = end if end >= 0 else max(0, len(buf) - 64)
        start = buf.rfind(row_tag, 0, scan_to)
        if start >= 0:
            tag_end = buf.find(b">", start)
            number = row_number(buf[start:tag_end]) if tag_end > 0 else None
            if number is not None:
                last_row = number
        if end >= 0:
            return SheetShape(prefix, last_row, buf[end + len(close) :] + b"".join(stream))
        buf = buf[scan_to:] if start < 0 else buf[start:]
    raise _malformed("fin des données de cellules introuvable")


def rewrite_sheet(
    chunks: Iterable[bytes],
    edit: SheetEdit,
    styles: CellStyles,
    write: Callable[[bytes], object],
) -> None:
    """Stream a worksheet part through `write` with `edit` applied."""
    stream = iter(chunks)
    buf = b""
    for chunk in stream:
        buf += chunk
        found = _SHEET_DATA.search(buf)
        if found is not None:
            break
    else:
        raise _malformed("pas de données de cellules (sheetData)")
    prefix = found.group(1) or b""
    write(_edit_head(buf[: found.start()], edit, prefix))
    write(b"<%ssheetData>" % prefix)
    close = b"</%ssheetData>" % prefix
    rows = _Rows(buf[found.end() :], stream, prefix, close, empty=bool(found.group(2)))
    render = CellRenderer(styles, prefix)
    last = 0
    pending = deque(sorted(edit.puts))
    out: list[bytes] = []
    for number, element in rows:
        number = number or last + 1
        while pending and pending[0] < number:
            out.append(_new_row(pending[0], edit.puts[pending.popleft()], render))
        if pending and pending[0] == number:
            element = rewrite_row(element, number, edit.puts[pending.popleft()], render)
        out.append(element)
        last = number
        if len(out) >= 512:
            write(b"".join(out))
            out.clear()
    for number in pending:
        out.append(_new_row(number, edit.puts[number], render))
        last = max(last, number)
    for number, (values, style) in sorted(edit.new_rows.items()):
        if number <= last:
            raise _malformed(f"ligne {number} déjà utilisée")
        out.append(_whole_row(number, values, style, render))
        if len(out) >= 512:
            write(b"".join(out))
            out.clear()
    write(b"".join(out) + close)
    write(_edit_tail(rows.tail, edit, prefix))


class _Rows:
    """The `<row>` elements of a sheetData, each as (row number or None, bytes), from chunks."""

    def __init__(
        self, buf: bytes, stream: Iterator[bytes], prefix: bytes, close: bytes, *, empty: bool
    ) -> None:
        self.buf, self.stream, self.close, self.empty = buf, stream, close, empty
        self.open = b"<%srow" % prefix
        self.end = b"</%srow>" % prefix
        self.tail = b""

    def _more(self) -> bool:
        chunk = next(self.stream, None)
        if chunk is None:
            return False
        self.buf += chunk
        return True

    def __iter__(self) -> Iterator[tuple[int | None, bytes]]:
        if self.empty:  # <sheetData/>
            self.tail = self.buf + b"".join(self.stream)
            return
        pos = 0
        while True:
            buf = self.buf
            start = buf.find(b"<", pos)
            if start < 0 or len(buf) - start < len(self.close):
                self.buf, pos = buf[pos:], 0
                if not self._more():
                    raise _malformed("fin des données de cellules introuvable")
                continue
            if buf.startswith(self.close, start):
                self.tail = buf[start + len(self.close) :] + b"".join(self.stream)
                return
            if not buf.startswith(self.open, start):
                raise _malformed("élément inattendu dans les données de cellules")
            tag_end = buf.find(b">", start)
            stop = -1
            if tag_end > 0:
                if buf[tag_end - 1] == 0x2F:  # "/": an empty row
                    stop = tag_end + 1
                else:
                    found = buf.find(self.end, tag_end)
                    stop = found + len(self.end) if found >= 0 else -1
            if stop < 0:
                self.buf, pos = buf[start:], 0
                if not self._more():
                    raise _malformed("ligne inachevée")
                continue
            yield row_number(buf[start:tag_end]), buf[start:stop]
            pos = stop


def _new_row(number: int, puts: dict[int, Put], render: CellRenderer) -> bytes:
    return rewrite_row(b'<%srow r="%d"/>' % (render.prefix, number), number, puts, render,
                       render.prefix)


def _whole_row(
    number: int, values: Sequence[object], style: int | None, render: CellRenderer
) -> bytes:
    cells = b"".join([
        render(col, number, value, style)
        for col, value in enumerate(values, start=1)
        if value is not None
    ])
    return b'<%srow r="%d">%s</%srow>' % (render.prefix, number, cells, render.prefix)


def _edit_head(head: bytes, edit: SheetEdit, prefix: bytes) -> bytes:
    """Dimension grown to the cells written; width/hidden for new columns without a <col>."""
    found = _DIMENSION.search(head)
    if found is not None and (edit.puts or edit.new_rows):
        c0, r0, c1, r1 = found.group(1), found.group(2), found.group(3), found.group(4)
        if c1 is None:
            c1, r1 = c0, r0
        cols = {c for puts in edit.puts.values() for c in puts}
        cols |= {len(values) for values, _ in edit.new_rows.values()}
        rows = set(edit.puts) | set(edit.new_rows)
        low_c = min(cell_column(c0) if c0 else 1, *cols)
        high_c = max(cell_column(c1) if c1 else 1, *cols)
        low_r = min(int(r0 or 1), *rows)
        high_r = max(int(r1 or 1), *rows)
        ref = f"{column_letter(low_c)}{low_r}:{column_letter(high_c)}{high_r}".encode()
        head = head[: found.start(1)] + ref + head[found.end() - 1 :]
    if edit.widths:
        head = _with_widths(head, edit.widths, prefix)
    return head


def _with_widths(head: bytes, widths: dict[int, tuple[float, bool]], prefix: bytes) -> bytes:
    col_re = re.compile(rb"<%scol\b[^>]*?/?>" % re.escape(prefix))
    cols_open = re.search(rb"<%scols\b[^>]*>" % re.escape(prefix), head)
    existing: list[tuple[int, int, int]] = []  # (min, max, end offset)
    if cols_open is not None:
        for match in col_re.finditer(head, cols_open.end()):
            low = re.search(rb"""\bmin=["'](\d+)""", match.group())
            high = re.search(rb"""\bmax=["'](\d+)""", match.group())
            if low and high:
                existing.append((int(low.group(1)), int(high.group(1)), match.end()))
    for col, (width, hidden) in sorted(widths.items()):
        if any(low <= col <= high for low, high, _ in existing):
            continue  # the user's own width wins
        element = b'<%scol min="%d" max="%d" width="%s" customWidth="1"%s/>' % (
            prefix, col, col, repr(width).encode(), b' hidden="1"' if hidden else b"",
        )  # fmt: skip
        if cols_open is None:
            at = _SHEET_DATA.search(head)
            at_pos = at.start() if at else len(head)
            block = b"<%scols>%s</%scols>" % (prefix, element, prefix)
            head = head[:at_pos] + block + head[at_pos:]
            cols_open = re.search(rb"<%scols\b[^>]*>" % re.escape(prefix), head)
            assert cols_open is not None
            existing = [(col, col, cols_open.end() + len(element))]
            continue
        before = [end for low, _, end in existing if low < col]
        at_pos = max(before) if before else cols_open.end()
        head = head[:at_pos] + element + head[at_pos:]
        shift = len(element)
        existing = [(lo, hi, end + shift if end > at_pos else end) for lo, hi, end in existing]
        existing.append((col, col, at_pos + shift))
    return head


def _edit_tail(tail: bytes, edit: SheetEdit, prefix: bytes) -> bytes:
    rules = edit.colours
    if rules is None or has_colour_rules(tail, rules):
        return tail
    priorities = [int(p) for p in _PRIORITY.findall(tail)]
    block = colour_rules_xml(rules, max(priorities, default=0) + 1, prefix)
    for name in _AFTER_CF:
        found = re.search(rb"<%s%s\b" % (re.escape(prefix), name), tail)
        if found is not None:
            at = found.start()
            break
    else:
        at = tail.rfind(b"</%sworksheet>" % prefix)
    if at < 0:
        raise _malformed("fin de la feuille introuvable")
    return tail[:at] + block + tail[at:]


def has_colour_rules(tail: bytes, rules: ColourRules) -> bool:
    """True when the status column already carries our rules (a re-run adds none)."""
    label = quoteattr(status.STATE_LABELS[status.RowState.IMPORTED]).encode("utf-8")
    for block in re.finditer(rb"<(?:\w+:)?conditionalFormatting\b[^>]*>.*?</(?:\w+:)?"
                             rb"conditionalFormatting>", tail, re.DOTALL):
        opening = block.group()[: block.group().index(b">")]
        if b'"%s"' % rules.sqref in opening and b"text=%s" % label in block.group():
            return True
    return False


def colour_rules_xml(rules: ColourRules, priority: int, prefix: bytes = b"") -> bytes:
    """One "begins with" fill per state, longest label first ("Importée avec…" before
    "Importée"), as Excel itself writes them (LibreOffice reads them back as begins-with)."""
    letter = column_letter(rules.col)
    labels = sorted(status.STATE_LABELS.values(), key=len, reverse=True)
    parts = []
    for offset, label in enumerate(labels):
        formula = f'LEFT({letter}{rules.first_row},{len(label)})="{label}"'
        parts.append(
            f'<{{p}}cfRule type="beginsWith" dxfId="{rules.dxf_ids[label]}" '
            f'priority="{priority + offset}" stopIfTrue="1" operator="beginsWith" '
            f"text={quoteattr(label)}><{{p}}formula>{escape(formula)}</{{p}}formula>"
            "</{p}cfRule>"
        )
    body = "".join(parts).replace("{p}", prefix.decode())
    p = prefix.decode()
    return (f'<{p}conditionalFormatting sqref="{rules.sqref.decode()}">{body}'
            f"</{p}conditionalFormatting>").encode()


def new_sheet_xml() -> bytes:
    """An empty worksheet whose first row stays visible (frozen), for Résultats and Journal."""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        b'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        b'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        b'<sheetData/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        b'header="0.3" footer="0.3"/></worksheet>'
    )


def _check_root(head: bytes, prefix: bytes) -> None:
    root = _ROOT.search(head)
    if root is None or (root.group(1) or b"") != prefix:
        raise _malformed("élément racine inattendu")
    if b"purl.oclc.org/ooxml/spreadsheetml" in head:
        raise WorkbookError(
            "Classeur au format « Open XML strict », que l'écriture des résultats ne prend pas "
            "en charge : enregistrez-le au format « Classeur Excel (.xlsx) » puis relancez. "
            "Rien n'a été envoyé."
        )


def _malformed(why: str) -> WorkbookError:
    return WorkbookError(
        f"Feuille illisible pour l'écriture des résultats ({why}) : ouvrez le classeur dans "
        "Excel, enregistrez-le au format « Classeur Excel (.xlsx) » et relancez. "
        "Rien n'a été envoyé.",
        detail=why,
    )
