"""The expected accounting period (`Période` in the Connexion sheet) and entries dated outside it.

A January close must not carry an entry dated 31/12/2023 silently. Accepted spellings: a month
("01/2025", "2025-01", "janvier 2025"), a year ("2025"), or a range ("01/01/2025 - 31/01/2025",
"du 01/01/2025 au 31/01/2025").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime

from addin.core import issues as ic
from addin.core.issues import Issue, Severity
from addin.core.sheet import SheetData

__all__ = ["parse_period", "period_issues"]

_MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
           "octobre", "novembre", "decembre")
_DATE = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isascii()).strip()


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> tuple[date, date] | None:
    """(first day, last day) of the period this text names, None when it names none."""
    t = _fold(text)
    try:
        if m := re.fullmatch(rf"(?:du\s+)?{_DATE}\s*(?:-|au|a|à)\s*{_DATE}", t):
            d = [int(x) for x in m.groups()]
            start, end = date(d[2], d[1], d[0]), date(d[5], d[4], d[3])
            return (start, end) if start <= end else None
        if m := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", t):
            return _month(int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-01 00:00:00)?", t):
            return _month(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"([a-z]+)\s+(\d{4})", t):
            if m[1] in _MONTHS:
                return _month(int(m[2]), _MONTHS.index(m[1]) + 1)
            return None
        if re.fullmatch(r"\d{4}", t):
            return date(int(t), 1, 1), date(int(t), 12, 31)
    except ValueError:
        return None
    return None


def _fr(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def period_issues(data: SheetData, period_text: str | None) -> list[Issue]:
    """A blocking issue for each entry dated outside the expected period (Ecritures only)."""
    if not period_text or not data.endpoint.positional or data.header_row is None:
        return []
    column = data.column("ECR_DATE")
    if column is None:
        return []
    period = parse_period(period_text)
    if period is None:
        return [Issue(ic.OUT_OF_PERIOD, Severity.BLOCKING,
                      f"Période attendue « {period_text} » illisible (feuille Connexion) : "
                      "écrivez par exemple 01/2025, janvier 2025 ou 01/01/2025 - 31/01/2025.",
                      "Connexion")]
    start, end = period
    out = []
    for row in data.rows:
        value = row.values.get("ECR_DATE")
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            m = re.fullmatch(_DATE, value.strip())
            try:
                value = date(int(m[3]), int(m[2]), int(m[1])) if m else None
            except ValueError:
                value = None
        if isinstance(value, date) and not start <= value <= end:
            out.append(Issue(
                ic.OUT_OF_PERIOD, Severity.BLOCKING,
                f"Écriture datée du {_fr(value)}, hors de la période attendue ({_fr(start)} au "
                f"{_fr(end)}, feuille Connexion) : corrigez la date, ou élargissez la période si "
                f"cette écriture doit bien être passée.",
                data.sheet, row.row, column.letter, "ECR_DATE", _fr(value)))
    return out
