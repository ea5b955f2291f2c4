"""Shared pieces of cell formatting: `Problem`, number rendering, Excel errors, display.

Stdlib only; `kinds` (numbers, dates, check boxes) and `texts` build on it, `values` assembles.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from addin.core import issues as ic
from addin.core.catalog import Field
from addin.core.issues import Severity

__all__ = [
    "EXCEL_ERRORS",
    "ColumnFormatter",
    "Formatter",
    "Problem",
    "display",
    "excel_error",
    "float_text",
    "is_excel_error",
    "number_as_text",
    "number_problem",
    "parse_decimal",
    "show",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one cell; a warning still carries the `text` that will be sent."""

    code: str
    message: str
    severity: Severity = Severity.BLOCKING
    text: str | None = None


Formatter = Callable[[object], "str | Problem"]
ColumnFormatter = Callable[[Sequence[object]], "list[str | Problem]"]

EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#VALEUR!", "#NOM?", "#NOMBRE!", "#NUL!"}
)

_SPACES = "[ \u00a0\u202f]"
_NUM_PLAIN = re.compile(rf"([+-]?)(\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d*)(?:[.,](\d+))?")
_NUM_DOT_THOUSANDS = re.compile(r"([+-]?)(\d{1,3}(?:\.\d{3})+),(\d+)")
_NUM_COMMA_THOUSANDS = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+)\.(\d+)")


def parse_decimal(text: str) -> Decimal | None:
    """A number typed as text (`1 234,56`, `1234.56`, `1.234,56`, `-3`) as a Decimal, else None."""
    s = text.strip()
    for pattern, drop in ((_NUM_PLAIN, " \u00a0\u202f"), (_NUM_DOT_THOUSANDS, "."),
                          (_NUM_COMMA_THOUSANDS, ",")):
        m = pattern.fullmatch(s)
        if m:
            sign, whole, frac = m.groups()
            for ch in drop:
                whole = whole.replace(ch, "")
            if not whole and not frac:
                return None
            return Decimal(f"{sign}{whole or '0'}.{frac}" if frac else f"{sign}{whole}")
    return None


def float_text(v: float) -> str | None:
    """Shortest text of a float at Excel's 15-digit precision, `.` as mark; None if not finite."""
    r = repr(v)
    # ≤ 16 characters with a "." means ≤ 15 digits: repr is already the 15-digit shortest form.
    if len(r) <= 16 and "e" not in r and "n" not in r:
        if r[-2:] == ".0":
            r = r[:-2]
            return "0" if r == "-0" else r
        return r
    s = format(v, ".15g")
    if "e" in s or "n" in s:
        if "n" in s:  # inf / nan
            return None
        s = format(Decimal(s), "f")
    if s == "-0":
        return "0"
    return s


def number_problem(field: Field, value: object) -> Problem:
    """The `type-error` of a value that is not a number (or names the Excel error it shows)."""
    if is_excel_error(value):
        return excel_error(field, value.strip())  # type: ignore[attr-defined]
    return Problem(
        ic.TYPE_ERROR,
        f"« {show(value)} » n'est pas un nombre : saisissez un nombre (ex. 1234,56), "
        f"sans symbole ni unité, dans la colonne {field.code} ({field.label}).",
    )


def number_as_text(field: Field, v: object) -> str | Problem:
    """A non-string value in a text field, written as the user saw it."""
    if v is True or v is False:
        return "1" if v else "0"
    if isinstance(v, float):
        s = float_text(v)
        if s is None:
            return number_problem(field, v)
        return s.replace(".", ",")  # a French user sees 2,5 in the cell
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return format(v, "f").replace(".", ",")
    if isinstance(v, dt.datetime):
        if v.hour or v.minute or v.second:
            return v.strftime("%d/%m/%Y %H:%M:%S")
        return v.strftime("%d/%m/%Y")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    return str(v)


def is_excel_error(v: object) -> bool:
    """True for `#N/A`, `#VALEUR!` and the other error texts a formula cell may show."""
    return isinstance(v, str) and v.strip() in EXCEL_ERRORS


def excel_error(field: Field, s: str) -> Problem:
    """The `excel-error` problem: the cell shows a formula error, not a value."""
    return Problem(
        ic.EXCEL_ERROR,
        f"La cellule affiche l'erreur Excel {s} : corrigez la formule ou la valeur de la colonne "
        f"{field.code} ({field.label}).",
    )


def display(v: object) -> str:
    """A cell value as the user sees it in a French Excel (8120, not 8120.0; 2,5; dates)."""
    if v is None:
        return ""
    if v is True or v is False:
        return "VRAI" if v else "FAUX"
    if isinstance(v, float):
        if abs(v) >= 1e15:  # Excel shows such numbers in scientific notation: 1E+308
            return f"{v:.6G}".replace(".", ",")
        return (float_text(v) or repr(v)).replace(".", ",")
    if isinstance(v, dt.datetime | dt.date):
        return number_as_text(Field("", "", "text"), v)  # type: ignore[return-value]
    return v if isinstance(v, str) else str(v)


def show(v: object) -> str:
    """A value as shown in a message: as Excel displays it, cut at 60 characters."""
    text = display(v)
    return text if len(text) <= 60 else text[:57] + "…"
