"""Batch line numbers in Gestimum's messages → the Excel rows the user can find.

Gestimum numbers the data lines of each request from 1 ("La ligne 26 …"); a user only knows
the sheet's rows. Statuses cite the Excel row; the Journal sheet keeps Gestimum's words and gets
the Excel row in a column of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["cite_excel_rows", "excel_row_of"]

_LINE = re.compile(r"\b(lignes?)(\s+)(n°\s*)?(\d+)\b", re.IGNORECASE)


def excel_row_of(text: str, rows: Sequence[int]) -> int | None:
    """The Excel row of the first batch line this journal text names, if any."""
    for m in _LINE.finditer(text):
        n = int(m.group(4))
        if 1 <= n <= len(rows):
            return rows[n - 1]
    return None


def cite_excel_rows(text: str, rows: Sequence[int]) -> str:
    """"la ligne 26 de la même pièce" → "la ligne Excel 28 de la même pièce" (same batch)."""

    def excel(m: re.Match[str]) -> str:
        n = int(m.group(4))
        if not 1 <= n <= len(rows):
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}Excel {rows[n - 1]}"

    return _LINE.sub(excel, text)
