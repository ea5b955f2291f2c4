"""The Gestimum endpoint catalog, loaded from the generated package data file.

`data/catalog.json` is produced by `tools/build_catalog.py` from the documented reference; this
module only turns it into frozen dataclasses and answers look-ups (stdlib only, no I/O at import).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "Choice",
    "Endpoint",
    "Field",
    "Param",
    "endpoints",
    "get_endpoint",
    "import_endpoints",
    "normalise_name",
    "resolve_endpoint",
]

CUSTOM_FIELD_PREFIX = "XXX_"


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a field: the code sent to Gestimum and its French label."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Field:
    """One importable field (column) of an endpoint, as documented."""

    code: str
    label: str
    kind: str  # text, memo, int, decimal, amount, date, datetime, bool
    source_type: str = ""
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = False
    condition: str | None = None
    default: str | None = None
    example: str | None = None
    key: bool = False
    decimal_mark: str | None = None
    position: int | None = None  # positional formats (Ecritures) only
    quoted: bool = False

    @property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    @property
    def is_custom(self) -> bool:
        return self.code.startswith(CUSTOM_FIELD_PREFIX)

    @property
    def is_rate(self) -> bool:
        """A number documented as a rate or percentage ("Taux…", "Pourcentage…", "% …"):
        Gestimum takes it in percentage points (20 for 20 %)."""
        return self.kind in ("int", "decimal", "amount") and _is_rate(self.code, self.label)

    @property
    def is_secret(self) -> bool:
        """A password field (label "Mot de passe", or a PASSWD/PASSWORD/PWD code): its values
        are masked in every output, never hashed plainly, scrubbed from journals."""
        return _is_secret(self.code, self.label)


@dataclass(frozen=True, slots=True)
class Param:
    """An endpoint-specific request parameter (tester, format, calculer_code_tiers…)."""

    name: str
    description: str
    values: tuple[str, ...]
    default: str | None
    required: bool


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One documented request: URL, body keys, parameters, fields and import rules."""

    name: str
    label: str
    title: str
    kind: str
    method: str
    url: str
    domain: str
    function: str
    root_key: str | None
    file_param: str | None
    file_params: tuple[str, ...]
    params: tuple[Param, ...]
    test_mode: bool
    positional: bool
    separator: str | None
    fields: tuple[Field, ...]
    custom_fields: bool
    key_fields: tuple[str, ...]
    creation_only: bool
    grouping: tuple[str, ...] | None
    grouping_rule: str | None
    stat_keys: tuple[str, ...]
    task: str | None
    rank: int
    depends_on: tuple[str, ...]
    examples: tuple[dict[str, Any], ...] = ()
    example_response: dict[str, Any] | None = None
    examples_withheld: bool = False
    records: dict[str, tuple[Field, ...]] = field(default_factory=dict)

    @property
    def is_import(self) -> bool:
        return self.kind == "import"

    @property
    def field_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.fields)

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    def field(self, code: str) -> Field | None:
        """The field with this code, a custom field when the endpoint accepts them, else None."""
        found = _fields_by_code(self.name).get(code.upper())
        if found is None and self.custom_fields and code.upper().startswith(CUSTOM_FIELD_PREFIX):
            return Field(code=code.upper(), label=f"Champ personnalisé {code.upper()}", kind="text")
        return found

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _is_rate(code: str, label: str) -> bool:
    folded = normalise_name(label)
    words = code.upper().split("_")
    return (
        "%" in label or folded.startswith(("taux", "pourcentage", "ancientaux"))
        or "pourcentage" in folded or any(w.startswith("TX") for w in words[1:])
    )


_SECRET_LABELS = ("motdepasse", "password", "passwd")
_SECRET_CODE = ("PASSWD", "PASSWORD", "PWD", "MOTPASSE", "MOT_PASSE", "MDP")


def _is_secret(code: str, label: str) -> bool:
    folded = normalise_name(label)
    if any(word in folded for word in _SECRET_LABELS):
        return True
    parts = code.upper().split("_")
    return any(p in _SECRET_CODE for p in parts) or code.upper().endswith(_SECRET_CODE)


