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
* A number in a text field is written without `.0`; where a leading zero was plausibly lost
  (postcode, phone, SIRET… typed as a number), `leading-zero-lost` blocks.
* Separator, line break or delimiter inside a value: quoted (delimiter doubled inside, the usual
  CSV convention) when `identificateur_texte` is set, otherwise blocked. Positional Ecritures
  lines: a comma is quoted only in the fields the format documents "Entre guillemets"; a double
  quote is never accepted there.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from addin import issues as ic
from addin.catalog import Field
from addin.issues import Severity

__all__ = [
    "ColumnFormatter",
    "Formatter",
    "display",
    "Problem",
    "format_value",
    "make_column_formatter",
    "make_formatter",
    "parse_decimal",
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

_EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#VALEUR!", "#NOM?", "#NOMBRE!", "#NUL!"}
)
_TRUE = frozenset({"1", "oui", "o", "vrai", "true", "x", "yes", "y"})
_FALSE = frozenset({"0", "non", "n", "faux", "false", "no"})
_BOOL_HINT = "1/0, Oui/Non, Vrai/Faux ou x"

_DATE_FR = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?"
)
_DATE_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
)
_SPACES = "[ \u00a0\u202f]"
_NUM_PLAIN = re.compile(rf"([+-]?)(\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d*)(?:[.,](\d+))?")
_NUM_DOT_THOUSANDS = re.compile(r"([+-]?)(\d{1,3}(?:\.\d{3})+),(\d+)")
_NUM_COMMA_THOUSANDS = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+)\.(\d+)")


# -- numbers ------------------------------------------------------------------------------------


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


def _float_text(v: float) -> str | None:
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


def _number_problem(field: Field, value: object) -> Problem:
    if _is_excel_error(value):
        return _excel_error(field, value.strip())  # type: ignore[attr-defined]
    return Problem(
        ic.TYPE_ERROR,
        f"« {_show(value)} » n'est pas un nombre : saisissez un nombre (ex. 1234,56), "
        f"sans symbole ni unité, dans la colonne {field.code} ({field.label}).",
    )


def _decimal_formatter(field: Field, mark: str) -> Formatter:
    floats: dict[float, str] = {}  # quantities, rates and prices repeat down a column

    def fmt(v: object) -> str | Problem:
        cls = v.__class__
        if cls is float:
            out = floats.get(v)  # type: ignore[call-overload]
            if out is not None:
                return out
            s = _float_text(v)  # type: ignore[arg-type]
            if s is None:
                return _number_problem(field, v)
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
                return _number_problem(field, v)
            s = format(d, "f")
        elif isinstance(v, Decimal):
            if not v.is_finite():
                return _number_problem(field, v)
            s = format(v, "f")
        elif isinstance(v, int) and not isinstance(v, bool):
            return str(int(v))
        elif isinstance(v, float):
            s = _float_text(float(v)) or ""
        else:
            return _number_problem(field, v)
        return s.replace(".", mark) if mark != "." else s

    return fmt


def _int_formatter(field: Field) -> Formatter:
    def problem(v: object) -> Problem:
        if _is_excel_error(v):
            return _excel_error(field, v.strip())  # type: ignore[attr-defined]
        return Problem(
            ic.TYPE_ERROR,
            f"« {_show(v)} » n'est pas un nombre entier : saisissez un entier sans décimales "
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


# -- dates ----------------------------------------------------------------------------------------


def _date_problem(field: Field, v: object) -> Problem:
    if _is_excel_error(v):
        return _excel_error(field, v.strip())  # type: ignore[attr-defined]
    return Problem(
        ic.TYPE_ERROR,
        f"« {_show(v)} » n'est pas une date : saisissez une date au format jj/mm/aaaa "
        f"(ou formatez la cellule en Date) dans la colonne {field.code} ({field.label}).",
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


def _date_formatter(field: Field, with_time: bool) -> Formatter:
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
        return _date_problem(field, v)

    return fmt


# -- check boxes ---------------------------------------------------------------------------------


def _bool_formatter(field: Field) -> Formatter:
    def problem(v: object) -> Problem:
        if _is_excel_error(v):
            return _excel_error(field, v.strip())  # type: ignore[attr-defined]
        return Problem(
            ic.TYPE_ERROR,
            f"« {_show(v)} » n'est pas une case à cocher : saisissez {_BOOL_HINT} dans la "
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


# -- text ----------------------------------------------------------------------------------------

# (what it is, French wording, digits a French value has): a number shorter than that lost zeros.
_ZERO_RULES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r"_CP$|^VIL_CODE$|code postal", re.M), "code postal", 5),
    (re.compile(r"_TEL|_FAX|t[ée]l[ée]phone|t[ée]l\.|\bfax\b|mobile", re.M),
     "numéro de téléphone", 10),
    (re.compile(r"siret"), "numéro SIRET", 14),
    (re.compile(r"siren"), "numéro SIREN", 9),
    (re.compile(r"code commune"), "code commune", 5),
    (re.compile(r"^RIB_CLE$", re.M), "clé RIB", 2),
    (re.compile(r"^RIB_(GUICHE|AGENCE)$", re.M), "code banque ou guichet", 5),
    (re.compile(r"^RIB_COMPTE$", re.M), "numéro de compte bancaire", 11),
)
_SHORT_CODE = re.compile(r"_CODE$|^RIB_ORDRE$|^RIB_BQ_NUM$")


