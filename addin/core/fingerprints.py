"""Fingerprints of what a row sends, of its pièce and of its update key, for the run journal.

A row's fingerprint is computed from its formatted field values (code=text pairs), not from the
line sent, because the header of a batch depends on which other rows travel with it. Journal
fingerprints of a line holding a secret (`USR_PASSWD`) are keyed (BLAKE2b MAC) with the
journal's random salt, so that the secret cannot be guessed from them; the workbook stamp then
leaves secret fields out. Other lines hold nothing the workbook does not show.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from hashlib import blake2b
from itertools import repeat
from typing import NamedTuple

from addin.core.catalog import Endpoint, Field
from addin.core.entries import entry_groups
from addin.core.formatted import Formatted, format_rows
from addin.core.sheet import SheetData
from addin.core.sheet_rows import row_numbers

__all__ = ["RowPrint", "is_secret_field", "parse_stamp", "row_prints", "stamp_text", "target_tag"]

_SEP = "\x1f"  # unit separator: cannot occur in a cell text that passed validation
_PIECE_SEP = b"\x1e"  # between the rows of a pièce
STAMP_LENGTH = 20  # hex digits of the workbook stamp: 80 bits, plenty for one sheet
CHUNK_ROWS = 4096  # rows whose texts exist at once: row_prints' memory besides its result


class RowPrint(NamedTuple):
    """One row's fingerprints: `fp` (its content), `piece` (its whole pièce), `key` (update key).

    A named tuple, not a dataclass: 100,000 of them are built from C (`_new_print`)."""

    row: int  # Excel row
    fp: str
    piece: str
    key: str  # "" when the endpoint has no update key
    stamp: str  # unkeyed, secret fields left out: stored in the workbook (#EMPREINTE)
    group: int  # index of its pièce within the sheet
    target: str = ""  # tag of the server + company it is sent to (same for every row)


_new_print = partial(tuple.__new__, RowPrint)  # RowPrint from a 7-tuple, without Python code
_hex = blake2b.hexdigest


def is_secret_field(code: str, label: str) -> bool:
    """True for password fields (e.g. `USR_PASSWD`, "Mot de passe"): never stored in clear.
    One rule for the whole add-in: the catalog's `Field.is_secret`."""
    return Field(code, label, "text").is_secret


def _secret_columns(data: SheetData) -> set[int]:
    out = set()
    for j, code in enumerate(data.codes):
        f = data.endpoint.field(code)
        if f is not None and f.is_secret:
            out.add(j)
    return out


def _pieces(data: SheetData, fs: Formatted) -> list[tuple[int, int]] | None:
    """(start, end) row positions of each pièce (contiguous runs), None when each row is one.

    Documents: a new pièce where a grouping value changes (the rule of `group_keys`, run over
    the columns without building every row's key); entries: `entry_groups`."""
    ep = data.endpoint
    if ep.positional:
        return entry_groups(data, fs)
    if not ep.grouping:
        return None
    n = fs.n_rows
    idx = [j for j, c in enumerate(data.columns) if c.code in ep.grouping]
    if not idx:
        return [(0, n)] if n else []
    runs, start, last = [], 0, None
    for rp, key in enumerate(zip(*(fs.cols[j] for j in idx), strict=True)):
        if rp and key != last:
            runs.append((start, rp))
            start = rp
        last = key
    if n:
        runs.append((start, n))
    return runs


def _row_texts(name: str, tagged: Sequence[tuple[str, list[str]]], a: int, b: int) -> list[str]:
    """Rows a..b as the endpoint's `name` then their non-empty `CODE=text` pairs, joined by the
    unit separator (`tagged`: each column's `SEP CODE=` prefix and texts, in code order): the
    same content gives the same text whatever the column order or the empty columns.

    One C-level %-format per row: a column filled in every row of the chunk is a `%s` after
    its prefix, one filled in some rows is tagged beforehand ("" where empty)."""
    template, args = [name.replace("%", "%%")], []
    full = False
    for prefix, col in tagged:
        part = col[a:b]
        if all(part):
            template.append(prefix.replace("%", "%%") + "%s")
            args.append(part)
            full = True
        elif any(part):
            template.append("%s")
            args.append([prefix + t if t else "" for t in part])
    scope = name + _SEP  # the text of a row with nothing to send
    if not args:
        return [scope] * (b - a)
    texts = list(map("".join(template).__mod__, zip(*args, strict=True)))
    if not full and name in texts:
        texts = [scope if t == name else t for t in texts]
    return texts


