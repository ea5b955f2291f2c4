"""Cells shown with a percent number format (`5 %` holds 0,05): converted or flagged, by a rule
per field, so that what is sent is what the user sees (pure, stdlib only).

Documented rule (also in the templates' header notes): Gestimum stores rates in percentage
points — a 20 % VAT rate is `20`, as its screens show it. So:
* in a rate field (`Field.is_rate`: "Taux…", "Pourcentage…", "% …"), a percent-formatted
  number is sent as the number shown: 0,2 shown `20 %` is sent `20`;
* in any other field, a percent-formatted number is a blocking `percent-format` issue: the cell
  shows `5 %` but would be sent `0,05`; the user removes the format or types the value wanted.
"""

from __future__ import annotations

import re
from decimal import Decimal

from addin.core import issues as ic
from addin.core.cells import display
from addin.core.grid import Grid
from addin.core.issues import Issue, Severity
from addin.core.sheet import SheetData

__all__ = ["apply_percent_formats", "is_percent_format"]

# Parts of a number format that are literal text, not codes: "…", […] (colours, locales), \x.
_LITERAL = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def is_percent_format(code: str) -> bool:
    """Whether an Excel number format shows values ×100 with a % sign ("0%", "0.0 %;[Red]…"),
    a quoted or escaped % being mere text."""
    return "%" in _LITERAL.sub("", code)


def apply_percent_formats(data: SheetData, grid: Grid) -> list[Issue]:
    """Convert percent-formatted numbers of rate fields to points (in `data`, in place) and
    return the `percent-format` issues of the others."""
    if not grid.percent_cells or not data.rows:
        return []
    by_col = {grid.first_col + c.index: c for c in data.columns}
    rows = {r.row: r for r in data.rows}
    issues: list[Issue] = []
    for excel_row, excel_col in sorted(grid.percent_cells):
        column = by_col.get(excel_col)
        row = rows.get(excel_row)
        if column is None or row is None:
            continue
        value = row.values.get(column.code)
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            continue  # text typed in a percent cell is sent as typed
        field = data.endpoint.field(column.code)
        if field is None:
            continue
        points = _points(value)
        if field.is_rate:
            row.values[column.code] = points
            continue
        issues.append(Issue(
            ic.PERCENT_FORMAT, Severity.BLOCKING,
            f"La cellule affiche « {display(points)} % » (format Pourcentage) mais "
            f"{field.code} ({field.label}) n'est pas un taux : Gestimum recevrait "
            f"« {display(value)} ». Retirez le format Pourcentage et saisissez la valeur voulue.",
            data.sheet, excel_row, column.letter, field.code, display(value),
        ))
    return issues


def _points(value: int | float | Decimal) -> int | float | Decimal:
    """value × 100 without float noise (0,055 → 5,5, not 5,500000000000001)."""
    if isinstance(value, Decimal):
        return value * 100
    exact = Decimal(repr(value)) * 100
    return int(exact) if exact == exact.to_integral_value() else float(exact)
