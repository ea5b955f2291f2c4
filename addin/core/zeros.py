"""Opt-in repair of leading zeros Excel dropped, where the length is fixed and known.

A French postcode (5 digits), SIREN (9) or SIRET (14) typed as a number loses its leading zero
(06000 → 6000). With `--corriger-zeros` the one missing zero is put back before the check, and
each repair is reported as a warning; a value missing more than one digit is left alone (it is
truncated, not zero-stripped), and so is a postcode of a row whose country is not France.
"""

from __future__ import annotations

from addin.core import issues as ic
from addin.core.issues import Issue, Severity
from addin.core.sheet import SheetData

__all__ = ["FIXED_DIGITS", "fix_lost_zeros"]

FIXED_DIGITS = {"_CP": 5, "_SIREN": 9, "_SIRET": 14}
_FRANCE = ("", "FR", "FRA", "FRANCE")


def _digits(code: str) -> int | None:
    return next((n for suffix, n in FIXED_DIGITS.items() if code.endswith(suffix)), None)


def fix_lost_zeros(data: SheetData) -> list[Issue]:
    """Put back the one leading zero of fixed-length codes typed as numbers; a warning each."""
    columns = [(c, n) for c in data.columns if (n := _digits(c.code)) is not None]
    if not columns:
        return []
    issues: list[Issue] = []
    for row in data.rows:
        values = row.values
        for column, digits in columns:
            v = values.get(column.code)
            if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) or v < 0:
                continue
            text = str(int(v))
            if len(text) != digits - 1:
                continue
            country = str(values.get("PAY_CODE") or "").strip().upper()
            if column.code.endswith("_CP") and country not in _FRANCE:
                continue
            values[column.code] = text.zfill(digits)
            issues.append(Issue(
                ic.LEADING_ZERO_FIXED, Severity.WARNING,
                f"Zéro initial rétabli : « {text} » envoyé « {text.zfill(digits)} » (corrigez "
                f"aussi la cellule, au format Texte, pour les prochaines fois).",
                data.sheet, row.row, column.letter, column.code, text))
    return issues
