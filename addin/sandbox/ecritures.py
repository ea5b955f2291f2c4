"""Accounting entries (Ecritures): positional comma lines, due-date and analytic lines, balance.

Formats served: `GestimumComptaVariable` (entry lines, `E…` due-date lines and `>…` analytic
lines) and the two EBP variable formats (`EBPV5V2000`, `EBPV3`). The fixed-width and 1.5
formats answer a request-level error (501) rather than guessing their layouts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from addin.core import catalog

from . import spec
from .errors import RequestError
from .outcome import Outcome
from .request import ImportRequest
from .store import Company

SUPPORTED = ("GestimumComptaVariable", "EBPV5V2000", "EBPV3")
EBP_FIELDS = (
    "ECR_LIGNE", "ECR_DATE", "JOU_CODE", "CPT_NUMERO", "ECR_LIBAUTO", "ECR_LIB", "ECR_PIECE",
    "ECR_MONTANT", "ECR_SENS", "ECR_DATECH", "ECR_NATTVA", "REG_CODE",
)
EBP_ACCOUNT_TITLE = "Compte créé pendant transfert"
WORK_FOLDER = "C:\\ProgramData\\Gestimum\\Temp\\ImporterEcritures"
RULER = "#" * 60
LEGEND = (
    "Légende :",
    "ERR : Erreur provoquant le rejet de la ligne",
    "AV : Avertissement ne provoquant pas le rejet de la ligne",
    "E : Ligne d'écriture",
    "S : Section analytique",
    "H : Ligne d'échéance",
)


@dataclass
class Line:
    """One physical line of `fichier_ecritures` with its values by field code."""

    number: int
    kind: str  # E (entry), H (due date), S (analytic)
    values: dict[str, str]
    rejected: bool = False
    parent: Line | None = None
    children: list[Line] = field(default_factory=list)

    def amount(self, code: str) -> Decimal:
        return Decimal(self.values.get(code) or "0")


class Report:
    """The `ERR`/`AV` entries of the import report."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.errors = 0
        self.warnings = 0

    def error(self, line: Line, message: str) -> None:
        self.errors += 1
        line.rejected = True
        self.lines.append(f"ERR {line.kind} Ligne {line.number} : {message}")

    def warning(self, line: Line, message: str) -> None:
        self.warnings += 1
        self.lines.append(f"AV {line.kind} Ligne {line.number} : {message}")


def _records() -> dict[str, dict[str, spec.FieldRule]]:
    ep = catalog.get_endpoint("Ecritures")
    return {
        kind: {f.code: spec.rule_from_field(f, ep.name) for f in fields}
        for kind, fields in ep.records.items()
    }


def _split(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=",", quotechar='"'))


def _parse(lines: list[str], fmt: str) -> list[Line]:
    """Positional values by code; due/analytic lines attach to the entry line above them."""
    records = _records()
    entry_codes = (
        [c for c in records["entry"]] if fmt == "GestimumComptaVariable" else list(EBP_FIELDS)
    )
    out: list[Line] = []
    last_entry: Line | None = None
    for number, raw in enumerate(lines, 1):
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        if fmt == "GestimumComptaVariable" and text[0] in "E>":
            kind, record = ("H", "due") if text[0] == "E" else ("S", "analytic")
            codes = list(records[record])
            values = dict(zip(codes, _split(text[1:]), strict=False))
            line = Line(number, kind, values, parent=last_entry)
            if last_entry is not None:
                last_entry.children.append(line)
        else:
            parts = _split(text)
            line = Line(number, "E", dict(zip(entry_codes, parts, strict=False)))
            line.values["_extra"] = str(max(0, len(parts) - len(entry_codes)))
            last_entry = line
        out.append(line)
    return out


