"""Request parsing and line processing of the `Importer` requests (everything but transport).

`parse_request` turns a body into an `ImportRequest` or raises `RequestError`; `run_import`
checks every line against the field structure, writes what passed (unless `tester`), and builds
the documented answer: `resultat`, `message`, `journal`, `statistiques`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from typing import Any

from addin.core import catalog

from . import ecritures, spec
from .errors import bad_request
from .store import DOCUMENTS, Company, company_path

YES_NO = ("Oui", "Non")
SOCIETE_KEYS = ("fichier", "utilisateur", "mot_passe", "deconnecter", "exclusif")
COMMON_KEYS = (
    "journal", "statistiques", "entete", "noms_champs", "separateur_champs", "identificateur_texte",
)

# Documented prerequisites: field → tables (and column) where the code must already exist.
_ARTICLES = (("Articles", "ART_CODE"),)
_CLIENTS = (("Clients", "PCF_CODE"), ("Prospects", "PCF_CODE"))
_SUPPLIERS = (("Fournisseurs", "PCF_CODE"),)
_TIERS = _CLIENTS + _SUPPLIERS
REFERENCES: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "ComposantsNomenclatures": (("ART_CODE", _ARTICLES), ("PRD_CODE", _ARTICLES)),
    "TarifsArticles": (("ART_CODE", _ARTICLES),),
    "TarifsFournisseursArticles": (("ART_CODE", _ARTICLES), ("PCF_CODE", _SUPPLIERS)),
    "ReferencesClientsArticles": (("ART_CODE", _ARTICLES), ("PCF_CODE", _CLIENTS)),
    "EquivalencesArticles": (("ART_CODE", _ARTICLES), ("ART_AUTRE", _ARTICLES)),
    "GrillesTarifs": (("ART_CODE", _ARTICLES),),
    "AdressesTiers": (("ADR_CODE", _TIERS),),
    "BanquesTiers": (("PCF_CODE", _TIERS),),
    "Contacts": (("CCT_CODE", _TIERS),),
    "Affaires": (("PCF_CODE", _TIERS),),
    "DocumentsVente": (("PCF_CODE", _CLIENTS), ("ART_CODE", _ARTICLES)),
    "DocumentsAchat": (("PCF_CODE", _SUPPLIERS), ("ART_CODE", _ARTICLES)),
    "DocumentsStock": (("ART_CODE", _ARTICLES), ("PCF_CODE", _TIERS)),
}
SPECIAL_WRITES = frozenset({"Comptes", "Utilisateurs"})  # need per-row work when writing
MISSING_CODE = "Code manquant"  # the only documented wording of a rejected line

DEVISE_WARNING = (
    "La date d'actualisation et le cours de la devise ne sont modifiables que par l'assistant "
    "d'actualisation des devises."
)


@dataclass
class ImportRequest:
    """A parsed `Importer` body."""

    endpoint: catalog.Endpoint
    fichier: str
    utilisateur: str
    mot_passe: str
    deconnecter: bool
    exclusif: bool
    journal: bool
    statistiques: bool
    entete: bool
    noms_champs: str
    separateur: str
    identificateur: str
    files: dict[str, list[str]]
    params: dict[str, str]

    def flag(self, name: str) -> bool:
        return self.params.get(name) == "Oui"


class Journal:
    """Journal lines prefixed `dd/mm/yyyy hh:mm:ss ` at the time they are written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *texts: str) -> None:
        stamp = datetime.now().strftime("%d/%m/%Y %H:%M:%S ")
        self.lines.extend(stamp + t for t in texts)


