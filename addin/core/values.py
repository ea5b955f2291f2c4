"""Cell value → import text, one formatter per field kind (DESIGN §4 "Correct lines").

A formatter is built once per column (`make_formatter`) and called once per cell: it returns the
text to send (`""` for a blank cell) or a `Problem`; it never raises. Values arrive as xlwings
gives them (float 3.0 for 3, datetime, bool, None) or as openpyxl/calamine give them (int,
float, str, datetime, date, time, Decimal).

Documented choices:
* Strings are stripped of surrounding white space (incl. non-breaking spaces); a cell holding
  only spaces is blank.
* Numbers keep at most 15 significant digits, Excel's own precision (0.1+0.2 → `0,3`); numbers
  typed as text keep the digits typed (`1,60` stays `1,60`). Decimal mark: the field's.
* `datetime` fields: `dd/mm/yyyy hh:mm:ss`, or `dd/mm/yyyy` alone when the time is midnight
  (as the documented Actions example sends `05/09/2019`).
* Check boxes: `1` for True, 1, "1", "oui", "o", "vrai", "true", "x"; `0` for False, 0, "0",
  "non", "n", "faux", "false" (case-insensitive); anything else is a `type-error`.
* A number in a text field is written without `.0` (2,5 with a comma, as the user sees it);
  where a leading zero was plausibly lost (postcode, phone, SIRET, RIB… typed as a number),
  `leading-zero-lost` blocks (a short code such as a depot `1` only warns); a number of more
  than 15 digits has lost digits in Excel (`too-many-digits`); a date in a text field is sent
  as `dd/mm/yyyy` with a `date-in-text` warning (Excel may have converted the typing).
* Choices: the code, case-insensitive, normalised to the documented case; a label is refused
  with a hint naming its code. Lists that hold descriptions rather than codes are not enforced.
* Characters not in Windows-1252 (emoji, `→`, narrow no-break space…) and control characters
  are `unsupported-character`; Excel error texts (`#N/A`…) are `excel-error`.
* Separator, line break or delimiter inside a value: quoted (delimiter doubled inside, the usual
  CSV convention) when `identificateur_texte` is set, otherwise blocked. Positional Ecritures
  lines: a comma is quoted only in the fields the format documents "Entre guillemets"; a double
  quote is never accepted there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from addin.core import issues as ic
from addin.core.catalog import Field
from addin.core.cells import ColumnFormatter, Formatter, Problem, display, parse_decimal
from addin.core.kinds import (
    bool_formatter,
    date_formatter,
    decimal_formatter,
    float_column,
    int_formatter,
)
from addin.core.texts import bulk_text_checker, text_formatter

__all__ = [
    "ColumnFormatter",
    "Formatter",
    "Problem",
    "display",
    "format_value",
    "make_column_formatter",
    "make_formatter",
    "parse_decimal",
]


def make_formatter(
    field: Field, *, separator: str = ";", delimiter: str = "", positional: bool = False
) -> Formatter:
    """The cell → text function of one column; build it once per column, call it per cell."""
    fmt = _kind_formatter(field, separator, delimiter, positional)
    return _secret_formatter(field, fmt) if field.is_secret else fmt


def _secret_formatter(field: Field, fmt: Formatter) -> Formatter:
    """Problems of a secret field (password) say what is wrong without showing any of it."""
    def secret(v: object) -> str | Problem:
        out = fmt(v)
        if out.__class__ is str or out.code == ic.TOO_LONG:  # type: ignore[union-attr]
            return out
        return Problem(
            out.code,  # type: ignore[union-attr]
            f"La valeur de la colonne {field.code} ({field.label}) ne peut pas être envoyée "
            f"telle quelle ({out.code}) : elle est secrète et n'est pas affichée ; vérifiez-la "  # type: ignore[union-attr]
            f"dans la cellule (caractères admis : ceux d'un clavier français, sans « ; »).",
            out.severity,  # type: ignore[union-attr]
            out.text,  # type: ignore[union-attr]
        )

    return secret


def _kind_formatter(field: Field, separator: str, delimiter: str, positional: bool) -> Formatter:
    kind = field.kind
    if kind in ("decimal", "amount"):
        mark = field.decimal_mark or ("." if positional else ",")
        return decimal_formatter(field, mark)
    if kind == "int":
        return int_formatter(field)
    if kind in ("date", "datetime"):
        return date_formatter(field, kind == "datetime")
    if kind == "bool":
        return bool_formatter(field)
    return text_formatter(field, separator, delimiter, positional)


# Types whose equal values (hash-equal across types: 1 == 1.0) always format alike: a column of
# them can be formatted once per distinct value. Not bool (True == 1) nor Decimal (1.0 == 1).
_TABLE_SAFE = frozenset({str, type(None), dt.datetime, dt.date, int, float})


def make_column_formatter(
    field: Field, *, separator: str = ";", delimiter: str = "", positional: bool = False
) -> ColumnFormatter:
    """Format a whole column at once: same results as the cell formatter, at C speed mostly.

    Repeated values (codes, dates, quantities) are formatted once each; a column of distinct
    plain texts is checked in bulk (strip, ASCII, separators, length), and one of distinct
    floats (prices) rendered in bulk, in a few C-level passes.
    """
    fmt = make_formatter(field, separator=separator, delimiter=delimiter, positional=positional)
    bulk_text = (
        bulk_text_checker(field, separator, delimiter, positional)
        if field.kind in ("text", "memo") else None
    )
    mark = (field.decimal_mark or ("." if positional else ",")
            if field.kind in ("decimal", "amount") and not field.is_secret else None)

    def column(values: Sequence[object]) -> list[str | Problem]:
        n = len(values)
        if n >= 32:
            try:
                distinct = set(values)
            except TypeError:  # an unhashable object in a cell: the careful way
                return list(map(fmt, values))
            if bulk_text is not None and len(distinct) * 8 > n:
                # Many distinct texts (references, labels): checking them all together at C
                # speed costs less than formatting each distinct one.
                out = bulk_text(values)
                if out is not None:
                    return out  # type: ignore[return-value]
            # Types of every value, not of the distinct ones: {1, True} is a one-element set.
            if len(distinct) * 2 <= n and set(map(type, values)) <= _TABLE_SAFE:
                table = {v: fmt(v) for v in distinct}
                return list(map(table.__getitem__, values))
            if mark is not None:  # prices, amounts: mostly distinct floats
                out = float_column(values, mark)
                if out is not None:
                    return out  # type: ignore[return-value]
        return list(map(fmt, values))

    return column


def format_value(
    field: Field, value: object, *, separator: str = ";", delimiter: str = "",
    positional: bool = False,
) -> str | Problem:
    """One cell, one call: convenient for UDFs and tests; columns should use `make_formatter`."""
    return make_formatter(field, separator=separator, delimiter=delimiter, positional=positional)(
        value
    )
