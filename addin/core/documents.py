"""Sales and purchase documents: lines that will merge into one pièce without the user meaning it.

Gestimum starts a new document when a grouping value (type, date, number, reference…) changes.
Two invoices for the same client on the same day with neither number nor reference therefore
become one. The check cannot know the intent, so it warns when a run of lines that will form one
pièce looks like two: it spans blank rows, or it repeats the first article of the pièce.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from addin.core import issues as ic
from addin.core import status
from addin.core.formatted import format_rows, group_keys, issue_at
from addin.core.issues import Issue, Severity
from addin.core.sheet import SheetData

__all__ = ["chronology_warnings", "merge_warnings"]

# Document types French law numbers in one chronological sequence (invoices and credit notes).
_NUMBERED = {"F", "A", "0", "1"}


def merge_warnings(data: SheetData) -> list[Issue]:
    """A warning on the first line of each pièce that will absorb what looks like another."""
    if data.endpoint.positional or not data.endpoint.grouping or not data.rows:
        return []
    fs = format_rows(data)
    keys = group_keys(data, fs)
    if keys is None:
        return []
    article = next((j for j, c in enumerate(data.columns) if c.code == "ART_CODE"), None)
    out: list[Issue] = []
    start = 0
    for rp in range(1, len(keys) + 1):
        if rp < len(keys) and keys[rp] == keys[rp - 1]:
            continue
        issue = _looks_like_two(data, fs, start, rp, article)
        if issue is not None:
            out.append(issue)
        start = rp
    return out


def _looks_like_two(data: SheetData, fs: object, start: int, end: int,
                    article: int | None) -> Issue | None:
    rows = [data.rows[rp].row for rp in range(start, end)]
    gap = next((i for i in range(1, len(rows)) if rows[i] != rows[i - 1] + 1), None)
    again = None
    if article is not None and gap is None:
        first = fs.cols[article][start]  # type: ignore[attr-defined]
        again = next((rp for rp in range(start + 1, end)
                      if first and fs.cols[article][rp] == first), None)  # type: ignore
    if gap is None and again is None:
        return None
    split_at = rows[gap] if gap is not None else data.rows[again].row  # type: ignore[index]
    why = ("des lignes vides les séparent" if gap is not None
           else f"l'article {fs.cols[article][start]} y revient")  # type: ignore[index]
    return issue_at(
        data, start, None, ic.PIECES_MERGED,
        f"Les lignes {rows[0]} à {rows[-1]} formeront une seule pièce ({why}, ligne {split_at}) "
        f"car son type, sa date, son n° et sa référence ne changent pas. S'il s'agit de deux "
        f"documents, donnez-leur un DOC_PIECE ou une DOC_REFPCF différents.",
        Severity.WARNING,
    )


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", str(value or "").strip())
    try:
        return date(int(m[3]), int(m[2]), int(m[1])) if m else None
    except ValueError:
        return None


def chronology_warnings(data: SheetData) -> list[Issue]:
    """Invoices dated before an invoice this sheet already imported (its #STATUT says so):
    Gestimum would number them after it, while French invoices are numbered in date order."""
    if data.endpoint.name not in ("DocumentsVente", "DocumentsAchat") or not data.rows:
        return []
    latest: dict[str, tuple[date, int]] = {}
    pending = []
    for row in data.rows:
        kind = str(row.values.get("DOC_STYPE") or "").strip().upper()
        day = _date(row.values.get("DOC_DATE"))
        if kind not in _NUMBERED or day is None:
            continue
        if status.is_imported_status(row.status):
            if kind not in latest or day > latest[kind][0]:
                latest[kind] = (day, row.row)
        else:
            pending.append((row, kind, day))
    out: list[Issue] = []
    warned: set[tuple[str, date]] = set()
    column = data.column("DOC_DATE")
    for row, kind, day in pending:
        last = latest.get(kind)
        if last is None or day >= last[0] or (kind, day) in warned:
            continue
        warned.add((kind, day))
        out.append(Issue(
            ic.OUT_OF_SEQUENCE, Severity.WARNING,
            f"Document daté du {day:%d/%m/%Y}, antérieur à celui de la ligne {last[1]} déjà "
            f"importé (du {last[0]:%d/%m/%Y}) : Gestimum lui donnera un numéro postérieur, alors "
            f"que les factures se numérotent dans l'ordre des dates. Vérifiez la date avant "
            f"d'importer.",
            data.sheet, row.row, column.letter if column else "", "DOC_DATE",
            f"{day:%d/%m/%Y}"))
    return out