def _check_fields(line: Line, rules: dict[str, spec.FieldRule], report: Report) -> None:
    for code, rule in rules.items():
        value = line.values.get(code, "")
        if value == "":
            if rule.required:
                report.error(line, rule.required_message())
            continue
        if rule.max_length is not None and len(value) > rule.max_length:
            report.error(line, rule.length_message())
        elif rule.kind == "date":
            if spec.parse_entry_date(value) is None:
                report.error(
                    line, f"{rule.about(value)} n'est pas une date valide "
                    "(JJMMAA, JJMMAAAA, JJ/MM/AA ou JJ/MM/AAAA).",
                )
        else:
            bad = rule.invalid_values({value})
            if bad:
                report.error(line, bad[value])


def _total(lines: list[Line], amount: str, percent: str, base: Decimal) -> tuple[Decimal, Decimal]:
    """(sum, expected): amounts when any is given, else percentages against 100."""
    if any(x.values.get(amount) for x in lines):
        return sum((x.amount(amount) for x in lines), Decimal(0)), base
    return sum((x.amount(percent) for x in lines), Decimal(0)), Decimal(100)


def process(company: Company, req: ImportRequest, write: bool) -> Outcome:
    """Check, balance and (unless `tester`) store the entries; build the report."""
    fmt = req.params.get("format", "")
    if fmt not in SUPPORTED:
        raise RequestError(
            501, f"Le format « {fmt} » n'est pas pris en charge par le bac à sable "
            f"(formats pris en charge : {', '.join(SUPPORTED)}).",
        )
    records = _records()
    entry_rules = dict(records["entry"])
    ebp = fmt != "GestimumComptaVariable"
    lines = _parse(req.files["fichier_ecritures"], fmt)
    report = Report()

    # Accounts sent in fichier_comptes are imported before the entries.
    accounts: dict[str, str] = {}
    for raw in req.files.get("fichier_comptes", ()):
        if raw.strip():
            parts = _split(raw.rstrip("\r\n"))
            if parts and parts[0]:
                accounts[parts[0]] = (parts[1] if len(parts) > 1 else "") or EBP_ACCOUNT_TITLE

    entries = [x for x in lines if x.kind == "E"]
    for line in lines:
        if line.kind == "E":
            _check_fields(line, entry_rules, report)
            if not line.values.get("ECR_SENS"):
                line.values["ECR_SENS"] = "D"
            if ebp and line.values.get("ECR_NATTVA", "") not in ("", "E", "D"):
                report.error(line, "La nature de TVA doit valoir E ou D.")
        else:
            rules = records["due" if line.kind == "H" else "analytic"]
            _check_fields(line, rules, report)
            if line.parent is None:
                report.error(line, "Ligne sans ligne d'écriture au-dessus d'elle.")

    # Prerequisites: journals, accounts, currencies, payment modes, analytic plans/sections.
    def known(table: str, column: str, values: set[str]) -> set[str]:
        return company.existing(table, column, values)

    journals = {
        r[0] for r in company.conn.execute("SELECT code FROM _journaux")
    }
    plans = {r[0] for r in company.conn.execute("SELECT code FROM _plans_analytiques")}
    account_set = known("Comptes", "CPT_NUMERO", {x.values.get("CPT_NUMERO", "") for x in entries})
    currencies = known("Devises", "DEV_CODE", {x.values.get("DEV_CODE", "") for x in entries})
    modes = known(
        "ModesReglements", "REG_CODE",
        {x.values.get("REG_CODE", "") for x in entries}
        | {x.values.get("ECH_REG_CODE", "") for x in lines},
    )
    sections = known(
        "SectionsAnalytiques", "ANA_CODE", {x.values.get("ANA_SECTION", "") for x in lines}
    )
    created_accounts: dict[str, str] = dict(accounts)
    created_sections: dict[str, str] = {}
    for line in lines:
        v = line.values
        if line.kind == "E":
            journal, account = v.get("JOU_CODE", ""), v.get("CPT_NUMERO", "")
            if journal and journal not in journals:
                report.error(line, f"Le journal {journal} n'existe pas.")
            if account and account not in account_set and account not in created_accounts:
                if ebp:
                    created_accounts[account] = EBP_ACCOUNT_TITLE
                    report.warning(line, f"Le compte {account} sera créé ({EBP_ACCOUNT_TITLE}).")
                else:
                    report.error(line, f"Le compte {account} n'existe pas.")
            currency = v.get("DEV_CODE", "")
            if currency and currency not in currencies:
                report.error(line, f"La devise {currency} n'existe pas.")
            mode = v.get("REG_CODE", "")
            if mode and mode not in modes:
                report.error(line, f"Le mode de règlement {mode} n'existe pas.")
        elif line.kind == "H":
            mode = v.get("ECH_REG_CODE", "")
            if mode and mode not in modes:
                report.error(line, f"Le mode de règlement {mode} n'existe pas.")
        else:
            plan, section = v.get("ANA_PLAN", ""), v.get("ANA_SECTION", "")
            if plan and plan not in plans:
                report.error(line, f"Le plan analytique {plan} n'existe pas.")
            elif section and section not in sections and section not in created_sections:
                if req.flag("creer_sections_analytiques"):
                    created_sections[section] = req.params.get("plan_analytique") or plan
                    report.warning(line, f"La section analytique {section} sera créée.")
                else:
                    report.error(line, f"La section analytique {section} n'existe pas.")

    # Due dates and analytic lines must add up to their entry line.
    for entry in entries:
        if entry.rejected:
            continue
        try:
            base = entry.amount("ECR_MONTANT")
            dues = [c for c in entry.children if c.kind == "H" and not c.rejected]
            if dues and entry.values.get("ECR_DATECH"):
                for due in dues:
                    report.warning(
                        due, "Ligne d'échéance ignorée : la ligne d'écriture a une date "
                        "d'échéance.",
                    )
                    due.rejected = True
            elif dues:
                total, expected = _total(dues, "ECH_MONTANT", "ECH_POURCENT", base)
                if total != expected:
                    report.error(
                        entry, f"Le total des échéances ({total}) diffère du montant attendu "
                        f"({expected}).",
                    )
            analytics = [c for c in entry.children if c.kind == "S" and not c.rejected]
            for plan in dict.fromkeys(a.values.get("ANA_PLAN", "") for a in analytics):
                part = [a for a in analytics if a.values.get("ANA_PLAN", "") == plan]
                total, expected = _total(part, "ANA_MONTANT", "ANA_POURCENT", base)
                if total != expected:
                    report.error(
                        entry, f"Le total analytique du plan {plan} ({total}) diffère du montant "
                        f"attendu ({expected}).",
                    )
        except InvalidOperation:
            continue  # the malformed number has already been reported

    # A pièce (consecutive lines of one journal, date and pièce number) must balance.
    groups: list[list[Line]] = []
    previous: tuple[str, str, str] | None = None
    for entry in entries:
        key = (
            entry.values.get("JOU_CODE", ""), entry.values.get("ECR_DATE", ""),
            entry.values.get("ECR_PIECE", ""),
        )
        if key != previous or not groups:
            groups.append([])
        groups[-1].append(entry)
        previous = key
    for group in groups:
        bad = [e for e in group if e.rejected]
        if bad:
            for e in group:
                if not e.rejected:
                    report.error(
                        e, f"Pièce rejetée : la ligne {bad[0].number} de la même pièce est en "
                        "erreur.",
                    )
            continue
        debit = sum((e.amount("ECR_MONTANT") for e in group if e.values["ECR_SENS"] == "D"),
                    Decimal(0))
        credit = sum((e.amount("ECR_MONTANT") for e in group if e.values["ECR_SENS"] == "C"),
                     Decimal(0))
        if debit != credit:
            for e in group:
                report.error(
                    e, f"Pièce déséquilibrée : débit {debit:.2f}, crédit {credit:.2f}.",
                )
    for entry in entries:
        if entry.rejected:
            for child in entry.children:
                child.rejected = True

    if write:
        _store(company, req, fmt, groups, created_accounts, created_sections)

    def count(kind: str, rejected: bool) -> int:
        return sum(1 for x in lines if x.kind == kind and x.rejected == rejected)

    stats = {
        "nombre_erreurs": str(report.errors),
        "nombre_avertissements": str(report.warnings),
        "nombre_lignes_écritures_importées": str(count("E", False)),
        "nombre_lignes_écritures_rejetées": str(count("E", True)),
        "nombre_lignes_échéances_importées": str(count("H", False)),
        "nombre_lignes_échéances_rejetées": str(count("H", True)),
        "nombre_lignes_analytiques_importées": str(count("S", False)),
        "nombre_lignes_analytiques_rejetées": str(count("S", True)),
    }
    folder = f"{WORK_FOLDER}\\{datetime.now().strftime('%Y-%m-%d-%H-%M-%S-%f')[:-3]}"
    body = [
        "Ci-dessous le rapport d'import :",
        *report.lines,
        RULER,
        "Résumé",
        f"Lignes d'écritures importables : {count('E', False)}",
        f"Lignes d'écritures rejetables : {count('E', True)}",
        f"Lignes d'échéances importables : {count('H', False)}",
        f"Lignes d'échéances rejetables : {count('H', True)}",
        f"ERREURS : {report.errors}",
        f"AVERTISSEMENTS : {report.warnings}",
        RULER,
        f"Fichier d'écritures importé : {folder}\\Ecritures.txt",
    ]
    if "fichier_comptes" in req.files:
        body.append(f"Fichier de comptes importé : {folder}\\Comptes.txt")
    body.extend(LEGEND)
    imported = count("E", False)
    return Outcome(imported=imported, rejected=count("E", True), stats=stats, body=body)


