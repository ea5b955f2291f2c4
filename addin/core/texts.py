"""Texts and codes: stripping, lists of values, lengths, characters, separators, lost zeros."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence

from addin.core import issues as ic
from addin.core.catalog import Field
from addin.core.cells import EXCEL_ERRORS, Formatter, Problem, excel_error, number_as_text
from addin.core.issues import Severity

__all__ = ["bulk_text_checker", "text_formatter", "zero_rule"]

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
# "=LEFT(A2;5)", "=A2&B2", "=SOMME(…)": what a formula typed into a Text-formatted cell keeps.
_FORMULA = re.compile(r"=\s*(?:[A-Za-zÀ-ÿ_.]+\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b)")


def zero_rule(field: Field) -> tuple[str, int, Severity] | None:
    """How many digits a value of this text field has when typed correctly, if we know it."""
    probe = f"{field.code}\n{field.label.lower()}"  # code on line 1, label on line 2
    for pattern, what, digits in _ZERO_RULES:
        if pattern.search(probe):
            return what, digits, Severity.BLOCKING
    if field.max_length and field.max_length <= 6 and _SHORT_CODE.search(field.code):
        # Short codes such as depots `001` often carry zeros, but `1` may be right: warn only.
        return "code", field.max_length, Severity.WARNING
    return None


def _char_name(ch: str) -> str:
    return f"« {ch} » (U+{ord(ch):04X} {unicodedata.name(ch, 'caractère de contrôle')})"


def _odd_text(field: Field, s: str, sep: str, delim: str, positional: bool) -> str | Problem:
    """Slow path for texts that are not plain printable ASCII or that hold a special character."""
    where = f"la colonne {field.code} ({field.label})"
    for ch in s if not _storable(s) else ():
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


# Control characters that Windows-1252 encodes but Gestimum cannot store (line breaks apart).
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")


def _storable(s: str) -> bool:
    """Whole-string version of the per-character check below (one C call instead of one per
    character): encodable in Windows-1252 excludes surrogates, private-use, unassigned and
    C1 controls, which leaves the C0 controls and DEL to look for."""
    try:
        s.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return _CONTROL.search(s) is None


def _plain_accented(text: str) -> bool:
    """Printable accented text that needs nothing cell by cell (French labels, names):
    already composed (NFC) and storable in Windows-1252. One C call each for a whole column."""
    if not unicodedata.is_normalized("NFC", text):
        return False
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def text_formatter(field: Field, sep: str, delim: str, positional: bool) -> Formatter:
    """Texts and codes: stripped, checked against list, length and characters; memoised."""
    max_length = field.max_length if field.kind != "memo" else None
    limit = max_length if max_length is not None else 1 << 62
    choices = _enforced_choices(field)
    zero = zero_rule(field)
    # Besides `sep`, the one character a printable ASCII text may hold that needs care.
    other = '"' if positional else delim or sep
    memo: dict[str, str | Problem] = {}  # codes and labels repeat down a column
    numbers: dict[float, str | Problem] = {}

    def finish(s: str) -> str | Problem:
        """Checks shared by every text once it is a str: list, length, characters."""
        if s[:1] == "=" and _FORMULA.match(s):
            return Problem(ic.FORMULA_AS_TEXT, (
                f"« {s[:40]} » est une formule restée en texte (colonne {field.code} au format "
                f"Texte) : Excel ne la calcule pas et c'est ce texte qui serait envoyé. Mettez "
                f"la cellule au format Standard et validez-la à nouveau, ou collez ses valeurs."))
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
                if not s.isascii():  # macOS pastes decomposed accents (NFD): compose them
                    s = unicodedata.normalize("NFC", s)
                if not s:
                    out = ""
                elif s[0] == "#" and s in EXCEL_ERRORS:
                    out = excel_error(field, s)
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
        if v is True or v is False:
            shown = "VRAI" if v else "FAUX"
            return Problem(
                ic.BOOLEAN_IN_TEXT,
                f"La cellule contient la valeur logique {shown} alors que {field.code} "
                f"({field.label}) est un texte : Gestimum recevrait « {int(v)} ». Saisissez le "
                f"texte voulu (formatez la cellule en Texte si Excel le convertit).",
            )
        s = number_as_text(field, v)
        if isinstance(s, Problem):
            return s
        if isinstance(v, dt.date) and not field.is_custom:
            # Excel turns some typed codes into dates (1-2 → 01/02): say what is sent.
            out = finish(s)
            if isinstance(out, Problem):
                return out
            return Problem(
                ic.DATE_IN_TEXT,
                f"La cellule contient une date ({s}) alors que {field.code} ({field.label}) est "
                f"un texte : « {s} » sera envoyé. Si Excel a converti votre saisie en date, "
                f"formatez la colonne en Texte et ressaisissez-la.",
                Severity.WARNING,
                out,
            )
        if isinstance(v, int | float) and not isinstance(v, bool) and abs(v) >= 10**15:
            # Excel keeps 15 significant digits: a longer number (card, IBAN part…) lost some.
            return Problem(
                ic.TOO_MANY_DIGITS,
                f"« {s} » a été saisi comme un nombre de plus de 15 chiffres : Excel en a perdu "
                f"les derniers. Formatez la colonne {field.code} en Texte et ressaisissez la "
                f"valeur complète.",
            )
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
    if severity is Severity.BLOCKING and len(s) < digits - 1:
        # Two digits or more missing: not a lost zero but a truncated value; no guess.
        return Problem(ic.LEADING_ZERO_LOST, (
            f"« {s} » a été saisi comme un nombre et n'a que {len(s)} chiffres pour un {what} "
            f"de {digits} : la valeur semble incomplète. Formatez la colonne {field.code} en "
            f"Texte et ressaisissez la valeur exacte."))
    message = (
        f"« {s} » a été saisi comme un nombre : Excel a supprimé le zéro initial de ce {what}. "
        f"Formatez la colonne {field.code} en Texte et ressaisissez « {expected} »"
    )
    if severity is Severity.BLOCKING:
        message += " (une valeur plus courte, ex. étrangère, se saisit elle aussi en Texte)."
        if what in ("code postal", "numéro SIREN", "numéro SIRET"):
            message += " En ligne de commande, --corriger-zeros rétablit ce zéro à l'envoi."
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


def bulk_text_checker(
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
        if not big.isprintable() or sep in big or other in big:
            return None
        if not big.isascii() and not _plain_accented(big):
            return None
        if limit is not None and max(map(len, texts)) > limit:
            return None
        if allowed is not None and not allowed.issuperset(texts):
            return None
        if "#" in big and not EXCEL_ERRORS.isdisjoint(texts):
            return None
        if "=" in big and any(t[:1] == "=" for t in texts):  # maybe a formula kept as text
            return None
        return texts

    return check
