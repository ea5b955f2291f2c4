"""The data lines of a request as columns, the shape every check works on.

Lines are split with one `join`/`split` for the whole file when they can be, so that no Python
code runs per line in the common case; `LineReport` collects what each line earned.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat

from .errors import bad_request
from .request import ImportRequest


@dataclass
class LineReport:
    """Per-line outcome: reasons (rejected when any), warnings and free warning lines."""

    reasons: dict[int, list[str]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    notices: dict[int, list[str]] = field(default_factory=dict)

    def reject(self, index: int, reason: str) -> None:
        self.reasons.setdefault(index, []).append(reason)


@dataclass
class Columns:
    """The lines of a request as columns (field code → values), the shape checks work on."""

    header: list[str]
    columns: list[Sequence[str]]
    count: int

    def __post_init__(self) -> None:
        self.idx = {code: j for j, code in enumerate(self.header)}

    def __contains__(self, code: str) -> bool:
        return code in self.idx

    def col(self, code: str) -> Sequence[str]:
        """The values of a field, all empty when the field was not sent."""
        j = self.idx.get(code)
        return self.columns[j] if j is not None else [""] * self.count

    def rows(self, skip: dict[int, list[str]] | None = None) -> list[list[str]]:
        """Row lists (for the per-line paths), without the rejected indexes."""
        rows = [list(r) for r in zip(*self.columns, strict=True)] if self.columns else []
        if skip:
            rows = [r for i, r in enumerate(rows) if i not in skip]
        return rows


def split_lines(
    lines: Sequence[str], sep: str, quote_char: str
) -> list[list[str]]:
    """Split every line on the separator; a text identifier may wrap values holding it."""
    if not quote_char:
        return [line.split(sep) for line in lines]
    out: list[list[str]] = []
    for line in lines:
        if quote_char in line:
            out.append(next(csv.reader([line], delimiter=sep, quotechar=quote_char)))
        else:
            out.append(line.split(sep))
    return out


def resolve_header(req: ImportRequest, lines: list[str]) -> tuple[list[str], list[str]]:
    """(field codes, data lines): `noms_champs` wins; with `entete` the first line is the header."""
    data = lines
    header_line = ""
    if req.entete:
        if not lines:
            raise bad_request("« entete » vaut Oui mais le fichier ne contient aucune ligne.")
        header_line, data = lines[0], lines[1:]
    if req.noms_champs:
        header_line = req.noms_champs
        sep = ";"  # documented: noms_champs is separated by semicolons
    else:
        sep = req.separateur
    if not header_line.strip():
        raise bad_request(
            "Impossible de connaître les champs des lignes : envoyez « entete » = Oui avec une "
            "ligne d'en-tête, ou « noms_champs »."
        )
    codes = [c.strip().strip(req.identificateur or '"').upper() for c in header_line.split(sep)]
    return codes, data


def to_columns(
    data: list[str], n: int, sep: str, quote_char: str, report: LineReport
) -> list[Sequence[str]]:
    """Split the lines into n columns; lines with too many values are rejected, short ones padded.

    Fast path (no text identifier in use, every line with n values): one join and one split
    for the whole file, columns taken by slicing, so that no Python code runs per line.
    """
    if not data:
        return [[] for _ in range(n)]
    blob = sep.join(data)
    if (not quote_char or quote_char not in blob) and set(
        map(str.count, data, repeat(sep, len(data)))
    ) == {n - 1}:
        flat = blob.split(sep)
        return [flat[j::n] for j in range(n)]
    rows = split_lines(data, sep, quote_char)
    for i, r in enumerate(rows):
        if len(r) > n:
            report.reject(i, f"La ligne comporte {len(r)} valeurs pour {n} champs.")
            del r[n:]
        elif len(r) < n:
            r.extend([""] * (n - len(r)))  # trailing empty values may be left out
    return [list(c) for c in zip(*rows, strict=True)]


def is_ansi(char: str) -> bool:
    """Whether the ERP (which stores Windows-1252 text) can store this character."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
