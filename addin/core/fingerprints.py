"""Fingerprints of what a row sends, of its pièce and of its update key, for the run journal.

A row's fingerprint is computed from its formatted field values (code=text pairs), not from the
line sent, because the header of a batch depends on which other rows travel with it. Journal
fingerprints are keyed (HMAC-SHA-256) with the journal's random salt, so that a line holding a
secret (`USR_PASSWD`) cannot be guessed from them; the workbook stamp leaves secret fields out.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from addin.core.catalog import Endpoint, Field
from addin.core.entries import entry_groups
from addin.core.formatted import Formatted, format_rows, group_keys
from addin.core.sheet import SheetData

__all__ = ["RowPrint", "is_secret_field", "row_prints", "stamp_text", "parse_stamp"]

_SEP = "\x1f"  # unit separator: cannot occur in a cell text that passed validation
STAMP_LENGTH = 20  # hex digits of the workbook stamp: 80 bits, plenty for one sheet


@dataclass(frozen=True, slots=True)
class RowPrint:
    """One row's fingerprints: `fp` (its content), `piece` (its whole pièce), `key` (update key)."""

    row: int  # Excel row
    fp: str
    piece: str
    key: str  # "" when the endpoint has no update key
    stamp: str  # unkeyed, secret fields left out: stored in the workbook (#EMPREINTE)
    group: int  # index of its pièce within the sheet


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


def _groups(data: SheetData, fs: Formatted) -> list[int]:
    """Group index of each row position: pièces for documents and entries, else one per row."""
    n = fs.n_rows
    if data.endpoint.positional:
        index = list(range(n))
        for g, (start, end) in enumerate(entry_groups(data, fs)):
            for rp in range(start, end):
                index[rp] = g
        return index
    keys = group_keys(data, fs)
    if keys is None:
        return list(range(n))
    index, g, last = [], -1, object()
    for key in keys:
        if key != last:
            g, last = g + 1, key
        index.append(g)
    return index


def _mac(salt: bytes, text: str) -> str:
    """HMAC-SHA-256 cut to 128 bits (32 hex digits): collisions stay out of reach."""
    return hmac.new(salt, text.encode("utf-8"), hashlib.sha256).digest()[:16].hex()


def row_prints(
    data: SheetData, endpoint: Endpoint, salt: bytes, *, delimiter: str = ""
) -> list[RowPrint]:
    """Fingerprints of every row of `data`, in row order (rows with blocking cells included)."""
    fs = format_rows(data, "" if endpoint.positional else delimiter)
    codes = data.codes
    secret = _secret_columns(data)
    key_cols = [j for j, c in enumerate(codes) if c in endpoint.key_fields]
    scope = endpoint.name + _SEP
    texts = fs.texts
    contents = [
        scope + _SEP.join(f"{codes[j]}={t}" for j, t in enumerate(row) if t) for row in texts
    ]
    public = [
        scope + _SEP.join(f"{codes[j]}={t}" for j, t in enumerate(row) if t and j not in secret)
        for row in texts
    ] if secret else contents
    groups = _groups(data, fs)
    members: dict[int, list[int]] = {}
    for rp, g in enumerate(groups):
        members.setdefault(g, []).append(rp)
    piece_fp = {
        g: _mac(salt, "\x1e".join(contents[rp] for rp in rps)) for g, rps in members.items()
    }
    out = []
    for rp, row in enumerate(data.rows):
        key = ""
        if key_cols and endpoint.key_fields:
            key = _mac(salt, scope + _SEP.join(texts[rp][j].casefold() for j in key_cols))
        stamp = hashlib.sha256(public[rp].encode("utf-8")).hexdigest()[:STAMP_LENGTH]
        out.append(RowPrint(row.row, _mac(salt, contents[rp]), piece_fp[groups[rp]], key, stamp,
                            groups[rp]))
    return out


def stamp_text(run_id: str, stamp: str) -> str:
    """The `#EMPREINTE` cell of an imported row: run id and content stamp."""
    return f"{run_id} {stamp}"


def parse_stamp(value: object) -> tuple[str, str] | None:
    """(run id, stamp) from an `#EMPREINTE` cell, None when blank or not ours."""
    if not isinstance(value, str):
        return None
    parts = value.strip().lstrip("'").split()
    if len(parts) != 2 or len(parts[1]) != STAMP_LENGTH:
        return None
    return parts[0], parts[1]
