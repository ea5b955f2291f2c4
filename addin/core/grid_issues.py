"""Issues about cells a reader could not turn into values: formulas without a cached value and
merged cells, reported on the sheet's data cells, never guessed (pure, stdlib only)."""

from __future__ import annotations

from addin.core.grid import Grid
from addin.core.issues import FORMULA_WITHOUT_VALUE, MERGED_CELL, Issue, Severity, column_letter
from addin.core.sheet import SheetData

__all__ = ["grid_issues"]


def grid_issues(sheet: str, grid: Grid, data: SheetData) -> list[Issue]:
    """Cells the reader could not turn into values: formulas without cached value, merges."""
    issues: list[Issue] = []
    data_rows = {r.row for r in data.rows}
    # Only sent columns matter: '#' helper columns may hold formulas nobody has calculated yet.
    sent_letters = {c.letter for c in data.columns}
    for row, col in sorted(grid.formula_cells):
        if row in data_rows and column_letter(col) in sent_letters:
            issues.append(
                Issue(
                    code=FORMULA_WITHOUT_VALUE,
                    severity=Severity.BLOCKING,
                    message=(
                        "Formule sans valeur calculée : ouvrez le classeur dans Excel, "
                        "recalculez et enregistrez-le, ou remplacez la formule par sa valeur."
                    ),
                    sheet=sheet,
                    row=row,
                    column=column_letter(col),
                )
            )
    first_data_row = (data.header_row or 0) + 1
    for ref in grid.merged:
        if not _touches_data(ref, first_data_row, sent_letters):
            continue  # a merged title above the header is harmless
        issues.append(
            Issue(
                code=MERGED_CELL,
                severity=Severity.BLOCKING,
                message=(
                    f"Cellules fusionnées {ref} : seule la première porte une valeur. "
                    "Annulez la fusion et répétez la valeur sur chaque ligne."
                ),
                sheet=sheet,
                row=_first_row_of(ref),
                column=ref.split(":")[0].rstrip("0123456789"),
            )
        )
    return issues


def _touches_data(ref: str, first_data_row: int, sent_letters: set[str]) -> bool:
    """Whether a merged range (e.g. "B3:C4") covers a data cell of a sent column."""
    start, _, end = ref.upper().partition(":")
    end = end or start
    cols = [_column_number(part.rstrip("0123456789")) for part in (start, end)]
    last_row = int("".join(c for c in end if c.isdigit()) or 0)
    letters = {column_letter(n) for n in range(min(cols), max(cols) + 1)}
    return last_row >= first_data_row and bool(letters & sent_letters)


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _first_row_of(ref: str) -> int | None:
    digits = "".join(c for c in ref.split(":")[0] if c.isdigit())
    return int(digits) if digits else None
