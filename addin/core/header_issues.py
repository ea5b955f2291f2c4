"""Issues about a sheet's header: columns that are no field, mandatory columns missing."""

from __future__ import annotations

from collections.abc import Mapping

from addin.core import issues as ic
from addin.core.catalog import Endpoint
from addin.core.issues import Issue, Severity
from addin.core.mapping import MAPPING_SHEET, elsewhere, suggestions
from addin.core.rules import required_fields

__all__ = ["missing_column_issues", "unknown_column_issue"]


def unknown_column_issue(endpoint: Endpoint, sheet: str, row: int, letter: str, text: str) -> Issue:
    """A header that is no field: blocking, with where its data belongs or the closest fields."""
    other = elsewhere(endpoint, text)
    close = suggestions(endpoint, text)
    if other:
        hint = f" {other}"
    elif close:
        hint = " Champs proches : " + ", ".join(f"{f.code} ({f.label})" for f in close) + "."
    else:
        hint = ""
    return Issue(
        ic.UNKNOWN_COLUMN, Severity.BLOCKING,
        f"« {text} » n'est pas un champ de {endpoint.label} : ses valeurs ne seraient pas "
        f"envoyées.{hint} Mettez le code du champ dans l'en-tête (ou dans la feuille "
        f"{MAPPING_SHEET}, colonne « Champ Gestimum »), ou # pour ne pas envoyer cette colonne.",
        sheet, row, letter, "", text,
    )


def missing_column_issues(
    endpoint: Endpoint, sheet: str, row: int, by_code: Mapping[str, object]
) -> list[Issue]:
    """A mandatory column absent from the header (records used by the sheet included)."""
    wanted = set(required_fields(endpoint))
    if endpoint.positional:
        for record in ("due", "analytic"):
            codes = {f.code for f in endpoint.records.get(record, ())}
            if codes & by_code.keys():
                wanted |= required_fields(endpoint, record)
    out = []
    for f in endpoint.fields:
        if f.code in wanted and f.code not in by_code:
            out.append(Issue(
                ic.MISSING_COLUMN, Severity.BLOCKING,
                f"La colonne obligatoire {f.code} ({f.label}) est absente : ajoutez-la à "
                f"l'en-tête (ligne {row}) et remplissez-la.",
                sheet, row, "", f.code,
            ))
    return out
