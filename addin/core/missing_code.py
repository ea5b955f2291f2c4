"""Gestimum's bare "Code manquant": say which codes of the rejected line it may be about.

The documented rejection names no field. The line's reference codes (third party, article,
account, journal, depot…) are the candidates; the add-in cannot vouch for any of them (they
exist in Gestimum or they do not), so they are listed with a question mark, e.g.
"Code manquant (tiers E2E-NOPE ? article E2E-ART ?)".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from addin.core.answer_journal import split_fields

__all__ = ["REFERENCE_FIELDS", "explain_missing_code", "line_codes", "reference_word"]

# Field codes that name another record, with the word a user knows it by.
_REFERENCES = {
    "PCF_CODE": "tiers", "ART_CODE": "article", "CPT_NUMERO": "compte", "JOU_CODE": "journal",
    "DEP_CODE": "dépôt", "REP_CODE": "commercial", "PRJ_CODE": "affaire",
    "REG_CODE": "mode de règlement", "DEV_CODE": "devise", "PAY_CODE": "pays",
    "FAR_CODE": "famille", "SFA_CODE": "sous-famille", "FAT_CODE": "famille de tiers",
    "TRP_CODE": "transporteur", "TAR_CODE": "grille de tarifs", "ANA_SECTION": "section",
    "ANA_PLAN": "plan analytique", "SAL_CODE": "salarié", "NAT_CODE": "nature comptable",
}
REFERENCE_FIELDS = tuple(_REFERENCES)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isascii())


def explain_missing_code(reason: str, endpoint: Any, header: str | None, line: str) -> str:
    """The reason with the line's candidate codes when it is a bare "Code manquant"."""
    if "code manquant" not in _fold(reason) or "(" in reason:
        return reason
    codes = line_codes(endpoint, header, line)
    own = set(getattr(endpoint, "key_fields", ()) or ())
    if not getattr(endpoint, "creation_only", False):
        codes = [(c, v) for c, v in codes if c not in own]  # the record being created
    if not codes:
        return reason
    shown = " ".join(f"{_REFERENCES[c]} {v} ?" for c, v in codes)
    return f"{reason.rstrip(' .')} ({shown})"


def reference_word(field: str) -> str:
    """The word a user knows a reference field by ("compte" for CPT_NUMERO)."""
    return _REFERENCES.get(field, field)


def line_codes(endpoint: Any, header: str | None, line: str) -> list[tuple[str, str]]:
    """(field code, value) of each reference code the import line holds, in line order."""
    separator = getattr(endpoint, "separator", None) or ";"
    if getattr(endpoint, "positional", False):
        prefix = line[:1]
        record = {"E": "due", ">": "analytic"}.get(prefix, "entry")
        body = line[1:] if record != "entry" else line
        fields: Sequence[Any] = endpoint.records.get(record, ())
        values = split_fields(body, separator)
        names = [f.code for f in fields]
    else:
        if header is None:
            return []
        names = split_fields(header, separator)
        values = split_fields(line, separator)
    found = []
    for name, value in zip(names, values, strict=False):
        if name in _REFERENCES and value.strip():
            found.append((name, value.strip()))
    return found