def row_prints(
    data: SheetData, endpoint: Endpoint, salt: bytes, *, delimiter: str = "", target: str = ""
) -> list[RowPrint]:
    """Fingerprints of every row of `data`, in row order (rows with blocking cells included).

    Rows are hashed CHUNK_ROWS at a time, so that the row texts never exist all at once."""
    fs = format_rows(data, "" if endpoint.positional else delimiter)
    codes, cols = data.codes, fs.cols
    order = sorted(range(len(codes)), key=codes.__getitem__)
    secret = _secret_columns(data)
    name = endpoint.name
    contents = [(f"{_SEP}{codes[j]}=", cols[j]) for j in order]
    public = [(p, c) for j, (p, c) in zip(order, contents, strict=True) if j not in secret]
    # Keyed only where a line holds a secret: elsewhere the content is the workbook's own, and
    # one hash per row then gives both the journal's fingerprint and the workbook's stamp.
    mac = partial(blake2b, key=salt if secret else b"", digest_size=16)
    stamp_hash = partial(blake2b, digest_size=STAMP_LENGTH // 2)
    key_cols = [cols[j] for j in sorted((j for j, c in enumerate(codes)
                                         if c in endpoint.key_fields), key=codes.__getitem__)]
    tag = target_tag(target)
    pieces = _pieces(data, fs)
    open_piece = _OpenPiece(mac, tag, iter(pieces or ()))
    out: list[RowPrint] = []
    n = fs.n_rows
    numbers = row_numbers(data.rows)  # Excel rows, without making a row object per row
    for a in range(0, n, CHUNK_ROWS):
        b = min(a + CHUNK_ROWS, n)
        encoded = list(map(str.encode, _row_texts(name, contents, a, b)))
        fps = list(map(_hex, map(mac, encoded)))
        if key_cols:
            folded = [map(str.casefold, col[a:b]) for col in key_cols]
            keys = list(map(_hex, map(mac, map(str.encode, map(
                _SEP.join, zip(repeat(name), *folded))))))
        else:
            keys = [""] * (b - a)
        if secret:
            stamps = list(map(_hex, map(stamp_hash, map(str.encode, _row_texts(
                name, public, a, b)))))
        else:
            stamps = [fp[:STAMP_LENGTH] for fp in fps]
        rows = list(numbers[a:b])
        if pieces is None:  # each row is its own pièce
            out.extend(map(_new_print, zip(rows, fps, fps, keys, stamps, range(a, b),
                                           repeat(tag))))
        else:
            open_piece.feed(out, a, encoded, list(zip(rows, fps, keys, stamps, strict=True)))
    return out


class _OpenPiece:
    """The pièce being hashed across chunks: BLAKE2b over its rows' texts joined by
    `_PIECE_SEP`, fed as they come (the same digest as hashing the joined text at once)."""

    def __init__(self, mac: partial[blake2b], tag: str, pieces: Iterator[tuple[int, int]]) -> None:
        self.mac, self.tag, self.pieces = mac, tag, enumerate(pieces)
        self.group, self.start, self.end = -1, 0, 0
        self.hasher = mac()
        self.rows: list[tuple[int, str, str, str]] = []  # (row, fp, key, stamp) not yet out

    def feed(self, out: list[RowPrint], a: int, encoded: list[bytes],
             rows: list[tuple[int, str, str, str]]) -> None:
        """Chunk rows a.. (their encoded texts and (row, fp, key, stamp)) into `out`."""
        i, b = a, a + len(rows)
        while i < b:
            if i >= self.end:  # the next pièce (an empty one holds no row)
                self.group, (self.start, self.end) = next(self.pieces)
                continue
            end = min(self.end, b)
            part = rows[i - a:end - a]
            if self.end - self.start == 1:  # one row: its own fingerprint
                self._out(out, part, part[0][1])
            else:
                if i == self.start:
                    self.hasher = self.mac()
                else:
                    self.hasher.update(_PIECE_SEP)
                self.hasher.update(_PIECE_SEP.join(encoded[i - a:end - a]))
                self.rows += part
                if end == self.end:
                    self._out(out, self.rows, self.hasher.hexdigest())
                    self.rows = []
            i = end

    def _out(self, out: list[RowPrint], rows: list[tuple[int, str, str, str]], piece: str) -> None:
        group, tag = self.group, self.tag
        out.extend(_new_print((r, fp, piece, key, stamp, group, tag))
                   for r, fp, key, stamp in rows)


def target_tag(target: str) -> str:
    """8 hex digits naming a server + company: a mark left by an import into another company
    (a test server before production, say) must not hold rows back here."""
    return blake2b(target.casefold().encode("utf-8"), digest_size=4).hexdigest() if target else ""


def stamp_text(run_id: str, p: RowPrint) -> str:
    """The `#EMPREINTE` cell of an imported row: run id, target tag and content stamp."""
    return f"{run_id} {p.target} {p.stamp}" if p.target else f"{run_id} {p.stamp}"


def parse_stamp(value: object) -> tuple[str, str, str] | None:
    """(run id, target tag or "", stamp) from an `#EMPREINTE` cell, None when blank or not ours."""
    if not isinstance(value, str):
        return None
    parts = value.strip().lstrip("'").split()
    if len(parts) == 2:
        parts.insert(1, "")
    if len(parts) != 3 or len(parts[2]) != STAMP_LENGTH:
        return None
    return parts[0], parts[1], parts[2]
