"""Generate addin/data/catalog.json from the Gestimum reference (shared/gestimum/endpoints.json).

The catalog is never typed by hand: this script normalises the documented data (types, value
lists, update keys, grouping rules) and derives the dependency order between endpoints.
Usage: python tools/build_catalog.py [--source PATH] [--out PATH] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "gestimum" / "endpoints.json"
DEFAULT_OUT = ROOT / "addin" / "data" / "catalog.json"

KINDS = {
    "Texte": "text",
    "Texte illimité": "memo",
    "Case à cocher": "bool",
    "Nombre à virgule": "decimal",
    "Montant": "amount",
    "Date": "date",
    "Date et heure": "datetime",
    "Nombre entier": "int",
    "Entier": "int",
    "Numéro": "int",
}

# French labels shown to users for each endpoint (the documented titles are "Requête de création
# de …"; the label is that object, capitalised, without the "seul(e)s" qualifier).
_TITLE_PREFIX = re.compile(r"^Requête de création (?:de |d'|des )", re.IGNORECASE)

# References that would create cycles or that Gestimum resolves itself: a client/supplier import
# creates its own account (CPT_NUMERO), an account import names its third party (PCF_CODE) but
# accounts are imported before their third parties in Gestimum's own documentation.
IGNORED_REFERENCES = {
    ("Clients", "CPT_NUMERO"),
    ("Fournisseurs", "CPT_NUMERO"),
    ("Prospects", "CPT_NUMERO"),
    ("Comptes", "PCF_CODE"),
}

# Prerequisites the documentation states in words, not through a shared field code: addresses,
# banks and contacts need their third party; documents need their articles.
_THIRD_PARTIES = ("Clients", "Fournisseurs", "Prospects")
DOCUMENTED_PREREQUISITES = {
    "AdressesTiers": _THIRD_PARTIES,
    "BanquesTiers": _THIRD_PARTIES,
    "Contacts": _THIRD_PARTIES,
    "DocumentsVente": ("Articles",),
    "DocumentsAchat": ("Articles",),
    "DocumentsStock": ("Articles",),
}


def _label(entry: dict) -> str:
    if entry["kind"] != "import":
        return entry["title_fr"]
    text = _TITLE_PREFIX.sub("", entry["title_fr"]).strip()
    text = re.sub(r"\s+seul(e)?s$", "", text)
    return text[:1].upper() + text[1:]


def _split_codes(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,]+", text.strip()) if p]


def _pairs_from_items(items: list[str]) -> list[tuple[str, str]] | None:
    """Parse items like 'F : Faible' or 'E = Entrée'; None when they are not code/label pairs."""
    pairs = []
    for item in items:
        m = re.match(r"^\s*([^\s:=]+)\s*[:=]\s*(.+?)\s*$", item)
        if not m:
            return None
        pairs.append((m.group(1), m.group(2)))
    return pairs


def _labels_list(desc: object) -> list[str]:
    if isinstance(desc, list):
        return [str(x).strip() for x in desc]
    if isinstance(desc, str) and desc.strip() and desc.strip() != "-":
        if "," in desc:
            return [x.strip() for x in desc.split(",")]
        return desc.split()
    return []


def choices_of(field: dict) -> list[dict]:
    """Normalise the documented value list of one field into [{code, label}]."""
    values = field.get("values") or []
    fmt = field.get("format")
    if isinstance(fmt, list) and fmt and fmt[0].lower().startswith("valeur"):
        values = fmt[1:]
    elif isinstance(fmt, str) and re.match(r"^\s*\S+\s*=", fmt):
        values = [fmt]
    values = [v for v in values if v.strip() not in ("-", "")]
    if not values:
        return []
    if len(values) == 1:
        single = values[0]
        items = [x.strip() for x in single.split(",")]
        pairs = _pairs_from_items(items)
        if pairs:
            return [{"code": c, "label": lab} for c, lab in pairs]
        codes = [c for c in _split_codes(single) if c != "-"]
    else:
        pairs = _pairs_from_items(values)
        if pairs:
            return [{"code": c, "label": lab} for c, lab in pairs]
        codes = [v.strip() for v in values]
    labels = [lab for lab in _labels_list(field.get("values_description")) if lab != "-"]
    if len(labels) == len(codes) + 1:
        labels = labels[1:]  # the first label describes the empty value (e.g. "Aucun")
    if len(labels) != len(codes):
        labels = codes
    return [{"code": c, "label": lab} for c, lab in zip(codes, labels, strict=True)]


def _max_length(field: dict) -> int | None:
    raw = str(field.get("max_length") or "").strip()
    return int(raw) if raw.isdigit() else None


def _decimal_mark(field: dict, separator: str) -> str:
    fmt = str(field.get("format") or "")
    if "point ou virgule" in fmt:
        return ","
    if "point" in fmt or separator == ",":
        return "."
    return ","


def build_field(field: dict, keys: list[str], separator: str, footnotes: list[str]) -> dict:
    """One catalog field from one documented field-structure row."""
    kind = KINDS.get(field.get("type") or "", "text")
    if not field.get("type") and field["field"] == "ACT_DESC":
        kind = "memo"
    presence = field.get("presence") or ""
    stars = presence.count("*")
    condition = None
    if stars:
        marker = "*" * stars
        for note in footnotes:
            if note.startswith(marker + " "):
                condition = note[len(marker) + 1 :]
    choices = choices_of(field)
    if kind == "bool" and not choices:
        choices = [{"code": "0", "label": "Non"}, {"code": "1", "label": "Oui"}]
    default = field.get("default")
    return {
        "code": field["field"],
        "label": (field.get("description") or field["field"]).strip(),
        "kind": kind,
        "source_type": field.get("type") or "",
        "max_length": _max_length(field),
        "choices": choices,
        "required": bool(field.get("required")) and stars == 0,
        "condition": condition,
        "default": default if default not in (None, "") else None,
        "example": field.get("example") or None,
        "key": field["field"] in keys,
        "decimal_mark": _decimal_mark(field, separator) if kind in ("decimal", "amount") else None,
    }


ECRITURES_CODES = {
    "entry": [
        "ECR_LIGNE", "ECR_DATE", "JOU_CODE", "CPT_NUMERO", "ECR_LIBAUTO", "ECR_LIB", "ECR_PIECE",
        "DEV_CODE", "ECR_MONTANT", "ECR_SENS", "ECR_LETTRAGE", "ECR_DATECH", "ECR_QTE",
        "REG_CODE", "ECR_PIECE2", "ECR_REF", "ECR_DATEP2",
    ],
    "due": ["", "ECH_DATE", "ECH_REG_CODE", "ECH_POURCENT", "ECH_MONTANT", "ECH_ORIGINE"],
    "analytic": ["", "ANA_PLAN", "ANA_SECTION", "ANA_POURCENT", "ANA_MONTANT", "ANA_POURCQTE",
                 "ANA_QTE"],
}
ECRITURES_SECTIONS = {
    "Structure des lignes d'écritures": "entry",
    "Structure des échéances": "due",
    "Structure des ventilations analytiques": "analytic",
}


def ecritures_records(entry: dict) -> dict:
    """Positional layouts of the GestimumComptaVariable format (entry, due-date, analytic)."""
    formats = entry["formats_structure"]
    layout = next(v for k, v in formats.items() if "largeur variable" in k and "Comptable" in k)
    records: dict[str, list[dict]] = {}
    for table in layout["tables"]:
        kind = ECRITURES_SECTIONS[table["section"]]
        codes = ECRITURES_CODES[kind]
        fields = []
        for pos, field in enumerate(table["fields"]):
            if not codes[pos]:
                continue  # the record-type marker ('E' or '>') is written by the line builder
            row = {
                "field": codes[pos],
                "description": field["field"],
                "type": field["type"],
                "max_length": field["max_length"],
                "presence": field["presence"],
                "required": field["required"],
                "format": field["format"] if isinstance(field["format"], str) else "",
                "values": field["format"][1:] if isinstance(field["format"], list) else [],
            }
            built = build_field(row, [], ",", [])
            built["position"] = int(field["order"])
            built["quoted"] = "guillemets" in str(field.get("format"))
            if "Obligatoire *" in field["presence"]:
                built["condition"] = (
                    "Obligatoire si les préférences comptables de la société l'exigent"
                )
            fields.append(built)
        records[kind] = fields
    return records


def grouping_of(entry: dict, fields: list[dict]) -> list[str] | None:
    """Fields whose change from one line to the next starts a new document (documented rule)."""
    rule = entry.get("document_split_rule")
    if not rule:
        return None
    codes = {f["code"] for f in fields}
    if entry["name"] == "DocumentsStock":
        wanted = ["DOC_STYPE", "DEP_CODE", "PCF_CODE"]
    else:
        wanted = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "DEP_CODE", "REP_CODE", "PRJ_CODE",
                  "DOC_REFPCF"]
    missing = [c for c in wanted if c not in codes]
    if missing:
        raise SystemExit(f"{entry['name']}: grouping fields not in structure: {missing}")
    return wanted


def dependency_order(endpoints: list[dict]) -> None:
    """Set depends_on and rank: an endpoint depends on those keyed by a code it references."""
    owners: dict[str, list[str]] = {}
    for ep in endpoints:
        keys = ep["key_fields"]
        if len(keys) == 1:
            owners.setdefault(keys[0], []).append(ep["name"])
    owners.setdefault("PCF_CODE", []).extend(["Clients", "Fournisseurs", "Prospects"])
    owners.setdefault("PLA_CODE", [])
    for ep in endpoints:
        deps: set[str] = set()
        codes = {f["code"] for f in ep["fields"]}
        if ep["name"] == "Ecritures":
            codes = {"CPT_NUMERO", "DEV_CODE", "REG_CODE"}
        for code in codes:
            if (ep["name"], code) in IGNORED_REFERENCES:
                continue
            if ep["name"] in owners.get(code, []):
                continue  # the endpoint owns the code (e.g. PCF_CODE of Clients)
            for owner in owners.get(code, []):
                if owner != ep["name"]:
                    deps.add(owner)
        deps.update(DOCUMENTED_PREREQUISITES.get(ep["name"], ()))
        if ep["name"] == "Ecritures":
            deps.update({"Comptes", "SectionsAnalytiques"})
        ep["depends_on"] = sorted(d for d in deps if d != ep["name"])
    by_name = {ep["name"]: ep for ep in endpoints}
    rank: dict[str, int] = {}

    def visit(name: str, stack: tuple[str, ...]) -> int:
        if name in rank:
            return rank[name]
        if name in stack:
            raise SystemExit(f"dependency cycle: {' -> '.join(stack + (name,))}")
        deps = by_name[name]["depends_on"]
        rank[name] = 1 + max((visit(d, stack + (name,)) for d in deps), default=0)
        return rank[name]

    for ep in endpoints:
        ep["rank"] = visit(ep["name"], ())


def build_endpoint(entry: dict) -> dict:
    """One catalog endpoint from one documented request."""
    keys = list(entry.get("import_update_key_fields") or [])
    separator = entry.get("separator") or ";"
    footnotes = entry.get("file_structure_footnotes") or []
    raw_fields = entry.get("file_structure") or []
    fields = [
        build_field(f, keys, separator, footnotes)
        for f in raw_fields
        if not f["field"].startswith("XXX_")
    ]
    params = [
        {
            "name": p["name"],
            "description": p.get("description") or "",
            "values": list(p.get("values") or []),
            "default": p.get("default"),
            "required": bool(p.get("required")),
        }
        for p in entry.get("other_params") or []
    ]
    is_import = entry["kind"] == "import"
    ep = {
        "name": entry["name"],
        "label": _label(entry),
        "title": entry["title_fr"],
        "kind": entry["kind"],
        "method": entry["method"],
        "url": entry["url"],
        "domain": entry["domain"],
        "function": entry["function"],
        "root_key": entry.get("root_key"),
        "file_param": (entry.get("file_params") or [None])[0],
        "file_params": list(entry.get("file_params") or []),
        "params": params,
        "test_mode": any(p["name"] == "tester" for p in params),
        "positional": entry["name"] == "Ecritures",
        "separator": separator if is_import else None,
        "fields": fields,
        "custom_fields": any(f["field"].startswith("XXX_") for f in raw_fields),
        "key_fields": keys,
        "creation_only": is_import and not entry.get("import_update_supported", False),
        "grouping": grouping_of(entry, fields),
        "grouping_rule": entry.get("document_split_rule"),
        "stat_keys": list(entry.get("stat_keys") or []),
        "task": entry.get("task"),
        "applications": list(entry.get("applications") or []),
        "versions": entry.get("versions"),
        "examples": entry.get("example_requests") or [],
        "example_response": entry.get("example_response"),
        "examples_withheld": bool(entry.get("examples_withheld")),
        "notes": list(entry.get("notes") or []),
    }
    if entry["name"] == "Ecritures":
        ep["records"] = ecritures_records(entry)
        ep["fields"] = [f for kind in ("entry", "due", "analytic") for f in ep["records"][kind]]
        ep["grouping"] = ["JOU_CODE", "ECR_DATE", "ECR_PIECE"]
        ep["grouping_rule"] = (
            "Les lignes d'une même pièce (même journal, date et numéro de pièce) doivent se suivre"
            " et être équilibrées (total débit = total crédit)."
        )
    return ep


def build(source: Path) -> dict:
    raw = source.read_bytes()
    data = json.loads(raw)
    endpoints = [build_endpoint(e) for e in data]
    imports = [e for e in endpoints if e["kind"] == "import"]
    dependency_order(imports)
    for ep in endpoints:
        ep.setdefault("depends_on", [])
        ep.setdefault("rank", 0)
    return {
        "generated_by": "tools/build_catalog.py",
        "source": "shared/gestimum/endpoints.json",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "endpoints": endpoints,
    }


def render(catalog: dict) -> str:
    return json.dumps(catalog, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render(build(args.source))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run python tools/build_catalog.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
