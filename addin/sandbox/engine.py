"""The task behind every `Importer` request but Ecritures, and the task frame of all of them.

`process_lines` checks every line against the field structure and the documented rules, and
writes what passed (unless `tester`); `run_import` opens the company, runs the task in one
transaction and builds the documented answer: `resultat`, `message`, `journal`, `statistiques`.
Request parsing lives in `request`, the column shape in `columns`, the checks in `rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

from . import ecritures, spec
from .columns import Columns, LineReport, is_ansi, resolve_header, to_columns
from .documents import create_pieces
from .errors import bad_request
from .outcome import Journal, Outcome
from .records import write_records
from .request import ImportRequest
from .rules import conditional_rules, line_warnings, references
from .store import DOCUMENTS, Company, company_path

NON_ANSI = "Caractères non enregistrables par Gestimum (hors jeu Windows-1252)"

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
    columns = to_columns(data, len(header), req.separateur, req.identificateur, report)
    try:
        "\n".join(data).encode("cp1252")
    except UnicodeEncodeError:
        _reject_non_ansi(es, header, data, columns, report)
    for rule in missing_mandatory:
        for i in range(count):
            report.reject(i, rule.required_message())
    for rule, column in zip(rules, columns, strict=True):
        for i, reason in rule.column_issues(column):
            report.reject(i, reason)
    cols = Columns(header, columns, count)
    conditional_rules(ep.name, company, cols, report, req)
    references(ep.name, company, cols, report)
    line_warnings(ep.name, cols, report)

    pieces: list[str] = []
    if ep.name in DOCUMENTS:
        pieces = create_pieces(company, ep.name, cols, report, numbers, write)
    elif write:
        write_records(company, es, cols, report, req)

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


def _reject_non_ansi(
    es: spec.EndpointSpec, header: list[str], data: list[str], columns: list[Sequence[str]],
    report: LineReport,
) -> None:
    """Reject lines holding characters the ERP cannot store; never quote a secret's ones."""
    hidden = {j: es.rules[c] for j, c in enumerate(header) if c in es.secrets}
    for i, line in enumerate(data):
        if all(map(is_ansi, line)):
            continue
        if hidden:
            shown = {c for j, col in enumerate(columns) if j not in hidden for c in col[i]}
            in_secret = [
                rule for j, rule in hidden.items() if not all(map(is_ansi, columns[j][i]))
            ]
        else:
            shown, in_secret = set(line), []
        bad = sorted(c for c in shown if not is_ansi(c))
        if bad:
            report.reject(i, f"{NON_ANSI} : {' '.join(bad)}")
        for rule in in_secret:
            report.reject(i, f"{NON_ANSI} dans le champ {rule.describe()} (valeur masquée).")


# ── the task ────────────────────────────────────────────────────────────────────────────
def run_import(
    company: Company, req: ImportRequest, *, open_company: Callable[[], None],
    run_lines: Callable[[int], None],
) -> dict[str, Any]:
    """Run one task the way Gestimum does: open, import, report, close; return `result[0]`.

    `open_company()` spends the per-call latency, `run_lines(n)` the per-line processing time.
    """
    ep = req.endpoint
    path = company_path(req.fichier)
    task = spec.endpoint_spec(ep.name).task
    journal = Journal()
    journal.add(f"Ouverture de la société {path}")
    open_company()  # the configured latency: Gestimum takes ~5 s to open a company
    journal.add(f"Société {path} ouverte", f"Lancement de la tâche {task}")
    run_lines(req.data_lines())  # before the transaction: readers and the WAL stay free
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