def _store(
    company: Company, req: ImportRequest, fmt: str, groups: list[list[Line]],
    accounts: dict[str, str], sections: dict[str, str],
) -> None:
    conn = company.conn
    if accounts:
        rows = []
        for number, title in accounts.items():
            kind = "C" if number.startswith("411") else "F" if number.startswith("401") else "G"
            rows.append((number, title, kind))
        company.upsert("Comptes", ("CPT_NUMERO", "CPT_LIB", "CPT_TYPE"), rows)
    if sections:
        company.upsert(
            "SectionsAnalytiques", ("ANA_CODE", "ANA_LIB", "ANA_TYPE", "ANA_PLAN"),
            [(code, code, "G", plan) for code, plan in sections.items()],
        )
    simulation = 1 if req.flag("simulation") else 0
    entry_no = conn.execute("SELECT COALESCE(MAX(entry), 0) FROM _ecritures").fetchone()[0]
    for group in groups:
        if any(e.rejected for e in group):
            continue
        entry_no += 1
        for e in group:
            v = e.values
            date = spec.parse_entry_date(v["ECR_DATE"])
            assert date is not None  # checked above
            cur = conn.execute(
                "INSERT INTO _ecritures (entry, line, date, journal, compte, libelle, piece, "
                "devise, montant, sens, echeance, reglement, simulation, format) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_no, e.number, date.strftime("%d/%m/%Y"), v["JOU_CODE"], v["CPT_NUMERO"],
                    v.get("ECR_LIB", ""), v.get("ECR_PIECE", ""), v.get("DEV_CODE", ""),
                    v["ECR_MONTANT"], v["ECR_SENS"], v.get("ECR_DATECH", ""),
                    v.get("REG_CODE", ""), simulation, fmt,
                ),
            )
            for child in e.children:
                if child.rejected:
                    continue
                c = child.values
                if child.kind == "H":
                    conn.execute(
                        "INSERT INTO _echeances (ecriture, date, reglement, pourcentage, montant) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (cur.lastrowid, c.get("ECH_DATE", ""), c.get("ECH_REG_CODE", ""),
                         c.get("ECH_POURCENT", ""), c.get("ECH_MONTANT", "")),
                    )
                else:
                    conn.execute(
                        "INSERT INTO _analytiques (ecriture, plan, section, pourcentage, montant) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (cur.lastrowid, c.get("ANA_PLAN", ""), c.get("ANA_SECTION", ""),
                         c.get("ANA_POURCENT", ""), c.get("ANA_MONTANT", "")),
                    )
