"""SheetData → every issue, in one pass that also formats the texts `lines` will send.

Never stops at the first problem and never raises per cell. Choices (DESIGN §4):
* `duplicate-key`: two rows with the same update key (compared case-insensitively, as
  Gestimum's codes are) block: the second would silently overwrite the first.
* `broken-grouping`: a document (or accounting pièce) whose lines are not consecutive blocks:
  Gestimum would create two documents.
* `third-party-changes`: in sales/purchase documents the third party is not a grouping field,
  so a change of `PCF_CODE` alone would append lines to the previous client's document: blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress, islice
from operator import ne

from addin.core import issues as ic
from addin.core.entries import entry_issues
from addin.core.formatted import (
    Formatted,
    format_rows,
    group_columns,
    group_starts,
    issue_at,
    required_issue,
)
from addin.core.issues import Issue, has_blocking
from addin.core.rules import required_fields, row_rules
from addin.core.sheet import SheetData

__all__ = ["has_blocking", "validate"]


def validate(data: SheetData, *, delimiter: str = "") -> list[Issue]:
    """Every issue of the sheet (structural ones from reading included), sorted by row."""
    found: list[Issue] = []
    if data.header_row is not None and data.rows:
        fs = format_rows(data, delimiter)
        found += _cell_issues(data, fs)
        if data.endpoint.positional:
            found += entry_issues(data, fs)
        else:
            found += _required(data, fs)
            found += _row_rules(data, fs)
            found += _duplicate_keys(data, fs)
            found += _grouping(data, fs)
    order = {c.letter: c.index for c in data.columns}
    found.sort(key=lambda i: (i.row or 0, order.get(i.column, -1)))
    return list(data.issues) + found


def _cell_issues(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    for rp, j, p in fs.problems:
        yield issue_at(data, rp, j, p.code, p.message, p.severity)


def _required(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    req = required_fields(data.endpoint)
    idx = [j for j, c in enumerate(data.columns) if c.code in req]
    if not idx:
        return
    for j in idx:
        col = fs.cols[j]
        if "" not in col:
            continue
        for rp, t in enumerate(col):
            if not t:
                issue = required_issue(data, fs, rp, j)
                if issue is not None:
                    yield issue


def _row_rules(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    rules = row_rules(data.endpoint)
    if not rules:
        return
    codes = data.codes
    pos = {c: j for j, c in enumerate(codes)}
    for rp, texts in enumerate(fs.texts):
        row = dict(zip(codes, texts, strict=True))
        for rule in rules:
            for code, message in rule(row):
                yield issue_at(data, rp, pos.get(code), ic.CONDITION, message, field=code)


def _duplicate_keys(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    ep = data.endpoint
    if ep.creation_only or not ep.key_fields:
        return
    idx = [j for j, c in enumerate(data.columns) if c.code in ep.key_fields]
    if not idx:
        return
    names = "+".join(data.columns[j].code for j in idx)
    empty = "\x1f" * (len(idx) - 1)
    keys = list(map(str.upper, map("\x1f".join, zip(*(fs.cols[j] for j in idx), strict=True))))
    n_empty = keys.count(empty)
    if len(set(keys)) - (1 if n_empty else 0) == len(keys) - n_empty:
        return  # no two equal keys (blank keys apart): the usual case, checked at C speed
    seen: dict[str, int] = {}
    for rp, key in enumerate(keys):
        if key == empty:
            continue  # no key: Gestimum numbers the record itself
        first = seen.setdefault(key, rp)
        if first != rp:
            shown = " / ".join(fs.cols[j][rp] for j in idx)
            yield issue_at(
                data, rp, idx[0], ic.DUPLICATE_KEY,
                f"{names} « {shown} » figure déjà ligne {data.rows[first].row} : cette ligne "
                f"écraserait la précédente dans Gestimum. Supprimez le doublon ou fusionnez les "
                f"deux lignes.",
            )


def _grouping(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    idx, starts = group_columns(data), group_starts(data, fs)
    if idx is None or starts is None:
        return
    third = next((j for j, c in enumerate(data.columns) if c.code == "PCF_CODE"), None)
    if third is not None and "PCF_CODE" not in (data.endpoint.grouping or ()):
        # Reported where it changes (not on every later line of the same document).
        col = fs.cols[third]
        changes = compress(range(1, fs.n_rows), map(ne, islice(col, 1, None), col))
        new = set(starts)
        for rp in changes:
            if rp not in new:
                yield issue_at(
                    data, rp, third, ic.THIRD_PARTY_CHANGES,
                    f"Le tiers change (« {col[rp - 1]} » ligne {data.rows[rp - 1].row}, "
                    f"« {col[rp]} » ici) sans que le document change : Gestimum ajouterait "
                    f"cette ligne au document précédent. Donnez à chaque document son propre "
                    f"DOC_PIECE ou DOC_REFPCF.",
                )
    # Each column's values on the first row of each run of lines with the same key.
    firsts = [[fs.cols[j][rp] for rp in starts] for j in idx]
    if any(len(set(values)) == len(starts) for values in firsts):
        return  # a column (DOC_PIECE, DOC_REFPCF…) differs on every run: no key comes back
    keys = list(zip(*firsts, strict=True)) if idx else [()] * len(starts)
    done: dict[tuple[str, ...], int] = {}
    for rp, key in zip(starts, keys, strict=True):
        first = done.setdefault(key, rp)
        if first != rp:
            yield issue_at(
                data, rp, None, ic.BROKEN_GROUPING,
                f"Cette ligne appartient au document commencé ligne {data.rows[first].row}, "
                f"mais d'autres documents s'intercalent : Gestimum créerait deux documents. "
                f"Regroupez les lignes de chaque document les unes sous les autres (triez la "
                f"feuille).",
            )
