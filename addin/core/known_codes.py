"""References that neither the workbook nor this machine's imports vouch for (a `check` warning).

An entry on account 706000 is fine if 706000 is defined in another sheet of the workbook or was
imported from this machine into the same company (the run journal records the codes that real
imports created in reference endpoints: Comptes, Clients, Articles, SectionsAnalytiques…).
Otherwise `check` warns, without blocking: the code may well exist in Gestimum already.
Which fields are references and which endpoint holds each code is derived from the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from addin.core.catalog import Endpoint, import_endpoints
from addin.core.formatted import format_rows
from addin.core.issues import UNKNOWN_REFERENCE, Issue, Severity
from addin.core.missing_code import REFERENCE_FIELDS, reference_word
from addin.core.sheet import SheetData
from addin.core.sheet_rows import row_numbers

__all__ = ["UNKNOWN_REFERENCE", "created_codes", "holders", "unknown_references"]

# A reference field whose record is keyed by another code name (the section of an entry).
_KEY_OF = {"ANA_SECTION": "ANA_CODE"}
# Lists every Gestimum company starts with (EUR, FR…): warning about them would only be noise.
_PRELOADED = {"DEV_CODE", "PAY_CODE"}


@cache
def holders() -> dict[str, tuple[str, ...]]:
    """Reference field → the endpoints whose records it names (a single-field key, not secret)."""
    out: dict[str, list[str]] = {}
    for field in REFERENCE_FIELDS:
        if field in _PRELOADED:
            continue
        key = _KEY_OF.get(field, field)
        for ep in import_endpoints():
            f = ep.field(key)
            if (ep.key_fields == (key,) and not ep.creation_only
                    and f is not None and not f.is_secret):
                out.setdefault(field, []).append(ep.name)
    return {field: tuple(names) for field, names in out.items()}


def _held_key(endpoint: Endpoint) -> str | None:
    """The key field of an endpoint that holds referenced codes, else None."""
    if not any(endpoint.name in names for names in holders().values()):
        return None
    return endpoint.key_fields[0]


def created_codes(data: SheetData) -> dict[int, str]:
    """Excel row → the code a real import of that row creates, for reference endpoints only."""
    key = _held_key(data.endpoint)
    if key is None or key not in data.codes:
        return {}
    texts = format_rows(data).cols[data.codes.index(key)]
    return {row: text.strip() for row, text in zip(row_numbers(data.rows), texts, strict=True)
            if text.strip()}


def unknown_references(
    checks: Iterable[Any], imported: Mapping[str, set[str]], where: str,
    other_sheets: Iterable[Any] = (),
) -> list[Issue]:
    """One warning per reference cell of `checks` (SheetCheck) whose code is in no sheet of
    `checks` or `other_sheets` (read, not checked) and not among the codes `imported`
    (endpoint → upper-cased codes) from this machine."""
    checks = list(checks)
    in_book: dict[str, set[str]] = {}
    for c in [*checks, *other_sheets]:
        if _held_key(c.plan.endpoint) is not None:
            codes = {code.upper() for code in created_codes(c.data).values()}
            in_book.setdefault(c.plan.endpoint.name, set()).update(codes)
    issues = []
    for c in checks:
        data: SheetData = c.data
        own = set(data.endpoint.key_fields) if not data.endpoint.creation_only else set()
        fs = None
        for j, col in enumerate(data.columns):
            names = holders().get(col.code)
            if not names or col.code in own:
                continue
            fs = fs or format_rows(data)
            known = set().union(*(in_book.get(n, set()) | imported.get(n, set()) for n in names))
            for row, text in zip(data.rows, fs.cols[j], strict=True):
                code = text.strip()
                if not code or code.upper() in known:
                    continue
                word = reference_word(col.code)
                issues.append(Issue(
                    UNKNOWN_REFERENCE, Severity.WARNING,
                    f"{word[:1].upper()}{word[1:]} {code} : absent du classeur et jamais importé "
                    f"depuis ce poste dans {where} — vérifiez qu'il existe dans Gestimum",
                    data.sheet, row.row, col.letter, col.code, code))
    return issues