@cache
def _fields_by_code(name: str) -> dict[str, Field]:
    return {f.code: f for f in get_endpoint(name).fields}


def _field(raw: dict[str, Any]) -> Field:
    return Field(
        code=raw["code"],
        label=raw["label"],
        kind=raw["kind"],
        source_type=raw.get("source_type", ""),
        max_length=raw.get("max_length"),
        choices=tuple(Choice(c["code"], c["label"]) for c in raw.get("choices", ())),
        required=raw.get("required", False),
        condition=raw.get("condition"),
        default=raw.get("default"),
        example=raw.get("example"),
        key=raw.get("key", False),
        decimal_mark=raw.get("decimal_mark"),
        position=raw.get("position"),
        quoted=raw.get("quoted", False),
    )


def _endpoint(raw: dict[str, Any]) -> Endpoint:
    return Endpoint(
        name=raw["name"],
        label=raw["label"],
        title=raw["title"],
        kind=raw["kind"],
        method=raw["method"],
        url=raw["url"],
        domain=raw["domain"],
        function=raw["function"],
        root_key=raw.get("root_key"),
        file_param=raw.get("file_param"),
        file_params=tuple(raw.get("file_params", ())),
        params=tuple(
            Param(p["name"], p["description"], tuple(p["values"]), p["default"], p["required"])
            for p in raw.get("params", ())
        ),
        test_mode=raw["test_mode"],
        positional=raw["positional"],
        separator=raw.get("separator"),
        fields=tuple(_field(f) for f in raw.get("fields", ())),
        custom_fields=raw.get("custom_fields", False),
        key_fields=tuple(raw.get("key_fields", ())),
        creation_only=raw.get("creation_only", False),
        grouping=tuple(raw["grouping"]) if raw.get("grouping") else None,
        grouping_rule=raw.get("grouping_rule"),
        stat_keys=tuple(raw.get("stat_keys", ())),
        task=raw.get("task"),
        rank=raw.get("rank", 0),
        depends_on=tuple(raw.get("depends_on", ())),
        examples=tuple(raw.get("examples", ())),
        example_response=raw.get("example_response"),
        examples_withheld=raw.get("examples_withheld", False),
        records={k: tuple(_field(f) for f in v) for k, v in raw.get("records", {}).items()},
    )


@cache
def _load() -> tuple[Endpoint, ...]:
    text = resources.files("addin").joinpath("data/catalog.json").read_text(encoding="utf-8")
    return tuple(_endpoint(e) for e in json.loads(text)["endpoints"])


def endpoints() -> tuple[Endpoint, ...]:
    """Every documented request (34 imports and 2 tools), in documentation order."""
    return _load()


def import_endpoints() -> tuple[Endpoint, ...]:
    """The 34 import endpoints, in dependency order (rank, then name)."""
    return tuple(sorted((e for e in _load() if e.is_import), key=lambda e: (e.rank, e.name)))


def normalise_name(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form used to match sheet names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).lower()


@cache
def _by_normalised_name() -> dict[str, Endpoint]:
    table: dict[str, Endpoint] = {}
    for ep in _load():
        if not ep.is_import:
            continue
        for alias in (ep.name, ep.label, ep.domain, ep.root_key or "", ep.task or ""):
            if alias:
                table.setdefault(normalise_name(alias), ep)
    table.setdefault(normalise_name("SousFamillesArticles"), get_endpoint("SousFamilles"))
    return table


def get_endpoint(name: str) -> Endpoint:
    """The endpoint with this exact name (e.g. 'Clients', 'Outils.Version'); KeyError otherwise."""
    for ep in _load():
        if ep.name == name:
            return ep
    found = _by_normalised_name().get(normalise_name(name))
    if found is None:
        raise KeyError(name)
    return found


def resolve_endpoint(name: str) -> Endpoint | None:
    """The import endpoint a sheet or table name designates (name or French label), else None."""
    return _by_normalised_name().get(normalise_name(name))
