"""Sandbox-side field rules, built once per endpoint from the catalog *data*.

Deliberately independent from the add-in's validation code (only `addin.core.catalog`, a data
loader, is shared): if both sides used the same checks, their bugs would agree and tests would prove
nothing. Checks work on a column's *distinct* values so that most of the work runs in C.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from addin.core import catalog

# Fields whose documentation says "Séparateur décimal : point ou virgule"; the catalog only
# carries one decimal mark per field (a test checks this list against endpoints.json).
POINT_OR_COMMA: dict[str, frozenset[str]] = {
    "DocumentsAchat": frozenset({"DOC_REMFAC", "DOC_TXRFAC", "LIG_QTE", "LIG_P_BRUT", "LIG_P_PRV"}),
    "DocumentsVente": frozenset({"DOC_REMFAC", "DOC_TXRFAC", "LIG_QTE", "LIG_P_BRUT", "LIG_P_PRV"}),
}

# Keys the documentation does not name: the mandatory fields identify the record.
FALLBACK_KEYS: dict[str, tuple[str, ...]] = {
    "Utilisateurs": ("USR_NAME",),
    "Villes": ("VIL_CODE", "VIL_NOM"),
}

# Fields holding a secret: stored hashed, never echoed nor returned. The catalog has no flag
# for them (yet), so the sandbox recognises them by code and by label.
SECRET_CODES = frozenset({"USR_PASSWD"})
_SECRET_LABEL = re.compile(r"mot de passe|password", re.IGNORECASE)

# Keys the ERP numbers itself when the file leaves them empty (actions, contacts).
AUTO_NUMBERED: frozenset[str] = frozenset({"Actions", "Contacts"})

_INT = re.compile(r"-?\d+\Z")
_DECIMAL = {
    ",": re.compile(r"-?\d+(?:,\d+)?\Z"),
    ".": re.compile(r"-?\d+(?:\.\d+)?\Z"),
    "both": re.compile(r"-?\d+(?:[.,]\d+)?\Z"),
}
_MARK_TEXT = {",": "virgule", ".": "point", "both": "point ou virgule"}
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})\Z")
_DATETIME = re.compile(r"(\d{2})/(\d{2})/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?\Z")
# Ecritures accept JJMMAA, JJMMAAAA, JJ/MM/AA and JJ/MM/AAAA.
_ENTRY_DATE = re.compile(r"(\d{2})/?(\d{2})/?(\d{2}|\d{4})\Z")


def parse_date(text: str) -> date | None:
    """A `dd/mm/yyyy` date, or None when the text is not a real calendar date."""
    m = _DATE.match(text)
    if not m:
        return None
    return _calendar(int(m[3]), int(m[2]), int(m[1]))


def parse_entry_date(text: str) -> date | None:
    """An Ecritures date in any of its four documented forms, or None."""
    m = _ENTRY_DATE.match(text)
    if not m or ("/" in text and text.count("/") != 2):
        return None
    year = int(m[3])
    if len(m[3]) == 2:
        year += 2000 if year < 70 else 1900  # two-digit years: 70-99 → 19xx, as Windows does
    return _calendar(year, int(m[2]), int(m[1]))


def _calendar(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _valid_datetime(text: str) -> bool:
    m = _DATETIME.match(text)
    if not m or _calendar(int(m[3]), int(m[2]), int(m[1])) is None:
        return False
    if m[4] is None:
        return True
    return int(m[4]) < 24 and int(m[5]) < 60 and int(m[6] or 0) < 60


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What one column must satisfy, with the French wording of each failure."""

    code: str
    label: str
    kind: str
    max_length: int | None
    choices: frozenset[str]
    required: bool
    decimal_mark: str
    secret: bool = False

    def about(self, value: str) -> str:
        """`La valeur « v » du champ CODE (Libellé)`; a secret value is never echoed."""
        return f"La valeur « {'********' if self.secret else value} » du champ {self.describe()}"

    def describe(self) -> str:
        return f"{self.code} ({self.label})"

    def required_message(self) -> str:
        return f"Le champ {self.describe()} est obligatoire."

    def length_message(self) -> str:
        return (
            f"Le champ {self.describe()} dépasse la longueur maximale de "
            f"{self.max_length} caractères."
        )

    def bool_message(self, value: str) -> str:
        return f"{self.about(value)} doit valoir 0 ou 1."

    def invalid_values(self, distinct: set[str]) -> dict[str, str]:
        """Map each non-empty value that breaks the type or the allowed values to its reason."""
        bad: dict[str, str] = {}
        if self.choices:
            for value in distinct - self.choices:
                if self.kind == "bool":
                    bad[value] = self.bool_message(value)
                else:
                    allowed = ", ".join(sorted(self.choices))
                    bad[value] = (
                        f"{self.about(value)} n'est pas autorisée (valeurs possibles : {allowed})."
                    )
            return bad
        kind = self.kind
        if kind == "int":
            for value in distinct:
                if not _INT.match(value):
                    bad[value] = f"{self.about(value)} n'est pas un nombre entier."
        elif kind in ("decimal", "amount"):
            pattern = _DECIMAL[self.decimal_mark]
            for value in distinct:
                if not pattern.match(value):
                    bad[value] = (
                        f"{self.about(value)} n'est pas un nombre valide "
                        f"(séparateur décimal : {_MARK_TEXT[self.decimal_mark]})."
                    )
        elif kind == "date":
            for value in distinct:
                if parse_date(value) is None:
                    bad[value] = (
                        f"{self.about(value)} n'est pas une date valide (format JJ/MM/AAAA)."
                    )
        elif kind == "datetime":
            for value in distinct:
                if not _valid_datetime(value):
                    bad[value] = (
                        f"{self.about(value)} n'est pas une date et heure valide "
                        "(format JJ/MM/AAAA ou JJ/MM/AAAA HH:MM:SS)."
                    )
        elif kind == "bool":
            for value in distinct - {"0", "1"}:
                bad[value] = self.bool_message(value)
        return bad

    def column_issues(self, column: Sequence[str]) -> list[tuple[int, str]]:
        """(row index, reason) for every cell of the column that breaks this rule."""
        issues: list[tuple[int, str]] = []
        if self.kind in ("text", "memo") and not self.choices:
            # Plain text: only presence and length, checked in C over the whole column.
            if self.required and "" in column:
                message = self.required_message()
                issues.extend((i, message) for i, v in enumerate(column) if v == "")
            if self.max_length is not None and column and max(map(len, column)) > self.max_length:
                message = self.length_message()
                limit = self.max_length
                issues.extend((i, message) for i, v in enumerate(column) if len(v) > limit)
            return issues
        distinct = set(column)
        if self.required and "" in distinct:
            message = self.required_message()
            issues.extend((i, message) for i, v in enumerate(column) if v == "")
        distinct.discard("")
        if not distinct:
            return issues
        bad: dict[str, str] = {}
        if self.max_length is not None and max(map(len, distinct)) > self.max_length:
            message = self.length_message()
            bad.update((v, message) for v in distinct if len(v) > self.max_length)
        if self.kind not in ("text", "memo") or self.choices:
            for value, reason in self.invalid_values(distinct).items():
                bad.setdefault(value, reason)
        if bad:
            issues.extend((i, bad[v]) for i, v in enumerate(column) if v in bad)
        return issues


