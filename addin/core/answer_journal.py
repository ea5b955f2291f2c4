"""Reading a Gestimum journal: `La ligne N …` blocks, created pièces, counts, free warnings.

Lines are matched on an accent-free lower-case form, because the wording is only known from a
handful of documented examples; stdlib only.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ParsedJournal", "parse_journal", "split_fields"]

_STAMP = re.compile(
    r"^\s*(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})[ T]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*"
)
# Matched against the accent-free lower-case form of a line (see `_fold`).
_REJECT = re.compile(r"la ligne (?:n°\s*)?(\d+)\s+n'a pas pu etre importee\s*:?\s*")
_WARN = re.compile(
    r"la ligne (?:n°\s*)?(\d+)\s+comporte (?:les |des )?avertissements?(?: suivants?)?\s*:?\s*"
)
_PIECE = re.compile(r"(?:la piece|le document)\s+(?:n°\s*)?(\S+?)\.?\s+a ete creee?\b")
_COUNT = re.compile(r"nombre de lignes (non )?importees\s*:\s*(\d+)")
_REPORT_COUNT = re.compile(r"lignes d'\w+ (importables|rejetables)\s*:\s*(\d+)")
# Ecritures report entries (format undocumented): "ERR E 2 : …", "AV ligne 3 - …".
_REPORT_ENTRY = re.compile(
    r"(err|av)\b\W*(?:[esh]\b\W*)?(?:ligne\s*)?(?:n°\s*)?(\d+)\b\W*(.*)|"
    r"ligne\s*(?:n°\s*)?(\d+)\W+(err|av)\b\W*(?:[esh]\b\W*)?(.*)"
)
_MENTIONED_LINE = re.compile(r"\bligne\s+(?:n°\s*)?(\d+)\b")
_FINISHED = re.compile(r"l'import a ete effectue|tache .*termin|nombre de lignes|resume$")
_STRUCTURAL = re.compile(
    r"(ouverture de la societe|societe .* ouverte|lancement de la tache|tache\b|fermeture de la"
    r" societe|l'import a ete effectue|nombre de lignes|ci-dessous le rapport|#{5,}|resume$|"
    r"lignes d'|erreurs\s*:|avertissements\s*:|fichier d'|legende|(?:err|av|[esh])\s*:)"
)
# One character for one: accented Latin letters → base letter, typographic apostrophe → '.
_FOLD = {
    ord(c): base
    for c in map(chr, range(0xC0, 0x250))
    if len(base := unicodedata.normalize("NFKD", c)[0]) == 1 and base.isascii() and base != c
} | {ord("’"): "'"}
_CODE_TOKEN = re.compile(r"[\w.\-/@]*\d[\w.\-/@]*")


@dataclass(slots=True)
class ParsedJournal:
    """What the journal says, line numbers (1-based, data lines) as keys."""

    rejected: dict[int, list[str]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    pieces: list[str] = field(default_factory=list)
    free_warnings: list[str] = field(default_factory=list)
    imported: int | None = None
    not_imported: int | None = None
    finished: bool = False


def _fold(text: str) -> str:
    """Lower case without accents, same length as `text` (so match offsets apply to both)."""
    return text.translate(_FOLD).lower()


def parse_journal(
    journal: Sequence[str], lines: Sequence[str], endpoint: Any, sent: int
) -> ParsedJournal:
    """Read `La ligne N …` blocks, created pièces, counts and free warnings from a journal."""
    out = ParsedJournal()
    block: tuple[str, int] | None = None
    values: list[list[str]] | None = None
    for raw in journal:
        text = _STAMP.sub("", raw, count=1).strip()
        key = _fold(text)
        if m := _REJECT.match(key):
            block = ("rejected", int(m[1]))
            out.rejected.setdefault(block[1], [])
        elif m := _WARN.match(key):
            block = ("warnings", int(m[1]))
            out.warnings.setdefault(block[1], [])
        else:
            m = None
        if m is not None:
            if tail := text[m.end() :].strip():
                getattr(out, block[0])[block[1]].append(tail)
            continue
        if _FINISHED.search(key):
            out.finished = True
        if m := _PIECE.match(key):
            out.pieces.append(text[m.start(1) : m.end(1)])
        elif m := _COUNT.match(key):
            setattr(out, "not_imported" if m[1] else "imported", int(m[2]))
        elif m := _REPORT_COUNT.match(key):
            name = "imported" if m[1] == "importables" else "not_imported"
            setattr(out, name, (getattr(out, name) or 0) + int(m[2]))
        elif m := _REPORT_ENTRY.match(key):
            kind, number = (m[1], m[2]) if m[1] else (m[5], m[4])
            start = m.start(3) if m[1] else m.start(6)
            target = out.rejected if kind == "err" else out.warnings
            target.setdefault(int(number), []).append(text[start:].strip() or text)
        elif _STRUCTURAL.match(key):
            pass
        elif block is not None:
            kind, number = block
            target = out.warnings if key.startswith("attention") else getattr(out, kind)
            target.setdefault(number, []).append(text)
            continue
        elif key.startswith("attention"):
            out.free_warnings.append(text)
            if values is None:
                values = _line_values(lines, endpoint)
            if (number := _named_line(key, text, values, sent)) is not None:
                out.warnings.setdefault(number, []).append(text)
        block = None
    return out


def _named_line(key: str, text: str, lines: list[list[str]], sent: int) -> int | None:
    """The data line a free warning names: `ligne N`, or a code found in exactly one line.

    A code may be several fields glued together (a BBAN is agence + guichet + compte + clé).
    """
    if (m := _MENTIONED_LINE.search(key)) and 1 <= int(m[1]) <= sent:
        return int(m[1])
    found: set[int] = set()
    for token in _CODE_TOKEN.findall(text):
        if len(token) < 4:
            continue
        exact = {n for n, values in enumerate(lines, 1) if token in values}
        if not exact and len(token) >= 8:
            exact = {n for n, values in enumerate(lines, 1) if _glued(token, values)}
        if len(exact) == 1:
            found |= exact
    return found.pop() if len(found) == 1 else None


def _glued(token: str, values: list[str]) -> bool:
    """True when `token` is the concatenation of some of `values` (each used once)."""
    parts = [v for v in values if len(v) >= 2 and v in token]

    def walk(rest: str, unused: list[str]) -> bool:
        if not rest:
            return True
        return any(
            rest.startswith(v) and walk(rest[len(v) :], unused[:i] + unused[i + 1 :])
            for i, v in enumerate(unused)
        )

    return len(parts) >= 2 and walk(token, parts)


def split_fields(line: str, separator: str) -> list[str]:
    """The fields of one import line (quoted values kept whole)."""
    return next(csv.reader([line], delimiter=separator, quotechar='"'), [])


def _line_values(lines: Sequence[str], endpoint: Any) -> list[list[str]]:
    separator = getattr(endpoint, "separator", None) or ";"
    return [[v.strip() for v in split_fields(line, separator) if v.strip()] for line in lines]
