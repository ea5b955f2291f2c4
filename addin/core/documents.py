"""Sales and purchase documents: lines that will merge into one pièce without the user meaning it.

Gestimum starts a new document when a grouping value (type, date, number, reference…) changes.
Two invoices for the same client on the same day with neither number nor reference therefore
become one. The check cannot know the intent, so it warns when a run of lines that will form one
pièce looks like two: it spans blank rows, or it repeats the first article of the pièce.
"""

from __future__ import annotations

from addin.core import issues as ic
from addin.core.formatted import format_rows, group_keys, issue_at
from addin.core.issues import Issue, Severity
from addin.core.sheet import SheetData

__all__ = ["merge_warnings"]


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
