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
from dataclasses import dataclass, field

from addin.core import issues as ic
from addin.core.issues import Issue, Severity, has_blocking
from addin.core.rules import required_fields, row_rules
from addin.core.sheet import SheetData, raw_columns
from addin.core.values import Problem, display, make_column_formatter

__all__ = ["Formatted", "format_rows", "has_blocking", "validate"]


@dataclass(slots=True)
class Formatted:
    """Texts by column then row (`cols[j][rp]`) and the cell problems met formatting them.

    Column-major because every hot loop (formatting, checks, joining lines) then runs over one
    list at C speed; `texts` gives the row-major view for the few per-row checks.
    """

    cols: list[list[str]]
    n_rows: int
    problems: list[tuple[int, int, Problem]] = field(default_factory=list)  # (row pos, col pos)
    bad: set[tuple[int, int]] = field(default_factory=set)  # blocking cells, their text is ""
    _texts: list[tuple[str, ...]] | None = None

    @property
    def texts(self) -> list[tuple[str, ...]]:
        """Row-major view: `texts[rp][j]`."""
        if self._texts is None:
            self._texts = list(zip(*self.cols, strict=True)) if self.cols else [()] * self.n_rows
        return self._texts


def format_rows(data: SheetData, delimiter: str = "") -> Formatted:
    """Format every cell once (memoised on `data`, shared by `validate` and `build_batches`)."""
    key = ("formatted", delimiter)
    cached = data.cache.get(key)
    if cached is not None:
        return cached
    ep = data.endpoint
    sep = ep.separator or ";"
    codes = data.codes
    rows = data.rows
    out = Formatted([], len(rows))
    # One C-level transpose gives each column's raw values.
    raw = raw_columns(data)
    for j, code in enumerate(codes):
        f = ep.field(code)
        assert f is not None, code  # read_sheet only keeps field columns
        fmt = make_column_formatter(f, separator=sep, delimiter=delimiter,
                                    positional=ep.positional)
        col = fmt(raw[j])
        try:
            "".join(col)  # type: ignore[arg-type]  # C-speed proof that every cell is a str
        except TypeError:  # a Problem somewhere: the rare, slow path
            _settle(out, j, col)
        out.cols.append(col)
    data.cache[key] = out
    return out


def _settle(out: Formatted, j: int, col: list) -> None:
    """Record a column's problems; warnings keep their text, blocking cells become ""."""
    for rp, t in enumerate(col):
        if t.__class__ is not str:
            out.problems.append((rp, j, t))
            if t.severity is Severity.BLOCKING or t.text is None:
                col[rp] = ""
                out.bad.add((rp, j))
            else:
                col[rp] = t.text


def validate(data: SheetData, *, delimiter: str = "") -> list[Issue]:
    """Every issue of the sheet (structural ones from reading included), sorted by row."""
    found: list[Issue] = []
    if data.header_row is not None and data.rows:
        fs = format_rows(data, delimiter)
        found += _cell_issues(data, fs)
        if data.endpoint.positional:
            from addin.core.entries import entry_issues  # Ecritures only; keeps this module small

            found += entry_issues(data, fs)
        else:
            found += _required(data, fs)
            found += _row_rules(data, fs)
            found += _duplicate_keys(data, fs)
            found += _grouping(data, fs)
    order = {c.letter: c.index for c in data.columns}
    found.sort(key=lambda i: (i.row or 0, order.get(i.column, -1)))
    return list(data.issues) + found


def issue_at(
    data: SheetData, rp: int, j: int | None, code: str, message: str,
    severity: Severity = Severity.BLOCKING, field: str = "",
) -> Issue:
    """An issue on row position `rp` (and column position `j`), with its Excel address."""
    row = data.rows[rp]
    if j is None:
        return Issue(code, severity, message, data.sheet, row.row, "", field)
    col = data.columns[j]
    value = display(row.values.get(col.code))
    return Issue(code, severity, message, data.sheet, row.row, col.letter, col.code,
                 value if len(value) <= 200 else value[:199] + "…")


def _cell_issues(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    for rp, j, p in fs.problems:
        yield issue_at(data, rp, j, p.code, p.message, p.severity)


def required_issue(data: SheetData, fs: Formatted, rp: int, j: int) -> Issue | None:
    """`required` when the cell is blank (a cell already in error is not reported twice)."""
    if fs.cols[j][rp] or (rp, j) in fs.bad:
        return None
    f = data.endpoint.field(data.columns[j].code)
    label = f"{f.code} ({f.label})" if f else data.columns[j].code
    return issue_at(data, rp, j, ic.REQUIRED, f"{label} est obligatoire : renseignez-le.")


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


def group_keys(data: SheetData, fs: Formatted) -> list[tuple[str, ...]] | None:
    """The document key of each row (its grouping values), or None if the endpoint has none."""
    ep = data.endpoint
    if not ep.grouping or ep.positional:
        return None
    idx = [j for j, c in enumerate(data.columns) if c.code in ep.grouping]
    if not idx:
        return [()] * fs.n_rows
    return list(zip(*(fs.cols[j] for j in idx), strict=True))


def _grouping(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    keys = group_keys(data, fs)
    if keys is None:
        return
    third = next((j for j, c in enumerate(data.columns) if c.code == "PCF_CODE"), None)
    check_third = third is not None and "PCF_CODE" not in (data.endpoint.grouping or ())
    done: dict[tuple[str, ...], int] = {}
    start = 0
    for rp, key in enumerate(keys):
        if rp and key == keys[rp - 1]:
            # Reported where it changes (not on every later line of the same document).
            if check_third and fs.cols[third][rp] != fs.cols[third][rp - 1]:  # type: ignore[index]
                yield issue_at(
                    data, rp, third, ic.THIRD_PARTY_CHANGES,
                    f"Le tiers change (« {fs.cols[third][rp - 1]} » ligne "  # type: ignore[index]
                    f"{data.rows[rp - 1].row}, « {fs.cols[third][rp]} » ici) sans que le "
                    f"document change : Gestimum ajouterait cette ligne au document précédent. "
                    f"Donnez à chaque document son propre DOC_PIECE ou DOC_REFPCF.",
                )
            continue
        if rp:
            done.setdefault(keys[rp - 1], start)
        start = rp
        if key in done:
            yield issue_at(
                data, rp, None, ic.BROKEN_GROUPING,
                f"Cette ligne appartient au document commencé ligne {data.rows[done[key]].row}, "
                f"mais d'autres documents s'intercalent : Gestimum créerait deux documents. "
                f"Regroupez les lignes de chaque document les unes sous les autres (triez la "
                f"feuille).",
            )