def _zero_rule(field: Field) -> tuple[str, int, Severity] | None:
    """How many digits a value of this text field has when typed correctly, if we know it."""
    probe = f"{field.code}\n{field.label.lower()}"  # code on line 1, label on line 2
    for pattern, what, digits in _ZERO_RULES:
        if pattern.search(probe):
            return what, digits, Severity.BLOCKING
    if field.max_length and field.max_length <= 6 and _SHORT_CODE.search(field.code):
        # Short codes such as depots `001` often carry zeros, but `1` may be right: warn only.
        return "code", field.max_length, Severity.WARNING
    return None


def _number_as_text(field: Field, v: object) -> str | Problem:
    """A non-string value in a text field, written as the user saw it."""
    if v is True or v is False:
        return "1" if v else "0"
    if isinstance(v, float):
        s = _float_text(v)
        if s is None:
            return _number_problem(field, v)
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


def _char_name(ch: str) -> str:
    return f"« {ch} » (U+{ord(ch):04X} {unicodedata.name(ch, 'caractère de contrôle')})"


def _odd_text(field: Field, s: str, sep: str, delim: str, positional: bool) -> str | Problem:
    """Slow path for texts that are not plain printable ASCII or that hold a special character."""
    where = f"la colonne {field.code} ({field.label})"
    for ch in s:
        if ch in "\r\n":
            continue
        if ch == "\t" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or not _cp1252(ch):
            return Problem(
                ic.UNSUPPORTED_CHARACTER,
                f"Le caractère {_char_name(ch)} ne peut pas être enregistré par Gestimum "
                f"(fichiers Windows-1252) : remplacez-le ou supprimez-le dans {where}.",
            )
    quote = False
    if positional:
        if '"' in s:
            return Problem(
                ic.DELIMITER_IN_VALUE,
                f"Le guillemet « \" » ne peut pas figurer dans une écriture : remplacez-le par "
                f"une apostrophe dans {where}.",
            )
        if sep in s:
            if not field.quoted:
                return Problem(
                    ic.SEPARATOR_IN_VALUE,
                    f"La virgule sépare les champs d'une écriture et n'est pas admise dans "
                    f"{where} : supprimez-la ou remplacez-la (ex. par un point).",
                )
            quote = True
        delim = '"'
    elif sep in s or (delim and delim in s):
        if not delim:
            code, what = (
                (ic.SEPARATOR_IN_VALUE, f"le séparateur « {sep} »") if sep in s else
                (ic.DELIMITER_IN_VALUE, "le délimiteur de texte")
            )
            return Problem(
                code,
                f"La valeur contient {what}, qui couperait la ligne : retirez-le de {where} ou "
                f"définissez un délimiteur de texte (identificateur_texte) dans les options.",
            )
        quote = True
    if "\n" in s or "\r" in s:
        if positional or not delim:
            return Problem(
                ic.LINE_BREAK_IN_VALUE,
                f"La valeur contient un retour à la ligne, qui couperait la ligne d'import : "
                f"mettez-la sur une seule ligne dans {where}"
                + ("." if positional else " ou définissez un délimiteur de texte "
                   "(identificateur_texte) dans les options."),
            )
        quote = True
    if quote:
        return delim + s.replace(delim, delim + delim) + delim
    return s


