"""Endpoint-specific rules the field table cannot express: conditional mandatory fields.

Readings of the documentation we chose (each says why):
* Comptes: `PCF_CODE` is marked mandatory, yet the documented example leaves it empty for a
  general account (`CPT_TYPE` G) and Gestimum imports it: it is required for C/F accounts only.
* Glossaires: `TXT_LIB` or `TXT_MEMO`, exactly one of them.
* GrillesTarifs: one of `ART_CODE`, `FAR_CODE`, `SFA_CODE`.
* Ecritures: `ECR_SENS` (D/C) is "Facultatif" in the documented layout; an empty direction
  is read as a debit (D), by the check, the balance, the template's note and formula, and the
  sandbox alike, and the check warns about it (a credit typed without its C is a classic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from addin.core.catalog import Endpoint

__all__ = ["DEFAULT_SENS", "SENS_NOTE", "RowRule", "required_fields", "row_rules"]

# Fields documented as mandatory that are in fact conditional (checked per row instead).
_NOT_ALWAYS_REQUIRED: dict[str, frozenset[str]] = {
    "Comptes": frozenset({"PCF_CODE"}),
    "Glossaires": frozenset({"TXT_LIB", "TXT_MEMO"}),
}
# Fields not documented as mandatory that we require (see module docstring).
_ALSO_REQUIRED: dict[str, frozenset[str]] = {}
# An entry line without a direction is a debit (see module docstring).
DEFAULT_SENS = "D"
SENS_NOTE = "Facultatif : vide, la ligne est au débit (D)."

# A row rule gets the row's texts by field code ("" when blank or absent) and returns
# (field code to point at, French message) pairs; an empty list means the row is fine.
RowRule = Callable[[Mapping[str, str]], list[tuple[str, str]]]


def required_fields(endpoint: Endpoint, record: str = "entry") -> frozenset[str]:
    """Codes that must be filled on every row (of this record type, for Ecritures)."""
    fields = endpoint.records.get(record, ()) if endpoint.positional else endpoint.fields
    codes = {f.code for f in fields if f.required}
    codes -= _NOT_ALWAYS_REQUIRED.get(endpoint.name, frozenset())
    if record == "entry":
        codes |= _ALSO_REQUIRED.get(endpoint.name, frozenset())
    return frozenset(codes)


def _comptes(row: Mapping[str, str]) -> list[tuple[str, str]]:
    kind = row.get("CPT_TYPE", "").upper()
    if kind in ("C", "F") and not row.get("PCF_CODE"):
        who = "client" if kind == "C" else "fournisseur"
        return [("PCF_CODE", f"Un compte {who} (type {kind}) doit avoir un code tiers : "
                             f"renseignez PCF_CODE.")]
    return []


def _glossaires(row: Mapping[str, str]) -> list[tuple[str, str]]:
    lib, memo = row.get("TXT_LIB", ""), row.get("TXT_MEMO", "")
    if lib and memo:
        return [("TXT_MEMO", "Renseignez TXT_LIB ou TXT_MEMO, pas les deux : videz l'un des "
                             "deux (TXT_MEMO pour un texte long).")]
    if not lib and not memo:
        return [("TXT_LIB", "Renseignez le texte du glossaire dans TXT_LIB (court) ou "
                            "TXT_MEMO (long).")]
    return []


def _grilles(row: Mapping[str, str]) -> list[tuple[str, str]]:
    if not (row.get("ART_CODE") or row.get("FAR_CODE") or row.get("SFA_CODE")):
        return [("ART_CODE", "Une ligne de grille de tarifs porte sur un article, une famille "
                             "ou une sous-famille : renseignez ART_CODE, FAR_CODE ou SFA_CODE.")]
    return []


_ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "Comptes": (_comptes,),
    "Glossaires": (_glossaires,),
    "GrillesTarifs": (_grilles,),
}


def row_rules(endpoint: Endpoint) -> tuple[RowRule, ...]:
    """The conditional checks of this endpoint, each run on every row."""
    return _ROW_RULES.get(endpoint.name, ())
