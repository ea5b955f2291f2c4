"""Every cell of a sheet formatted once into the text it will be sent as, and issues at a cell.

Shared by validation (`validate`, `entries`) and line building (`lines`), below all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, islice
from operator import ne

from addin.core import issues as ic
from addin.core.issues import Issue, Severity
from addin.core.secret_fields import Scrubber, mask_text
from addin.core.sheet import SheetData, raw_columns
from addin.core.values import Problem, display, make_column_formatter

__all__ = [
    "Formatted", "format_rows", "group_columns", "group_keys", "group_starts", "issue_at",
    "required_issue",
]


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
    _keys: list[tuple[str, ...]] | None = None  # see group_keys and group_starts
    _starts: list[int] | None = None

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


def issue_at(
    data: SheetData, rp: int, j: int | None, code: str, message: str,
    severity: Severity = Severity.BLOCKING, field: str = "",
) -> Issue:
    """An issue on row position `rp` (and column position `j`), with its Excel address."""
    row = data.rows[rp]
    secret = _secret_codes(data)
    if secret:  # a rule's message may quote any cell of the row: never a password
        message = Scrubber(display(row.values.get(c)).strip() for c in secret)(message)
    if j is None:
        return Issue(code, severity, message, data.sheet, row.row, "", field)
    col = data.columns[j]
    value = display(row.values.get(col.code))
    if col.code in secret:
        value = mask_text(value)
    return Issue(code, severity, message, data.sheet, row.row, col.letter, col.code,
                 value if len(value) <= 200 else value[:199] + "…")


def _secret_codes(data: SheetData) -> tuple[str, ...]:
    """Codes of the sheet's sent columns that hold secrets (memoised on `data`)."""
    codes = data.cache.get("secret-codes")
    if codes is None:
        ep = data.endpoint
        codes = data.cache["secret-codes"] = tuple(
            c.code for c in data.columns if (f := ep.field(c.code)) is not None and f.is_secret
        )
    return codes


def required_issue(data: SheetData, fs: Formatted, rp: int, j: int) -> Issue | None:
    """`required` when the cell is blank (a cell already in error is not reported twice)."""
    if fs.cols[j][rp] or (rp, j) in fs.bad:
        return None
    f = data.endpoint.field(data.columns[j].code)
    label = f"{f.code} ({f.label})" if f else data.columns[j].code
    return issue_at(data, rp, j, ic.REQUIRED, f"{label} est obligatoire : renseignez-le.")


def group_columns(data: SheetData) -> list[int] | None:
    """Positions of the sent columns that make a row's document key (None: no grouping)."""
    ep = data.endpoint
    if not ep.grouping or ep.positional:
        return None
    return [j for j, c in enumerate(data.columns) if c.code in ep.grouping]


def group_keys(data: SheetData, fs: Formatted) -> list[tuple[str, ...]] | None:
    """The document key of each row (its grouping values), or None if the endpoint has none."""
    idx = group_columns(data)
    if idx is None:
        return None
    if fs._keys is None:
        fs._keys = (list(zip(*(fs.cols[j] for j in idx), strict=True)) if idx
                    else [()] * fs.n_rows)
    return fs._keys


def group_starts(data: SheetData, fs: Formatted) -> list[int] | None:
    """Row positions where the document key changes (0 first), or None without grouping:
    found column by column at C speed, without a key per row."""
    idx = group_columns(data)
    if idx is None:
        return None
    if fs._starts is None:
        n = fs.n_rows
        changed: set[int] = set()
        for j in idx:
            col = fs.cols[j]
            changed.update(compress(range(1, n), map(ne, islice(col, 1, None), col)))
        fs._starts = [0, *sorted(changed)] if n else []
    return fs._starts