def _cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _text_formatter(field: Field, sep: str, delim: str, positional: bool) -> Formatter:
    max_length = field.max_length if field.kind != "memo" else None
    limit = max_length if max_length is not None else 1 << 62
    choices = _enforced_choices(field)
    zero = _zero_rule(field)
    # Besides `sep`, the one character a printable ASCII text may hold that needs care.
    other = '"' if positional else delim or sep
    memo: dict[str, str | Problem] = {}  # codes and labels repeat down a column
    numbers: dict[float, str | Problem] = {}

    def finish(s: str) -> str | Problem:
        """Checks shared by every text once it is a str: list, length, characters."""
        if choices is not None:
            code = choices.get(s.upper())
            if code is None:
                return _not_in_list(field, s)
            s = code
        if len(s) > limit:
            return Problem(
                ic.TOO_LONG,
                f"{len(s)} caractères pour {max_length} au plus : raccourcissez la valeur "
                f"de la colonne {field.code} ({field.label}).",
            )
        # Printable ASCII cannot hold a line break nor an unsupported character: fast path.
        if s.isascii() and s.isprintable() and sep not in s and other not in s:
            return s
        return _odd_text(field, s, sep, delim, positional)

    def fmt(v: object) -> str | Problem:
        if v.__class__ is str:
            out = memo.get(v)  # type: ignore[call-overload]
            if out is None:
                s = v.strip()  # type: ignore[attr-defined]
                if not s:
                    out = ""
                elif s[0] == "#" and s in _EXCEL_ERRORS:
                    out = _excel_error(field, s)
                else:
                    out = finish(s)
                if len(memo) < 4096:
                    memo[v] = out  # type: ignore[index]
            return out
        if v is None:
            return ""
        number = v.__class__ is float or v.__class__ is int  # not bool: True == 1 in a dict
        if number:
            out = numbers.get(v)  # type: ignore[call-overload]
            if out is not None:
                return out
        out = _number_text(v)
        if number and len(numbers) < 4096:
            numbers[v] = out  # type: ignore[index]
        return out

    def _number_text(v: object) -> str | Problem:
        s = _number_as_text(field, v)
        if isinstance(s, Problem):
            return s
        if zero is not None and isinstance(v, int | float) and not isinstance(v, bool):
            problem = _lost_zero(field, s, zero)
            if problem is not None:
                if problem.severity is Severity.BLOCKING:
                    return problem
                out = finish(s)
                return out if isinstance(out, Problem) else problem
        return finish(s)

    return fmt


def _lost_zero(field: Field, s: str, rule: tuple[str, int, Severity]) -> Problem | None:
    what, digits, severity = rule
    if not s.isdigit() or len(s) >= digits:
        return None
    expected = s.zfill(digits)
    message = (
        f"« {s} » a été saisi comme un nombre : Excel a supprimé le zéro initial de ce {what}. "
        f"Formatez la colonne {field.code} en Texte et ressaisissez « {expected} »"
    )
    if severity is Severity.BLOCKING:
        message += " (une valeur plus courte, ex. étrangère, se saisit elle aussi en Texte)."
        return Problem(ic.LEADING_ZERO_LOST, message)
    message += f" si le code est bien « {expected} »."
    return Problem(ic.LEADING_ZERO_LOST, message, Severity.WARNING, s)


def _enforced_choices(field: Field) -> dict[str, str] | None:
    """Upper-cased code → documented code, unless the documented list is not a list of codes."""
    codes = field.choice_codes
    if not codes or any(not c or any(ch.isspace() for ch in c) for c in codes):
        return None  # e.g. NAT_ORIGIN lists descriptions, not codes: do not enforce them
    return {c.upper(): c for c in codes}


def _not_in_list(field: Field, s: str) -> Problem:
    shown = ", ".join(f"{c.code} ({c.label})" for c in field.choices[:25])
    if len(field.choices) > 25:
        shown += f", … ({len(field.choices)} codes)"
    hint = ""
    for c in field.choices:
        if c.label.strip().lower() == s.lower():
            hint = f" « {s} » est un libellé : saisissez son code « {c.code} »."
            break
    return Problem(
        ic.NOT_IN_LIST,
        f"« {s} » n'est pas une valeur admise dans la colonne {field.code} ({field.label}).{hint} "
        f"Valeurs admises : {shown}.",
    )


def _is_excel_error(v: object) -> bool:
    return isinstance(v, str) and v.strip() in _EXCEL_ERRORS


