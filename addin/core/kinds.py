"""Numbers, dates and check boxes: cell value → import text, or a `Problem`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal

from addin.core import issues as ic
from addin.core.catalog import Field
from addin.core.cells import (
    Formatter,
    Problem,
    excel_error,
    float_text,
    is_excel_error,
    number_problem,
    parse_decimal,
    show,
)
from addin.core.issues import Severity

__all__ = [
    "bool_formatter", "date_formatter", "decimal_formatter", "float_column", "int_formatter",
]

_TRUE = frozenset({"1", "oui", "o", "vrai", "true", "x", "yes", "y"})
_FALSE = frozenset({"0", "non", "n", "faux", "false", "no"})
_BOOL_HINT = "1/0, Oui/Non, Vrai/Faux ou x"
_DATE_FR = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?"
)
_DATE_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
)


# What Gestimum's number columns hold: decimals and amounts are Delphi `Currency`-sized (15
# digits before the mark, Excel's own precision), integers 32-bit signed.
DECIMAL_LIMIT = Decimal(10) ** 15
INT_LIMIT = 2**31 - 1


def _too_big(field: Field, v: object, limit: str) -> Problem:
    return Problem(
        ic.NUMBER_TOO_BIG,
        f"« {show(v)} » dépasse ce que le champ {field.code} ({field.label}) peut contenir "
        f"({limit}) : vérifiez la valeur (une formule a peut-être donné un résultat aberrant).",
    )


def decimal_formatter(field: Field, mark: str) -> Formatter:
    """Decimals and amounts: 15 significant digits at most, the field's decimal mark."""
    floats: dict[float, str] = {}  # quantities, rates and prices repeat down a column
    limit = "moins de 15 chiffres avant la virgule"

    def fmt(v: object) -> str | Problem:
        out = _fmt(v)
        if out.__class__ is str and len(out) > 15 and abs(_number(out, mark)) >= DECIMAL_LIMIT:
            return _too_big(field, v, limit)
        return out

    def _fmt(v: object) -> str | Problem:
        cls = v.__class__
        if cls is float:
            out = floats.get(v)  # type: ignore[call-overload]
            if out is not None:
                return out
            s = float_text(v)  # type: ignore[arg-type]
            if s is None:
                return number_problem(field, v)
            if mark != ".":
                s = s.replace(".", mark)
            if len(floats) < 4096:
                floats[v] = s  # type: ignore[index]
            return s
        if cls is int:
            return str(v)
        if v is None:
            return ""
        if cls is str:
            if not v.strip():  # type: ignore[attr-defined]
                return ""
            d = parse_decimal(v)  # type: ignore[arg-type]
            if d is None:
                return number_problem(field, v)
            s = format(d, "f")
        elif isinstance(v, Decimal):
            if not v.is_finite():
                return number_problem(field, v)
            s = format(v, "f")
        elif isinstance(v, int) and not isinstance(v, bool):
            return str(int(v))
        elif isinstance(v, float):
            s = float_text(float(v)) or ""
        else:
            return number_problem(field, v)
        return s.replace(".", mark) if mark != "." else s

    return fmt


_NUL = "\x00"


def float_column(values: Sequence[object], mark: str) -> list[str] | None:
    """A decimal column of floats and blanks formatted in a few C-level passes, exactly as
    `decimal_formatter` would (None when a value needs its care: not a float, 16+ digits,
    an exponent, inf, nan)."""
    if not {float, type(None)}.issuperset(map(type, values)) or not values:
        return None
    texts = list(map(repr, values))
    if max(map(len, texts)) > 16:  # beyond 15 significant digits: `float_text` rounds
        return None
    # Each text between two NULs, so that a suffix or a whole value can be matched by replace.
    big = f"{_NUL}{_NUL.join(texts)}{_NUL}"
    for old, new in ((f"{_NUL}None{_NUL}", _NUL * 2), (f".0{_NUL}", _NUL),
                     (f"{_NUL}-0{_NUL}", f"{_NUL}0{_NUL}")):
        big = big.replace(old, new)
        if old[0] == _NUL:  # neighbours share a NUL: a second pass replaces every other one
            big = big.replace(old, new)
    if "e" in big or "n" in big:  # exponent, inf or nan (and no None left)
        return None
    # ≤ 16 characters with a mark leave ≤ 14 digits before it: never `number-too-big`.
    if mark != ".":
        big = big.replace(".", mark)
    return big[1:-1].split(_NUL)


def _number(text: str, mark: str) -> Decimal:
    """The value of a formatted number (only called on long texts: rare)."""
    return Decimal(text.replace(mark, ".") if mark != "." else text)


def int_formatter(field: Field) -> Formatter:
    """Integers: 3.0 → `3`; a fraction is a `type-error`; beyond 32 bits, `number-too-big`."""
    fmt = _int_formatter(field)

    def checked(v: object) -> str | Problem:
        out = fmt(v)
        if out.__class__ is str and len(out) > 9 and abs(int(out)) > INT_LIMIT:  # type: ignore[arg-type]
            return _too_big(field, v, f"un entier d'au plus {INT_LIMIT:,}".replace(",", " "))
        return out

    return checked