@dataclass
class LineReport:
    """Per-line outcome: reasons (rejected when any), warnings and free warning lines."""

    reasons: dict[int, list[str]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    notices: dict[int, list[str]] = field(default_factory=dict)

    def reject(self, index: int, reason: str) -> None:
        self.reasons.setdefault(index, []).append(reason)


# ── body parsing ────────────────────────────────────────────────────────────────────────
def _text(container: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = container.get(key)
    if value is None:
        if required:
            raise bad_request(f"Le paramètre obligatoire « {key} » est absent de « {where} ».")
        return ""
    if not isinstance(value, str):
        raise bad_request(f"Le paramètre « {key} » doit être une chaîne de caractères.")
    if required and not value:
        raise bad_request(f"Le paramètre obligatoire « {key} » est vide.")
    return value


def _choice(container: dict[str, Any], key: str, values: Sequence[str], default: str | None) -> str:
    value = _text(container, key, "")
    if value == "" and key not in container and default is not None:
        return default
    if value not in values:
        allowed = ", ".join(values)
        raise bad_request(
            f"La valeur « {value} » du paramètre « {key} » n'est pas autorisée "
            f"(valeurs possibles : {allowed})."
        )
    return value


def parse_request(ep: catalog.Endpoint, raw: bytes) -> ImportRequest:
    """Validate the body of an import request; raise RequestError (400) when it is unusable."""
    if not raw.strip():
        raise bad_request("Le corps de la requête est vide : un objet JSON est attendu.")
    try:
        body = json.loads(raw.decode("utf-8-sig"))  # tolerate a BOM (Windows clients)
    except UnicodeDecodeError:
        raise bad_request("Le corps de la requête n'est pas encodé en UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"Le corps de la requête n'est pas un JSON valide (ligne {exc.lineno}, "
            f"colonne {exc.colno})."
        ) from None
    if not isinstance(body, dict) or len(body) != 1:
        raise bad_request(
            f"Le corps de la requête doit être un objet à la seule clé « {ep.root_key} »."
        )
    (root, inner), = body.items()
    if root != ep.root_key:
        raise bad_request(
            f"Clé racine « {root} » inattendue : la requête {ep.domain} attend « {ep.root_key} »."
        )
    if not isinstance(inner, dict):
        raise bad_request(f"« {root} » doit être un objet avec « societe » et « parametres ».")
    for key in inner:
        if key not in ("societe", "parametres"):
            raise bad_request(f"Clé inconnue « {key} » dans « {root} ».")
    societe = inner.get("societe")
    parametres = inner.get("parametres")
    if not isinstance(societe, dict):
        raise bad_request("L'objet « societe » est absent ou n'est pas un objet.")
    if not isinstance(parametres, dict):
        raise bad_request("L'objet « parametres » est absent ou n'est pas un objet.")
    for key in societe:
        if key not in SOCIETE_KEYS:
            raise bad_request(f"Paramètre inconnu « {key} » dans « societe ».")

    specific = {p.name: p for p in ep.params}
    allowed = set(COMMON_KEYS) | set(ep.file_params) | set(specific)
    for key in parametres:
        if key not in allowed:
            raise bad_request(f"Paramètre inconnu pour la requête {ep.domain} : « {key} ».")

    files: dict[str, list[str]] = {}
    for i, name in enumerate(ep.file_params):
        value = parametres.get(name)
        if value is None:
            if i == 0:  # the first file array is mandatory (fichier_ecritures included)
                raise bad_request(f"Le paramètre obligatoire « {name} » est absent.")
            continue
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad_request(f"Le paramètre « {name} » doit être un tableau de chaînes.")
        files[name] = value

    params: dict[str, str] = {}
    for name, p in specific.items():
        if p.values:
            if name not in parametres and p.required:
                raise bad_request(f"Le paramètre obligatoire « {name} » est absent.")
            if name in parametres or p.default is not None:
                params[name] = _choice(parametres, name, p.values, p.default)
        else:
            params[name] = _text(parametres, name, "parametres", required=p.required)
    if "plan_analytique" in params and len(params["plan_analytique"]) > 15:
        raise bad_request("Le paramètre « plan_analytique » dépasse 15 caractères.")

    separateur = _text(parametres, "separateur_champs", "parametres") or (ep.separator or ";")
    identificateur = _text(parametres, "identificateur_texte", "parametres")
    if len(separateur) != 1:
        raise bad_request("Le paramètre « separateur_champs » doit tenir en un seul caractère.")
    if len(identificateur) > 1:
        raise bad_request("Le paramètre « identificateur_texte » doit être vide ou d'un caractère.")
    if identificateur and identificateur == separateur:
        raise bad_request("« identificateur_texte » et « separateur_champs » doivent différer.")

    return ImportRequest(
        endpoint=ep,
        fichier=_text(societe, "fichier", "societe", required=True),
        utilisateur=_text(societe, "utilisateur", "societe", required=True),
        mot_passe=_text(societe, "mot_passe", "societe"),
        deconnecter=_choice(societe, "deconnecter", YES_NO, "Non") == "Oui",
        exclusif=_choice(societe, "exclusif", YES_NO, "Non") == "Oui",
        journal=_choice(parametres, "journal", YES_NO, "Non") == "Oui",
        statistiques=_choice(parametres, "statistiques", YES_NO, "Non") == "Oui",
        entete=_choice(parametres, "entete", YES_NO, "Non") == "Oui",
        noms_champs=_text(parametres, "noms_champs", "parametres"),
        separateur=separateur,
        identificateur=identificateur,
        files=files,
        params=params,
    )


# ── line splitting ──────────────────────────────────────────────────────────────────────
def split_lines(
    lines: Sequence[str], sep: str, quote_char: str
) -> list[list[str]]:
    """Split every line on the separator; a text identifier may wrap values holding it."""
    if not quote_char:
        return [line.split(sep) for line in lines]
    out: list[list[str]] = []
    for line in lines:
        if quote_char in line:
            out.append(next(csv.reader([line], delimiter=sep, quotechar=quote_char)))
        else:
            out.append(line.split(sep))
    return out


def resolve_header(req: ImportRequest, lines: list[str]) -> tuple[list[str], list[str]]:
    """(field codes, data lines): `noms_champs` wins; with `entete` the first line is the header."""
    data = lines
    header_line = ""
    if req.entete:
        if not lines:
            raise bad_request("« entete » vaut Oui mais le fichier ne contient aucune ligne.")
        header_line, data = lines[0], lines[1:]
    if req.noms_champs:
        header_line = req.noms_champs
        sep = ";"  # documented: noms_champs is separated by semicolons
    else:
        sep = req.separateur
    if not header_line.strip():
        raise bad_request(
            "Impossible de connaître les champs des lignes : envoyez « entete » = Oui avec une "
            "ligne d'en-tête, ou « noms_champs »."
        )
    codes = [c.strip().strip(req.identificateur or '"').upper() for c in header_line.split(sep)]
    return codes, data


# ── processing ──────────────────────────────────────────────────────────────────────────
@dataclass
class Outcome:
    """What a task produced, before it is shaped into the answer."""

    imported: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)  # lines after the counts
    stats: dict[str, str] | None = None
    body: list[str] | None = None  # Ecritures: its own report replaces the standard lines


def _rib_key_ok(bank: str, branch: str, account: str, key: str) -> bool:
    """French RIB key check (letters of the account number map to digits as banks do)."""
    table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    digits = (bank + branch + account.upper().translate(table) + key)
    if not digits.isdigit() or len(key) != 2:
        return False
    return int(digits) % 97 == 0


def _rule_checks(
    name: str, company: Company, cols: Columns, report: LineReport, req: ImportRequest
) -> None:
    """Conditional rules written in prose in the field structures."""
    col = cols.col
    if name == "Comptes":
        types, tiers, numbers = col("CPT_TYPE"), col("PCF_CODE"), col("CPT_NUMERO")
        for i, (t, p, n) in enumerate(zip(types, tiers, numbers, strict=True)):
            if t in ("C", "F") and not p and not (req.flag("calculer_code_tiers") and n):
                report.reject(
                    i, "Le champ PCF_CODE (Code tiers) est obligatoire pour un compte client ou "
                    "fournisseur.",
                )
    elif name == "Glossaires":
        for i, (lib, memo) in enumerate(zip(col("TXT_LIB"), col("TXT_MEMO"), strict=True)):
            if bool(lib) == bool(memo):
                report.reject(i, "Renseignez soit TXT_LIB soit TXT_MEMO, mais pas les deux.")
    elif name == "GrillesTarifs":
        arts, fams, sfas = col("ART_CODE"), col("FAR_CODE"), col("SFA_CODE")
        codes, libs = col("TAR_CODE"), col("TAR_LIB")
        known = company.existing("GrillesTarifs", "TAR_CODE", codes)
        for i in range(cols.count):
            if not (arts[i] or fams[i] or sfas[i]):
                report.reject(i, "Renseignez un des champs ART_CODE, FAR_CODE ou SFA_CODE.")
            if not libs[i] and codes[i] not in known:
                report.reject(
                    i, "Le champ TAR_LIB (Libellé) est obligatoire à la création d'une grille."
                )
            elif codes[i]:
                known.add(codes[i])


def _references(name: str, company: Company, cols: Columns, report: LineReport) -> None:
    for code, targets in REFERENCES.get(name, ()):
        if code not in cols:
            continue
        column = cols.col(code)
        values = set(column)
        values.discard("")
        found: set[str] = set()
        for table, target in targets:
            found |= company.existing(table, target, values - found)
        missing = values - found
        if missing:
            for i, value in enumerate(column):
                if value in missing and MISSING_CODE not in report.reasons.get(i, ()):
                    report.reject(i, MISSING_CODE)


def _warnings(name: str, cols: Columns, report: LineReport) -> None:
    if name == "Devises":
        for i, values in enumerate(zip(cols.col("DEV_COURS"), cols.col("DEV_DT_ACT"), strict=True)):
            if any(values):
                report.warnings.setdefault(i, []).append(DEVISE_WARNING)
    elif name == "BanquesTiers":
        parts = ("RIB_AGENCE", "RIB_GUICHE", "RIB_COMPTE", "RIB_CLE")
        if not all(p in cols for p in parts):
            return
        for i, (bank, branch, account, key) in enumerate(
            zip(*(cols.col(p) for p in parts), strict=True)
        ):
            if bank and branch and account and key and not _rib_key_ok(bank, branch, account, key):
                report.notices.setdefault(i, []).append(
                    f"Attention ! Le numéro BBAN {bank}{branch}{account}{key} n'est pas valide."
                )


def _to_columns(
    data: list[str], n: int, sep: str, quote_char: str, report: LineReport
) -> list[Sequence[str]]:
    """Split the lines into n columns; lines with too many values are rejected, short ones padded.

    Fast path (no text identifier in use, every line with n values): one join and one split
    for the whole file, columns taken by slicing, so that no Python code runs per line.
    """
    if not data:
        return [[] for _ in range(n)]
    blob = sep.join(data)
    if (not quote_char or quote_char not in blob) and set(
        map(str.count, data, repeat(sep, len(data)))
    ) == {n - 1}:
        flat = blob.split(sep)
        return [flat[j::n] for j in range(n)]
    rows = split_lines(data, sep, quote_char)
    for i, r in enumerate(rows):
        if len(r) > n:
            report.reject(i, f"La ligne comporte {len(r)} valeurs pour {n} champs.")
            del r[n:]
        elif len(r) < n:
            r.extend([""] * (n - len(r)))  # trailing empty values may be left out
    return [list(c) for c in zip(*rows, strict=True)]


def process_lines(company: Company, req: ImportRequest, write: bool) -> Outcome:
    """Check and import the lines of every endpoint but Ecritures."""
    ep = req.endpoint
    es = spec.endpoint_spec(ep.name)
    lines = req.files[ep.file_params[0]]
    if any(map(str.endswith, lines, repeat(("\r", "\n"), len(lines)))):
        lines = [line.rstrip("\r\n") for line in lines]
    header, data = resolve_header(req, lines)
    rules: list[spec.FieldRule] = []
    seen: set[str] = set()
    for code in header:
        rule = es.rule(code)
        if rule is None:
            raise bad_request(f"Champ inconnu pour la requête {ep.domain} : « {code} ».")
        if code in seen:
            raise bad_request(f"Le champ « {code} » figure deux fois dans l'en-tête.")
        seen.add(code)
        rules.append(rule)
    missing_mandatory = [r for r in es.rules.values() if r.required and r.code not in seen]

    # Blank lines are skipped but keep their number, so "La ligne N" matches the sent array.
    numbers: Sequence[int] = range(1, len(data) + 1)
    if "" in data or any(map(str.isspace, data)):
        numbers = [n for n, line in enumerate(data, 1) if line.strip()]
        data = [line for line in data if line.strip()]
    count = len(data)
    report = LineReport()
    columns = _to_columns(data, len(header), req.separateur, req.identificateur, report)
    try:
        "\n".join(data).encode("cp1252")
    except UnicodeEncodeError:
        for i, line in enumerate(data):
            bad = sorted({c for c in line if not _ansi(c)})
            if bad:
                report.reject(
                    i, "Caractères non enregistrables par Gestimum (hors jeu Windows-1252) : "
                    + " ".join(bad),
                )
    for rule in missing_mandatory:
        for i in range(count):
            report.reject(i, rule.required_message())
    for rule, column in zip(rules, columns, strict=True):
        for i, reason in rule.column_issues(column):
            report.reject(i, reason)
    cols = Columns(header, columns, count)
    _rule_checks(ep.name, company, cols, report, req)
    _references(ep.name, company, cols, report)
    _warnings(ep.name, cols, report)

    pieces: list[str] = []
    if ep.name in DOCUMENTS:
        pieces = _documents(company, ep.name, cols, report, numbers, write)
    elif write:
        _write_records(company, es, cols, report, req)

    out = Outcome(imported=count - len(report.reasons), rejected=len(report.reasons))
    for i in sorted(set(report.reasons) | set(report.warnings) | set(report.notices)):
        if i in report.reasons:
            out.messages.append(f"La ligne {numbers[i]} n'a pas pu être importée :")
            out.messages.extend(report.reasons[i])
        if i in report.warnings:
            for warning in report.warnings[i]:
                out.messages.append(f"La ligne {numbers[i]} comporte les avertissements suivants :")
                out.messages.append(warning)
        out.messages.extend(report.notices.get(i, ()))
    out.messages.extend(f"La pièce {p} a été créée" for p in pieces)
    return out


@dataclass
class Columns:
    """The lines of a request as columns (field code → values), the shape checks work on."""

    header: list[str]
    columns: list[Sequence[str]]
    count: int

    def __post_init__(self) -> None:
        self.idx = {code: j for j, code in enumerate(self.header)}

    def __contains__(self, code: str) -> bool:
        return code in self.idx

    def col(self, code: str) -> Sequence[str]:
        """The values of a field, all empty when the field was not sent."""
        j = self.idx.get(code)
        return self.columns[j] if j is not None else [""] * self.count

    def rows(self, skip: dict[int, list[str]] | None = None) -> list[list[str]]:
        """Row lists (for the per-line paths), without the rejected indexes."""
        rows = [list(r) for r in zip(*self.columns, strict=True)] if self.columns else []
        if skip:
            rows = [r for i, r in enumerate(rows) if i not in skip]
        return rows


def _ansi(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _write_records(
    company: Company, es: spec.EndpointSpec, cols: Columns, report: LineReport,
    req: ImportRequest,
) -> None:
    name = es.name
    header = list(cols.header)
    if not report.reasons and name not in spec.AUTO_NUMBERED and name not in SPECIAL_WRITES:
        # The common case: every line passed, rows go straight from the columns to SQLite.
        company.upsert(name, header, zip(*cols.columns, strict=True))
        return
    rows = cols.rows(report.reasons)
    idx = dict(cols.idx)
    if name in spec.AUTO_NUMBERED and es.keys:
        key = es.keys[0]
        if key not in idx:
            header.append(key)
            idx[key] = len(header) - 1
            rows = [[*r, ""] for r in rows]
        j = idx[key]
        number = company.next_number(name, key)
        for r in rows:
            if not r[j]:
                r[j] = str(number)
                number += 1
    if name == "Comptes":
        _compute_accounts(idx, rows, req)
    company.upsert(name, header, rows)
    if name == "Utilisateurs" and "USR_NAME" in idx:
        # Imported users can log in to the sandbox, as they could to Gestimum.
        j_name, j_pwd = idx["USR_NAME"], idx.get("USR_PASSWD")
        for r in rows:
            if j_pwd is not None:
                company.set_user(r[j_name], r[j_pwd])
            else:
                company.conn.execute(
                    "INSERT OR IGNORE INTO _users (code, password) VALUES (?, '')", (r[j_name],)
                )


def _compute_accounts(idx: dict[str, int], rows: list[list[str]], req: ImportRequest) -> None:
    """`calculer_code_tiers` / `calculer_numero_compte`: derive one code from the other."""
    j_type, j_num, j_tiers = (idx.get(c) for c in ("CPT_TYPE", "CPT_NUMERO", "PCF_CODE"))
    if j_type is None or j_num is None:
        return
    for r in rows:
        root = {"C": "411", "F": "401"}.get(r[j_type])
        if root is None:
            continue
        if req.flag("calculer_code_tiers") and j_tiers is not None and not r[j_tiers]:
            r[j_tiers] = r[j_num].removeprefix(root)
        if req.flag("calculer_numero_compte") and j_tiers is not None and r[j_tiers]:
            r[j_num] = root + r[j_tiers]


def _documents(
    company: Company, name: str, cols: Columns, report: LineReport, numbers: Sequence[int],
    write: bool,
) -> list[str]:
    """Group consecutive lines into pièces, reject a pièce whole, number and store the rest."""
    ep = catalog.get_endpoint(name)
    header, idx, rows = cols.header, cols.idx, cols.rows()
    grouping = [c for c in (ep.grouping or ()) if c in idx]
    if "PCF_CODE" in idx and "PCF_CODE" not in grouping:
        grouping.append("PCF_CODE")  # one pièce has one third party
    cols = [idx[c] for c in grouping]
    groups: list[list[int]] = []
    previous: tuple[str, ...] | None = None
    for i, r in enumerate(rows):
        key = tuple(r[j] for j in cols)
        if key != previous or not groups:
            groups.append([])
        groups[-1].append(i)
        previous = key
    created: list[str] = []
    year_row = company.conn.execute(
        "SELECT value FROM _company WHERE name = 'numbering_year'"
    ).fetchone()
    year = year_row[0] if year_row else datetime.now().strftime("%y")
    if "DOC_STYPE" not in idx:
        return []  # a missing mandatory column has already rejected every line
    j_piece, j_stype = idx.get("DOC_PIECE"), idx["DOC_STYPE"]
    for group in groups:
        bad = [i for i in group if i in report.reasons]
        if bad:
            for i in group:
                if i not in report.reasons:
                    report.reject(
                        i, f"La pièce n'a pas été créée : la ligne {numbers[bad[0]]} de la même "
                        "pièce a été rejetée.",
                    )
            continue
        first = rows[group[0]]
        given = first[j_piece] if j_piece is not None else ""
        if given and company.piece_exists(given):
            for i in group:
                report.reject(i, f"La pièce {given} existe déjà.")
            continue
        if not write:
            continue
        numero = given or company.take_piece_number(name, first[j_stype], year)
        pcf = first[idx["PCF_CODE"]] if "PCF_CODE" in idx else ""
        doc_date = first[idx["DOC_DATE"]] if "DOC_DATE" in idx else ""
        company.conn.execute(
            "INSERT INTO _pieces (endpoint, numero, stype, pcf_code, doc_date) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, numero, first[j_stype], pcf, doc_date),
        )
        company.upsert(name, [*header, "_piece"], [[*rows[i], numero] for i in group])
        created.append(numero)
    return created


# ── the task ────────────────────────────────────────────────────────────────────────────
def run_import(
    company: Company, req: ImportRequest, open_company: Callable[[], None]
) -> dict[str, Any]:
    """Run one task the way Gestimum does: open, import, report, close; return `result[0]`."""
    ep = req.endpoint
    path = company_path(req.fichier)
    task = spec.endpoint_spec(ep.name).task
    journal = Journal()
    journal.add(f"Ouverture de la société {path}")
    open_company()  # the configured latency: Gestimum takes ~5 s to open a company
    journal.add(f"Société {path} ouverte", f"Lancement de la tâche {task}")
    write = not req.flag("tester")
    conn = company.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if ep.name == "Ecritures":
            outcome = ecritures.process(company, req, write)
        else:
            outcome = process_lines(company, req, write)
        if write:
            conn.execute("COMMIT")
        else:
            company.rollback()
    except BaseException:
        company.rollback()
        raise
    if outcome.body is not None:
        journal.add(*outcome.body)
    else:
        if outcome.rejected == 0:
            journal.add("L'import a été effectué avec succès.")
        journal.add(
            f"Nombre de lignes importées : {outcome.imported}",
            f"Nombre de lignes non importées : {outcome.rejected}",
        )
        journal.add(*outcome.messages)
    journal.add(f"Tâche {task} terminée", f"Fermeture de la société {path}")
    result: dict[str, Any] = {"resultat": "succès", "message": "terminé"}
    if req.journal:
        result["journal"] = journal.lines
    if req.statistiques:
        result["statistiques"] = outcome.stats or {
            "nombre_lignes_importées": str(outcome.imported),
            "nombre_lignes_non_importées": str(outcome.rejected),
        }
    return result