def _excel_error(field: Field, s: str) -> Problem:
    return Problem(
        ic.EXCEL_ERROR,
        f"La cellule affiche l'erreur Excel {s} : corrigez la formule ou la valeur de la colonne "
        f"{field.code} ({field.label}).",
    )


def display(v: object) -> str:
    """A cell value as the user sees it in a French Excel (8120, not 8120.0; 2,5; dates)."""
    if v is None:
        return ""
    if isinstance(v, float):
        return (_float_text(v) or repr(v)).replace(".", ",")
    if isinstance(v, dt.datetime | dt.date):
        return _number_as_text(Field("", "", "text"), v)  # type: ignore[return-value]
    return v if isinstance(v, str) else str(v)


def _show(v: object) -> str:
    text = display(v)
    return text if len(text) <= 60 else text[:57] + "…"


# -- entry points ---------------------------------------------------------------------------------


def make_formatter(
    field: Field, *, separator: str = ";", delimiter: str = "", positional: bool = False
) -> Formatter:
    """The cell → text function of one column; build it once per column, call it per cell."""
    kind = field.kind
    if kind in ("decimal", "amount"):
        mark = field.decimal_mark or ("." if positional else ",")
        return _decimal_formatter(field, mark)
    if kind == "int":
        return _int_formatter(field)
    if kind in ("date", "datetime"):
        return _date_formatter(field, kind == "datetime")
    if kind == "bool":
        return _bool_formatter(field)
    return _text_formatter(field, separator, delimiter, positional)


# Types whose equal values (hash-equal across types: 1 == 1.0) always format alike: a column of
# them can be formatted once per distinct value. Not bool (True == 1) nor Decimal (1.0 == 1).
_TABLE_SAFE = frozenset({str, type(None), dt.datetime, dt.date, int, float})


def make_column_formatter(
    field: Field, *, separator: str = ";", delimiter: str = "", positional: bool = False
) -> ColumnFormatter:
    """Format a whole column at once: same results as the cell formatter, at C speed mostly.

    Repeated values (codes, dates, quantities) are formatted once each; a column of distinct
    plain texts is checked in bulk (strip, ASCII, separators, length) in a few C-level passes.
    """
    fmt = make_formatter(field, separator=separator, delimiter=delimiter, positional=positional)
    bulk_text = (
        _bulk_text_checker(field, separator, delimiter, positional)
        if field.kind in ("text", "memo") else None
    )

    def column(values: Sequence[object]) -> list[str | Problem]:
        n = len(values)
        if n >= 32:
            try:
                distinct = set(values)
            except TypeError:  # an unhashable object in a cell: the careful way
                return list(map(fmt, values))
            # Types of every value, not of the distinct ones: {1, True} is a one-element set.
            if len(distinct) * 2 <= n and set(map(type, values)) <= _TABLE_SAFE:
                table = {v: fmt(v) for v in distinct}
                return list(map(table.__getitem__, values))
            if bulk_text is not None:
                out = bulk_text(values)
                if out is not None:
                    return out  # type: ignore[return-value]
        return list(map(fmt, values))

    return column


def _bulk_text_checker(
    field: Field, sep: str, delim: str, positional: bool
) -> Callable[[Sequence[object]], list[str] | None]:
    """Stripped texts if every cell is a plain string needing no per-cell care, else None."""
    limit = field.max_length if field.max_length is not None and field.kind != "memo" else None
    choices = _enforced_choices(field)
    allowed = frozenset(choices.values()) | {""} if choices is not None else None
    other = '"' if positional else delim or sep

    def check(values: Sequence[object]) -> list[str] | None:
        try:
            texts = [v.strip() if v is not None else "" for v in values]  # type: ignore[attr-defined]
            big = " ".join(texts)
        except (AttributeError, TypeError):
            return None  # numbers, dates…: each formatted by the cell formatter
        if not (big.isascii() and big.isprintable()) or sep in big or other in big:
            return None
        if limit is not None and max(map(len, texts)) > limit:
            return None
        if allowed is not None and not allowed.issuperset(texts):
            return None
        if "#" in big and not _EXCEL_ERRORS.isdisjoint(texts):
            return None
        return texts

    return check


def format_value(
    field: Field, value: object, *, separator: str = ";", delimiter: str = "",
    positional: bool = False,
) -> str | Problem:
    """One cell, one call: convenient for UDFs and tests; columns should use `make_formatter`."""
    return make_formatter(field, separator=separator, delimiter=delimiter, positional=positional)(
        value
    )