def _int_formatter(field: Field) -> Formatter:
    def problem(v: object) -> Problem:
        if is_excel_error(v):
            return excel_error(field, v.strip())  # type: ignore[attr-defined]
        return Problem(
            ic.TYPE_ERROR,
            f"« {show(v)} » n'est pas un nombre entier : saisissez un entier sans décimales "
            f"dans la colonne {field.code} ({field.label}).",
        )

    def fmt(v: object) -> str | Problem:
        cls = v.__class__
        if cls is float:
            if v.is_integer():  # type: ignore[attr-defined]
                return str(int(v))  # type: ignore[call-overload]
            return problem(v)
        if cls is int:
            return str(v)
        if v is None:
            return ""
        if cls is str:
            if not v.strip():  # type: ignore[attr-defined]
                return ""
            d = parse_decimal(v)  # type: ignore[arg-type]
        elif isinstance(v, Decimal):
            d = v if v.is_finite() else None
        elif isinstance(v, int | float) and not isinstance(v, bool):
            d = Decimal(repr(v))
        else:
            return problem(v)
        if d is None or d != d.to_integral_value():
            return problem(v)
        return str(int(d))

    return fmt


def _date_problem(field: Field, v: object) -> Problem:
    if is_excel_error(v):
        return excel_error(field, v.strip())  # type: ignore[attr-defined]
    return Problem(
        ic.TYPE_ERROR,
        f"« {show(v)} » n'est pas une date : saisissez une date au format jj/mm/aaaa "
        f"(ou formatez la cellule en Date) dans la colonne {field.code} ({field.label}).",
    )


def _time_problem(field: Field, v: object) -> Problem:
    """A time alone where a date is expected: a pure time, or a date before 1900 that Excel's
    date system cannot hold (readers then see the serial as a time of day, e.g. 00:00:00)."""
    return Problem(
        ic.DATE_OUT_OF_RANGE,
        f"La cellule ne contient qu'une heure (« {show(v)} ») : soit une date antérieure au "
        f"01/01/1900, qu'Excel ne sait pas enregistrer comme date, soit une heure seule. Dans "
        f"la colonne {field.code} ({field.label}), saisissez la date comme texte jj/mm/aaaa "
        f"(ex. '01/03/1850, avec l'apostrophe) ou corrigez-la.",
    )


def _parse_date_text(field: Field, s: str) -> dt.datetime | Problem:
    m = _DATE_FR.fullmatch(s)
    if m:
        d, mo, y, hh, mi, ss = m.groups()
    else:
        m = _DATE_ISO.fullmatch(s)
        if not m:
            return _date_problem(field, s)
        y, mo, d, hh, mi, ss = m.groups()
    if len(y) == 2:
        return Problem(
            ic.TYPE_ERROR,
            f"« {s} » : l'année doit avoir 4 chiffres (ex. {d}/{mo}/20{y}) dans la colonne "
            f"{field.code} ({field.label}).",
        )
    try:
        return dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError:
        return Problem(
            ic.INVALID_DATE,
            f"« {s} » n'est pas une date qui existe (jour ou mois impossible) : corrigez-la "
            f"au format jj/mm/aaaa dans la colonne {field.code} ({field.label}).",
        )


def date_formatter(field: Field, with_time: bool) -> Formatter:
    """Dates `dd/mm/yyyy` (with ` hh:mm:ss` for `datetime` fields when not midnight)."""
    cache: dict[object, str | Problem] = {}

    def render(x: dt.datetime | dt.date) -> str | Problem:
        text = f"{x.day:02d}/{x.month:02d}/{x.year:04d}"
        if isinstance(x, dt.datetime) and (x.hour or x.minute or x.second or x.microsecond):
            if with_time:
                return f"{text} {x.hour:02d}:{x.minute:02d}:{x.second:02d}"
            return Problem(
                ic.TIME_IGNORED,
                f"La colonne {field.code} ({field.label}) n'attend qu'une date : l'heure "
                f"{x.hour:02d}:{x.minute:02d} est ignorée. Retirez-la si ce n'est pas voulu.",
                Severity.WARNING,
                text,
            )
        return text

    def fmt(v: object) -> str | Problem:
        cls = v.__class__
        if cls is dt.datetime or cls is dt.date:
            out = cache.get(v)
            if out is None:
                out = render(v)  # type: ignore[arg-type]
                if len(cache) < 8192:  # dates repeat a lot; a bounded memo pays
                    cache[v] = out
            return out
        if v is None:
            return ""
        if cls is str:
            out = cache.get(v)
            if out is None:
                s = v.strip()  # type: ignore[attr-defined]
                parsed = _parse_date_text(field, s) if s else ""
                out = render(parsed) if isinstance(parsed, dt.datetime) else parsed
                if len(cache) < 8192:
                    cache[v] = out
            return out
        if isinstance(v, dt.datetime | dt.date):
            return render(v)
        if isinstance(v, dt.time | dt.timedelta):
            return _time_problem(field, v)
        return _date_problem(field, v)

    return fmt


def bool_formatter(field: Field) -> Formatter:
    """Check boxes: `1`/`0` from True/False, 1/0, Oui/Non, Vrai/Faux, x."""
    def problem(v: object) -> Problem:
        if is_excel_error(v):
            return excel_error(field, v.strip())  # type: ignore[attr-defined]
        return Problem(
            ic.TYPE_ERROR,
            f"« {show(v)} » n'est pas une case à cocher : saisissez {_BOOL_HINT} dans la "
            f"colonne {field.code} ({field.label}).",
        )

    def fmt(v: object) -> str | Problem:
        if v is True:
            return "1"
        if v is False:
            return "0"
        if v is None:
            return ""
        if isinstance(v, str):
            s = v.strip().lower()
            if not s:
                return ""
            if s in _TRUE:
                return "1"
            if s in _FALSE:
                return "0"
            return problem(v)
        if isinstance(v, int | float | Decimal) and v in (0, 1):
            return "1" if v == 1 else "0"
        return problem(v)

    return fmt
