"""`check` and `champs`: offline validation with the column mapping, and an endpoint's fields.

`check` prints the mapping of headers that are not field codes, every issue in plain French
(repeated ones grouped), and with `--enregistrer` writes `#STATUT` (as the ribbon's Contrôler
does) and the `Correspondances` sheet, so that the next run reuses the mapping.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rich.table import Table

from addin.commands.console import issues_json, out, print_issues, print_json, terminal_safe
from addin.core import pipeline
from addin.core.catalog import Field, get_endpoint
from addin.core.check_report import check_outcomes, mapping_lines
from addin.core.entry_totals import entry_totals, total_lines
from addin.core.errors import WorkbookError
from addin.core.issues import Issue, Severity
from addin.core.mapping import MAPPING_SHEET, mapping_rows
from addin.core.partial import piece_rows

__all__ = ["cmd_champs", "run_check"]


def run_check(args: argparse.Namespace, book: object,
              after: Callable[[list[pipeline.SheetCheck]], None] | None = None,
              more: Callable[[list[pipeline.SheetCheck]], list[Issue]] | None = None) -> int:
    """Offline validation: mapping, issues, summary; 2 when something blocks. `after` prints
    what the caller adds below the per-sheet lines (what the run journal knows); `more` adds
    issues found outside the workbook (references the run journal does not know)."""
    notes: list[str] = []  # e.g. sheets left out because they are empty
    plans = pipeline.select_sheets(book, args.sheet, args.endpoint,  # type: ignore[arg-type]
                                   notes=notes)
    checks = pipeline.check(book, plans, delimiter=args.delimiteur,  # type: ignore[arg-type]
                            skip_hidden=args.ignorer_masquees,
                            fix_zeros=getattr(args, "corriger_zeros", False))
    for extra in more(checks) if more is not None else []:
        next(c for c in checks if c.plan.sheet == extra.sheet).issues.append(extra)
    issues = [i for c in checks for i in c.issues]
    blocking = sum(1 for i in issues if i.severity is Severity.BLOCKING)
    if getattr(args, "json", False):
        print_json(issues_json(issues))
        return 2 if blocking else 0
    for c in checks:
        lines = mapping_lines(c.data)
        if lines:
            out.print(f"Correspondance des colonnes de {c.plan.sheet} → {c.plan.endpoint.name} :",
                      markup=False)
            for line in lines:
                out.print(f"  {line}", markup=False)
            if not getattr(args, "enregistrer", False):
                out.print(f"  (check --enregistrer les enregistre dans la feuille {MAPPING_SHEET}, "
                          "où vous pouvez les corriger : ils servent aux exécutions suivantes.)",
                          markup=False)
    print_issues(issues)
    for note in notes:
        out.print(terminal_safe(note), markup=False)
    for c in checks:
        count = sum(1 for i in c.issues if i.severity is Severity.BLOCKING)
        out.print(terminal_safe(f"{c.plan.sheet} → {c.plan.endpoint.name} : "
                                f"{len(c.data.rows)} ligne(s), {count} problème(s) bloquant(s)"),
                  markup=False)
    for c in checks:
        pieces = piece_rows(c.data) if not c.blocking else []
        if pieces:
            out.print(_pieces_line(c.plan.sheet, pieces), markup=False)
        for line in total_lines(entry_totals(c.data), f"{c.plan.sheet} — par journal :"):
            out.print(line, markup=False)
    if after is not None:
        after(checks)
    if getattr(args, "enregistrer", False):
        _save(args, book, checks)
    warnings = len(issues) - blocking
    if blocking:
        out.print(f"{blocking} problème(s) bloquant(s), {warnings} avertissement(s) : "
                  "corrigez les cellules indiquées avant l'import.", markup=False)
        return 2
    out.print(f"Aucun problème bloquant ({warnings} avertissement(s)).", markup=False)
    return 0


def _pieces_line(sheet: str, pieces: list[list[int]], shown: int = 8) -> str:
    """"Ventes : 3 pièce(s) prévue(s) : lignes 3 à 5 ; 6 ; 7 à 9" — the grouping, before sending."""
    spans = [f"{p[0]} à {p[-1]}" if len(p) > 1 else str(p[0]) for p in pieces[:shown]]
    more = f" ; … ({len(pieces) - shown} autres)" if len(pieces) > shown else ""
    return f"{sheet} : {len(pieces)} pièce(s) prévue(s) : lignes {' ; '.join(spans)}{more}"


def _save(args: argparse.Namespace, book: object, checks: list[pipeline.SheetCheck]) -> None:
    """#STATUT of every row and the Correspondances sheet, in one atomic save."""
    from addin.io.mapping_sheet import write_mapping

    sink = book.sink(args.out)  # type: ignore[attr-defined]
    for c in checks:
        sink.write_statuses(c.plan.sheet, c.data, check_outcomes(c.data, c.issues))
    mapped = {c.plan.sheet: mapping_rows(c.plan.sheet, c.plan.endpoint, c.data.mapping)
              for c in checks if mapping_lines(c.data)}
    if mapped:
        write_mapping(book, sink, mapped)
    sink.save()
    saved = f" et la feuille {MAPPING_SHEET}" if mapped else ""
    out.print(f"Statuts (#STATUT){saved} écrits dans {sink.target}.", markup=False)


def _kind(f: Field) -> str:
    names = {"text": "texte", "memo": "texte long", "int": "entier", "decimal": "décimal",
             "amount": "montant", "date": "date", "datetime": "date et heure",
             "bool": "case à cocher (0/1)"}
    return names.get(f.kind, f.kind)


def cmd_champs(args: argparse.Namespace) -> int:
    """An endpoint's fields: code, label, type, length, mandatory, allowed values."""
    try:
        endpoint = get_endpoint(args.endpoint)
    except KeyError:
        raise WorkbookError(f"Point d'entrée « {args.endpoint} » inconnu. La commande "
                            "« gestimum-excel endpoints » donne la liste.") from None
    if not endpoint.is_import:
        raise WorkbookError(f"« {args.endpoint} » n'est pas un point d'entrée d'import.")
    fields = endpoint.fields
    if getattr(args, "json", False):
        print_json([{"code": f.code, "libelle": f.label, "type": f.kind,
                     "longueur": f.max_length, "obligatoire": f.required,
                     "condition": f.condition, "valeurs": [c.code for c in f.choices]}
                    for f in fields])
        return 0
    table = Table(title=f"Champs de {endpoint.name} ({endpoint.label})", expand=False)
    for col in ("Code", "Libellé", "Type", "Long.", "Oblig.", "Valeurs permises"):
        table.add_column(col, overflow="fold")
    for f in fields:
        values = ", ".join(c.code for c in f.choices[:8]) + (" …" if len(f.choices) > 8 else "")
        mandatory = "oui" if f.required else ("selon cas" if f.condition else "")
        table.add_row(f.code, f.label, _kind(f), str(f.max_length or ""), mandatory, values)
    out.print(table)
    return 0