def rule_from_field(
    field: catalog.Field, endpoint: str, *, required: bool | None = None
) -> FieldRule:
    """The sandbox rule for one catalog field."""
    mark = field.decimal_mark or ","
    if field.code in POINT_OR_COMMA.get(endpoint, ()):
        mark = "both"
    return FieldRule(
        code=field.code,
        label=field.label,
        kind=field.kind,
        max_length=field.max_length,
        choices=frozenset(c.code for c in field.choices),
        required=field.required if required is None else required,
        decimal_mark=mark,
        secret=is_secret(field),
    )


def is_secret(field: catalog.Field) -> bool:
    """Whether a catalog field holds a secret (a password)."""
    return (
        field.code in SECRET_CODES
        or bool(getattr(field, "secret", False))
        or _SECRET_LABEL.search(field.label) is not None
    )


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """Everything the sandbox needs to serve one import endpoint."""

    endpoint: catalog.Endpoint
    rules: dict[str, FieldRule]
    keys: tuple[str, ...]
    task: str
    secrets: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.endpoint.name

    def rule(self, code: str) -> FieldRule | None:
        """The rule of a header code, a free text rule for custom fields, else None."""
        found = self.rules.get(code)
        if found is None and self.endpoint.custom_fields and code.startswith("XXX_"):
            label = f"Champ personnalisé {code}"
            return FieldRule(code, label, "text", None, frozenset(), False, ",")
        return found


@cache
def endpoint_spec(name: str) -> EndpointSpec:
    """The precomputed spec of an import endpoint (KeyError when unknown)."""
    ep = catalog.get_endpoint(name)
    keys = tuple(ep.key_fields) or FALLBACK_KEYS.get(ep.name, ())
    rules: dict[str, FieldRule] = {}
    for f in ep.fields:
        # A single update key is what identifies the record: mandatory unless the ERP numbers it.
        required = f.required or (
            len(keys) == 1 and f.code == keys[0] and ep.name not in AUTO_NUMBERED
        )
        # Comptes: PCF_CODE is only needed for client/supplier accounts (documented example).
        if ep.name == "Comptes" and f.code == "PCF_CODE":
            required = False
        rules.setdefault(f.code, rule_from_field(f, ep.name, required=required))
    secrets = frozenset(f.code for f in ep.fields if is_secret(f))
    return EndpointSpec(ep, rules, keys, ep.task or f"Importer{ep.name}", secrets)


@cache
def import_names() -> tuple[str, ...]:
    """Names of the 34 import endpoints."""
    return tuple(e.name for e in catalog.endpoints() if e.kind == "import")


def by_domain() -> dict[str, catalog.Endpoint]:
    """URL domain → endpoint, including the `SousFamillesArticles` alias of the console."""
    table = {e.domain: e for e in catalog.endpoints()}
    if "SousFamilles" in table:
        table["SousFamillesArticles"] = table["SousFamilles"]
    return table
