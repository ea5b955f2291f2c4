"""A 2-D grid of cell values → `SheetData`: header found by field codes, Excel rows kept.

Documented choices (DESIGN §3.1):
* The header row is the first row, within the first 20, made of the endpoint's field codes
  (case-insensitive; at least half of its non-`#` cells are codes, the rest are reported as
  `unknown-column`). Rows above it (a French label row, a title) are ignored. When no row of
  codes exists, a row of headers `core.mapping` recognises (French labels, synonyms such as
  "CP" or "SIRET", the saved mapping) is accepted the same way: an export keeps its headers.
* Headers starting with `#` are never sent; `#STATUT` is where the add-in writes each row's
  outcome. Any other header, or data under an empty header, is a blocking issue.
* A row whose only non-empty cells are in `#` columns is blank and skipped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import Any

from addin.core import issues as ic
from addin.core.catalog import Endpoint
from addin.core.debit_credit import DebitCredit, fill_amounts, side_of
from addin.core.header_issues import missing_column_issues, unknown_column_issue
from addin.core.issues import Issue, Severity, column_letter
from addin.core.layout import STAMP_HEADER, STATUS_HEADER
from addin.core.mapping import (
    IGNORED,
    HeaderMatch,
    Matcher,
)
from addin.core.sheet_rows import Rows, SheetRow

__all__ = [
    "Column",
    "HEADER_SEARCH_ROWS",
    "STAMP_HEADER",
    "STATUS_HEADER",
    "SheetData",
    "SheetRow",
    "header_index",
    "raw_columns",
    "read_sheet",
]

HEADER_SEARCH_ROWS = 20


@dataclass(slots=True)
class Column:
    """A sent column: field code, Excel letter, and its index in the grid rows."""

    code: str
    letter: str
    index: int


@dataclass(slots=True)
class SheetData:
    """What a sheet holds for one endpoint, before validation."""

    sheet: str
    endpoint: Endpoint
    header_row: int | None
    columns: list[Column]
    rows: Sequence[SheetRow]  # `Rows` as read (SheetRow made on demand), or any list of them
    status_column: Column | None = None
    issues: list[Issue] = field(default_factory=list)
    stamp_column: Column | None = None  # #EMPREINTE, written by imports (run journal)
    label_header: bool = False  # the header row holds French labels, not codes
    # Each non-# header and the field it was matched to (shown by `check`, saved on request).
    mapping: list[HeaderMatch] = field(default_factory=list)
    # Formatted texts shared by validate() and build_batches() (see validate.format_rows).
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """Field codes of the sent columns, in sheet order (the same tuple object each time)."""
        key = ("codes", len(self.columns))
        codes = self.cache.get(key)
        if codes is None or list(codes) != [c.code for c in self.columns]:
            codes = self.cache[key] = tuple(c.code for c in self.columns)
        return codes

    def column(self, code: str) -> Column | None:
        return next((c for c in self.columns if c.code == code), None)


def raw_columns(data: SheetData) -> list[Sequence[object]]:
    """Each sent column's raw values, row after row (read-only): the columns kept by
    `read_sheet` when the rows are still those it read, else one C-level transpose."""
    codes = data.codes
    rows = data.rows
    if isinstance(rows, Rows):
        kept = rows.raw_columns(codes)
        if kept is not None:
            return kept
    if not rows:
        return [() for _ in codes]
    cells = [r.cells_for(codes) for r in rows]
    return list(zip(*cells, strict=True)) if codes else []


def _text(cell: object) -> str:
    return cell.strip() if isinstance(cell, str) else "" if cell is None else str(cell).strip()


def _header_text(cell: object) -> str:
    """A header cell as compared with field codes: NFC, without invisible characters."""
    text = _text(cell)
    if text.isascii():
        return text
    return "".join(
        c for c in unicodedata.normalize("NFC", text) if unicodedata.category(c) != "Cf"
    ).strip()


def _invisible(text: str) -> list[str]:
    """The invisible (format) characters of a header, named: « U+200B ZERO WIDTH SPACE »."""
    seen = dict.fromkeys(c for c in text if unicodedata.category(c) == "Cf")
    return [f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in seen]


def shown_invisible(text: str) -> str:
    """The text with each invisible character made visible as <U+200B>."""
    return "".join(
        f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cf", "Cc") else c for c in text
    )


def _find_header(
    grid: Sequence[Sequence[object]], match: Callable[[str], object]
) -> int | None:
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        texts = [t for t in map(_header_text, row) if t and not t.startswith("#")]
        hits = sum(1 for t in texts if match(t))
        if hits and hits * 2 >= len(texts):
            return r
    return None


def header_index(
    grid: Sequence[Sequence[object]], endpoint: Endpoint, saved: Mapping[str, str] | None = None
) -> int | None:
    """Index in `grid` of the header row `read_sheet` would take (codes, else any header
    `core.mapping` recognises)."""
    matcher = Matcher(endpoint, saved)
    h = _find_header(grid, matcher.by_code)
    return h if h is not None else _find_header(grid, lambda t: matcher.match(t)[0])


def read_sheet(
    grid: Sequence[Sequence[object]],
    endpoint: Endpoint,
    *,
    sheet: str,
    first_row: int = 1,
    first_col: int = 1,
    saved: Mapping[str, str] | None = None,
) -> SheetData:
    """Read a sheet's grid (rows of cell values) for `endpoint`; problems become `issues`.

    `saved` is the sheet's saved mapping (header → field code, or "#" for a column not sent).
    """
    matcher = Matcher(endpoint, saved)
    by_name = _find_header(grid, matcher.by_code) is None
    h = header_index(grid, endpoint, saved)
    if h is None:
        return SheetData(sheet, endpoint, None, [], [], None, [_no_header(sheet, endpoint)])

    header_row = first_row + h
    issues: list[Issue] = []
    columns: list[Column] = []
    status: Column | None = None
    stamp: Column | None = None
    named: set[int] = set()
    hashed: set[int] = set()  # `#` columns: never sent, never make a row non-blank
    by_code: dict[str, Column] = {}
    mapping: list[HeaderMatch] = []
    dc = DebitCredit()
    for i, cell in enumerate(grid[h]):
        text = _header_text(cell)
        if not text:
            continue
        named.add(i)
        letter = column_letter(first_col + i)
        hidden = _invisible(cell) if isinstance(cell, str) and not cell.isascii() else []
        if hidden:
            issues.append(Issue(
                ic.INVISIBLE_CHARACTER, Severity.WARNING,
                f"L'en-tête « {shown_invisible(cell.strip())} » contient un caractère invisible "
                f"({', '.join(hidden)}), souvent venu d'un copier-coller : il est ignoré et la "
                f"colonne est lue comme « {text} ». Retapez l'en-tête pour l'enlever.",
                sheet, header_row, letter, "", text,
            ))
        if text.startswith("#"):
            hashed.add(i)
            if text.upper() == STATUS_HEADER and status is None:
                status = Column(STATUS_HEADER, letter, i)
            elif text.upper() == STAMP_HEADER and stamp is None:
                stamp = Column(STAMP_HEADER, letter, i)
            continue
        side = side_of(text) if endpoint.positional else None
        if side is not None:  # Débit / Crédit: become Montant + Sens (core.debit_credit)
            spot = (i, letter)
            if side == "D":
                dc.debit = dc.debit or spot
            else:
                dc.credit = dc.credit or spot
            hashed.add(i)
            mapping.append(HeaderMatch(letter, text, "ECR_MONTANT",
                                       "débit" if side == "D" else "crédit"))
            continue
        code, how = matcher.match(text)
        mapping.append(HeaderMatch(letter, text, None if code == IGNORED else code, how,
                                   ignored=code == IGNORED))
        if code == IGNORED:
            hashed.add(i)
        elif code is None:
            issues.append(unknown_column_issue(endpoint, sheet, header_row, letter, text))
        elif code in by_code:
            issues.append(Issue(
                ic.DUPLICATE_COLUMN, Severity.BLOCKING,
                f"La colonne {code} apparaît deux fois (colonnes {by_code[code].letter} et "
                f"{letter}) : gardez-en une seule, ou préfixez l'autre par # pour ne pas "
                f"l'envoyer.",
                sheet, header_row, letter, code, text,
            ))
        else:
            by_code[code] = Column(code, letter, i)
            columns.append(by_code[code])

    own_amount = "ECR_MONTANT" in by_code or "ECR_SENS" in by_code
    spot = dc.debit or dc.credit
    if spot is not None:
        for code in ("ECR_MONTANT", "ECR_SENS"):  # filled row by row below
            if code not in by_code:
                by_code[code] = Column(code, spot[1], spot[0])
                columns.append(by_code[code])
    issues.extend(missing_column_issues(endpoint, sheet, header_row, by_code))
    data = grid[h + 1:]
    out = SheetData(sheet, endpoint, header_row, columns, [], status, issues,
                    label_header=by_name, mapping=mapping, stamp_column=stamp)
    unknown = named - hashed - {c.index for c in columns}
    out.rows = _rows(data, columns, status, first_row + h + 1, unknown, out.codes, stamp)
    if spot is not None:
        first = first_row + h + 1
        issues.extend(fill_amounts(out.rows, [data[r.row - first] for r in out.rows], dc,
                                   sheet=sheet, own_amount=own_amount))
    issues.extend(_unnamed_data(data, named, sheet, header_row, first_col))
    return out


def _rows(
    data: Sequence[Sequence[object]],
    columns: list[Column],
    status: Column | None,
    excel_row: int,
    unknown: set[int],
    codes: tuple[str, ...],
    stamp: Column | None = None,
) -> Rows:
    """The non-blank rows, column by column; hot path (a few C-level passes per column, no
    object per row: see `core.sheet_rows`)."""
    idx = [c.index for c in columns]
    st = status.index if status else None
    sp = stamp.index if stamp else None
    width = max(idx + [-1 if st is None else st, -1 if sp is None else sp]) + 1
    if data and min(map(len, data)) < width:  # ragged rows (xlwings/openpyxl trim): pad them
        data = [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in data]
    cols = [list(map(itemgetter(i), data)) for i in idx]
    statuses = list(map(itemgetter(st), data)) if st is not None else [None] * len(data)
    stamps = list(map(itemgetter(sp), data)) if sp is not None else [None] * len(data)
    numbers: Sequence[int] = range(excel_row, excel_row + len(data))  # no list unless a gap
    blank = _blank_rows(data, cols, sorted(unknown))
    if blank:
        keep = [n for n in range(len(data)) if n not in blank]
        pick = itemgetter(*keep) if len(keep) > 1 else lambda c: [c[n] for n in keep]
        cols, statuses, stamps, numbers = (
            list(map(pick, cols)), pick(statuses), pick(stamps), pick(numbers))
    return Rows(numbers, cols, statuses, stamps, codes)


def _blank(v: object) -> bool:
    """An empty sent cell: nothing, or a text of spaces only."""
    return v is None or (v.__class__ is str and not v.strip())  # type: ignore[attr-defined]


def _blank_rows(
    data: Sequence[Sequence[object]], cols: list[list[object]], others: list[int]
) -> set[int]:
    """Positions of the rows whose sent cells are all empty, unless an unknown column has data
    there (already blocking; the row is kept so that its issues point somewhere)."""
    if any(None not in c and not _has_blank_text(c) for c in cols):
        return set()  # a column filled on every row: the usual case, found at C speed
    suspects: Sequence[int] = range(len(data))
    for c in cols:  # narrowed column after column, at C speed while the cells are None
        cells = c if len(suspects) == len(c) else list(map(c.__getitem__, suspects))
        if cells.count(None) == len(cells):
            continue
        if _has_blank_text(cells):
            suspects = [n for n, v in zip(suspects, cells, strict=True) if _blank(v)]
        else:
            suspects = list(compress(suspects, map(is_, cells, repeat(None))))
    return {n for n in suspects
            if not any(_text(data[n][i]) for i in others if i < len(data[n]))}


def _has_blank_text(col: list[object]) -> bool:
    """Whether a column holds a text of spaces only (cheaply, at C speed, when it can)."""
    try:
        return not all(map(str.strip, col))  # type: ignore[arg-type]
    except TypeError:  # not only texts
        pass
    types = set(map(type, col))
    if not any(issubclass(t, str) for t in types):
        return False
    return any(isinstance(v, str) and not v.strip() for v in col)


def _no_header(sheet: str, endpoint: Endpoint) -> Issue:
    sample = ", ".join(f.code for f in endpoint.fields[:4])
    return Issue(
        ic.NO_HEADER, Severity.BLOCKING,
        f"Aucune ligne d'en-tête trouvée dans la feuille « {sheet} » : dans l'une des "
        f"{HEADER_SEARCH_ROWS} premières lignes, mettez les codes des champs de "
        f"{endpoint.label} (ex. {sample}), une colonne par champ, puis les données en dessous.",
        sheet,
    )


def _unnamed_data(
    data: Sequence[Sequence[object]], named: set[int], sheet: str, header_row: int,
    first_col: int,
) -> list[Issue]:
    """Data under an empty header would be silently dropped: say so."""
    width = max(map(len, data), default=0)
    out = []
    for i in range(width):
        if i in named:
            continue
        for n, cells in enumerate(data):
            v = cells[i] if i < len(cells) else None
            if v is not None and _text(v):
                letter = column_letter(first_col + i)
                out.append(Issue(
                    ic.UNKNOWN_COLUMN, Severity.BLOCKING,
                    f"La colonne {letter} contient des données (ligne {header_row + 1 + n}) "
                    f"mais pas d'en-tête : mettez-y le code du champ, ou # si elle ne doit pas "
                    f"être envoyée.",
                    sheet, header_row, letter, "", "",
                ))
                break
    return out
