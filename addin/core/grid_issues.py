"""Issues about cells a reader could not turn into values: formulas without a cached value and
merged cells, reported on the sheet's data cells, never guessed (pure, stdlib only)."""

from __future__ import annotations

from addin.core.grid import Grid
from addin.core.issues import (
    FORMULA_WITHOUT_VALUE,
    MERGED_CELL,
    MERGED_HEADER,
    Issue,
    Severity,
    column_letter,
)
from addin.core.sheet import HEADER_SEARCH_ROWS, SheetData
from addin.core.sheet_rows import row_numbers

__all__ = ["grid_issues"]


def grid_issues(sheet: str, grid: Grid, data: SheetData) -> list[Issue]:
    """Cells the reader could not turn into values: formulas without cached value, merges."""
    issues: list[Issue] = []
    # Built only when some formula lacks its value (rare): no row object made otherwise.
    data_rows = set(row_numbers(data.rows)) if grid.formula_cells else set()
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
        header = _header_merge(ref, data.header_row, grid.first_row)
        if header is not None:
            issues.append(Issue(MERGED_HEADER, Severity.BLOCKING, header, sheet,
                                _first_row_of(ref), ref.split(":")[0].rstrip("0123456789")))
            continue
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


def _header_merge(ref: str, header_row: int | None, first_row: int) -> str | None:
    """The message for a merge over the header row (or, without header, in the rows searched)."""
    start, _, end = ref.upper().partition(":")
    top = _first_row_of(ref) or 0
    bottom = int("".join(c for c in (end or start) if c.isdigit()) or 0)
    if header_row is not None:
        if not top <= header_row <= bottom:
            return None
        return (
            f"L'en-tête est dans des cellules fusionnées ({ref}) : seule la première porte un "
            "code de champ, les autres colonnes n'ont pas d'en-tête. Annulez la fusion "
            "(Accueil > Fusionner et centrer) et mettez un code de champ dans chaque colonne."
        )
    if top >= first_row + HEADER_SEARCH_ROWS:
        return None
    return (
        f"Cellules fusionnées {ref} dans les premières lignes : un en-tête fusionné n'est pas "
        "reconnu. Annulez la fusion et mettez un code de champ dans chaque colonne, sur une "
        "seule ligne."
    )


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
