"""Fingerprints of what a row sends, of its pièce and of its update key, for the run journal.

A row's fingerprint is computed from its formatted field values (code=text pairs), not from the
line sent, because the header of a batch depends on which other rows travel with it. Journal
fingerprints of a line holding a secret (`USR_PASSWD`) are keyed (BLAKE2b MAC) with the
journal's random salt, so that the secret cannot be guessed from them; the workbook stamp then
leaves secret fields out. Other lines hold nothing the workbook does not show.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b

from addin.core.catalog import Endpoint, Field
from addin.core.entries import entry_groups
from addin.core.formatted import Formatted, format_rows, group_keys
from addin.core.sheet import SheetData

__all__ = ["RowPrint", "is_secret_field", "parse_stamp", "row_prints", "stamp_text", "target_tag"]

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
    target: str = ""  # tag of the server + company it is sent to (same for every row)


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
    """BLAKE2b, 128 bits (32 hex digits), keyed when `salt` is given: one C call per text."""
    return blake2b(text.encode("utf-8"), key=salt, digest_size=16).hexdigest()


def _row_texts(fs: Formatted, codes: tuple[str, ...], columns: list[int]) -> list[str]:
    """Each row as its non-empty `CODE=text` pairs, columns in code order: the same content
    gives the same text whatever the column order or the empty columns of the sheet."""
    if not columns:
        return [""] * fs.n_rows
    tagged = [[f"{codes[j]}={t}" if t else "" for t in fs.cols[j]] for j in columns]
    join = _SEP.join
    return [join(filter(None, row)) for row in zip(*tagged, strict=True)]


def row_prints(
    data: SheetData, endpoint: Endpoint, salt: bytes, *, delimiter: str = "", target: str = ""
) -> list[RowPrint]:
    """Fingerprints of every row of `data`, in row order (rows with blocking cells included)."""
    fs = format_rows(data, "" if endpoint.positional else delimiter)
    codes = data.codes
    order = sorted(range(len(codes)), key=codes.__getitem__)
    secret = _secret_columns(data)
    scope = endpoint.name + _SEP
    contents = [scope + text for text in _row_texts(fs, codes, order)]
    public = ([scope + text for text in _row_texts(fs, codes, [j for j in order
                                                                if j not in secret])]
              if secret else contents)
    # Keyed only where a line holds a secret: elsewhere the content is the workbook's own, and
    # one hash per row then gives both the journal's fingerprint and the workbook's stamp.
    key = salt if secret else b""
    fps = [_mac(key, text) for text in contents]
    groups = _groups(data, fs)
    members: dict[int, list[int]] = {}
    for rp, g in enumerate(groups):
        members.setdefault(g, []).append(rp)
    piece_fp = {
        g: fps[rps[0]] if len(rps) == 1 else _mac(key, "\x1e".join(contents[rp] for rp in rps))
        for g, rps in members.items()
    }
    key_cols = sorted((j for j, c in enumerate(codes) if c in endpoint.key_fields),
                      key=codes.__getitem__)
    if key_cols:
        folded = [[t.casefold() for t in fs.cols[j]] for j in key_cols]
        keys = [_mac(key, scope + _SEP.join(values)) for values in zip(*folded, strict=True)]
    else:
        keys = [""] * fs.n_rows
    if secret:
        stamps = [blake2b(text.encode("utf-8"), digest_size=STAMP_LENGTH // 2).hexdigest()
                  for text in public]
    else:
        stamps = [fp[:STAMP_LENGTH] for fp in fps]
    tag = target_tag(target)
    return [RowPrint(row.row, fps[rp], piece_fp[groups[rp]], keys[rp], stamps[rp], groups[rp], tag)
            for rp, row in enumerate(data.rows)]


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
