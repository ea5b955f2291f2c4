"""The CLI commands: each one a thin shell over the pipeline and the adapters.

Output is French; progress bars and tables go through rich so that pipes and terminals both
read well.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from addin.commands.checking import cmd_champs, run_check
from addin.commands.console import (
    BarProgress,
    err,
    out,
    print_issues,
    print_json,
    print_report,
    print_run,
    print_runs,
    terminal_safe,
)
from addin.commands.release import erp_version_notes, workbook_template_notes
from addin.commands.server_trust import client_options, server_confirmed
from addin.commands.signals import interruptible
from addin.core import pipeline
from addin.core.catalog import endpoints
from addin.core.errors import AddinError
from addin.core.issues import Issue
from addin.core.known_codes import holders, unknown_references
from addin.core.lines import Options
from addin.core.report_rows import safe_url
from addin.core.resume import server_key
from addin.core.target import Target, resolve_target
from addin.io.run_journal import open_journal

__all__ = ["cmd_champs"]  # the other cmd_* are looked up by name by cli.main


def _open(path: Path):  # noqa: ANN202 - returns the .xlsx adapter
    from addin.io.workbook import open_workbook

    return open_workbook(path)


def cmd_check(args: argparse.Namespace) -> int:
    """Offline validation: prints the column mapping and every issue; 2 when something blocks."""
    book = _open(args.workbook)

    def after(checks: list[pipeline.SheetCheck]) -> None:
        for note in workbook_template_notes(args.workbook):  # made from an older template?
            out.print(terminal_safe(note), markup=False)
        _print_journal_knowledge(checks, book, args)

    return run_check(args, book, after=after,
                     more=lambda checks: _unknown_references(checks, book, args))


def _unknown_references(checks: list[pipeline.SheetCheck], book: object,
                        args: argparse.Namespace) -> list[Issue]:
    """Warnings on references in no sheet and never imported from here into the target company;
    none when the journal knows nothing of that company (a machine that never imported)."""
    try:
        target = resolve_target(args, book.connexion())  # type: ignore[attr-defined]
        with open_journal(args.journal) as journal:
            known = journal.known_codes(server_key(target.server), target.fichier,
                                        {n for names in holders().values() for n in names})
    except AddinError:  # said once, below, by _print_journal_knowledge
        return []
    if known is None:
        return []
    others: list[pipeline.SheetCheck] = []
    if getattr(args, "sheet", None):  # sheets left out of this check still define codes
        done = {c.plan.sheet for c in checks}
        try:
            plans = [p for p in pipeline.select_sheets(book, notes=[])  # type: ignore[arg-type]
                     if p.sheet not in done]
            others = pipeline.check(book, plans)  # type: ignore[arg-type]
        except AddinError:
            pass
    return unknown_references(checks, known, target.fichier, others)


def _print_journal_knowledge(checks: list[pipeline.SheetCheck], book: object,
                             args: argparse.Namespace) -> None:
    """What earlier imports into the target company mean for these rows (nothing is sent)."""
    try:
        target = resolve_target(args, book.connexion())  # type: ignore[attr-defined]
        with open_journal(args.journal) as journal:
            plans = pipeline.plan_sheets(checks, journal, target.as_ledger())
    except AddinError as exc:  # the check itself stays useful without the journal
        err.print(terminal_safe(f"Journal des exécutions non consulté : {exc.user_message}"),
                  markup=False)
        return
    for sheet, plan in plans.items():
        if plan.held_imported or plan.held_unknown or plan.changed:
            out.print(terminal_safe(
                f"{sheet} : d'après le journal ({target.fichier}, {target.server}), "
                f"{plan.held_imported} ligne(s) déjà importée(s) ne seront pas renvoyées, "
                f"{plan.held_unknown} à vérifier, {plan.changed} modifiée(s) après leur import "
                "(bloquées)."), markup=False,
            )


def _options(target: Target, *, password: str, test: bool, delimiter: str = "") -> Options:
    return Options(
        fichier=target.fichier,
        utilisateur=target.utilisateur,
        mot_passe=password,
        batch_size=target.batch_size,
        test=test,
        identificateur_texte=delimiter,
    )


def cmd_payload(args: argparse.Namespace) -> int:
    """The exact JSON bodies that would be POSTed, password masked, nothing sent."""
    book = _open(args.workbook)
    plans = pipeline.select_sheets(book, [args.sheet], args.endpoint)
    checked = pipeline.check(book, plans, delimiter=args.delimiteur,
                             skip_hidden=args.ignorer_masquees,
                             fix_zeros=args.corriger_zeros)[0]
    if checked.blocking:
        print_issues(checked.issues, err)
        err.print("Problèmes bloquants : aucune requête ne serait envoyée.", markup=False)
        return 2
    if args.test and not checked.plan.endpoint.test_mode:
        err.print(f"{checked.plan.endpoint.name} n'a pas de mode test dans Gestimum.", markup=False)
        return 2
    target = resolve_target(args, book.connexion())
    options = _options(target, password="", test=args.test, delimiter=args.delimiteur)
    print_json(pipeline.payloads(checked, options))
    return 0


def _confirm_production(target: Target, args: argparse.Namespace, client: Any) -> bool:
    """A real import asks first, unless the target is marked "recette" or is the bundled
    sandbox; without a terminal, only --yes confirms."""
    if args.yes or args.test or target.test_server or client.is_bundled_sandbox():
        return True
    where = f"la société {target.fichier} sur {safe_url(target.server)}"
    if not sys.stdin.isatty():
        err.print(terminal_safe(
            f"Import réel vers {where}, serveur de production (feuille Connexion, « Type de "
            "serveur » : production, ou non renseigné). Relancez avec --yes pour confirmer, ou "
            "indiquez « recette » s'il s'agit d'un serveur de test. Rien n'a été envoyé.",
            one_line=True), markup=False)
        return False
    answer = input(terminal_safe(f"Import RÉEL et définitif vers {where} (production). "
                                 "Tapez « oui » pour confirmer : ", one_line=True))
    if answer.strip().lower() in ("oui", "o", "yes", "y"):
        return True
    err.print("Import annulé : rien n'a été envoyé.", markup=False)
    return False


def cmd_import(args: argparse.Namespace) -> int:
    """Validate, send batch by batch, write statuses/Résultats/Journal; DESIGN §3.2 exit codes."""
    from addin.io.client import GestimumClient
    from addin.io.credentials import get_password

    book = _open(args.workbook)
    notes: list[str] = []
    plans = pipeline.select_sheets(book, args.sheet, args.endpoint, all_sheets=args.all,
                                   notes=notes)
    for note in notes:
        err.print(terminal_safe(note), markup=False)
    if not args.sheet and not args.all and len(plans) > 1:
        names = ", ".join(p.sheet for p in plans)
        err.print(terminal_safe(f"Plusieurs feuilles de données ({names}) : précisez --sheet "
                                "ou --all."), markup=False)
        return 2
    if args.test and not any(p.endpoint.test_mode for p in plans):
        err.print("Aucune des feuilles choisies n'a de mode test dans Gestimum (le mode test "
                  "existe pour Clients, Prospects, Fournisseurs, Comptes, BanquesTiers et "
                  "Ecritures) : rien n'a été envoyé.", markup=False)
        return 2
    checks = pipeline.check(book, plans, delimiter=args.delimiteur,
                            skip_hidden=args.ignorer_masquees,
                             fix_zeros=args.corriger_zeros)
    issues = [i for c in checks for i in c.issues]
    print_issues(issues, err)
    partial = args.lignes_valides or args.test  # a test tests every testable row
    if any(c.blocking for c in checks) and not partial:
        err.print("Problèmes bloquants : rien n'a été envoyé. Corrigez les cellules indiquées, "
                  "ou relancez avec --lignes-valides pour envoyer les autres lignes.",
                  markup=False)
        return 2
    # The writer reads every part it will touch now: a file whose results could not be
    # written is refused before anything is sent.
    sink = book.sink(args.out, sheets=[c.plan.sheet for c in checks])
    target = resolve_target(args, book.connexion())
    if not server_confirmed(target, args):
        return 2
    settings = pipeline.RunSettings(
        reimport=args.reimport, duplicate=args.dupliquer,
        resend_unknown=args.renvoyer_inconnues, locate=args.localiser,
    )  # fmt: skip
    with GestimumClient(target.server, **client_options(target, args)) as client:
        if not _confirm_production(target, args, client):
            return 2
        if args.dupliquer and not args.test and not _confirm_duplicates(args):
            return 2
        prompt = _prompt if sys.stdin.isatty() else None
        password = get_password(target.server, target.fichier, target.utilisateur, prompt=prompt)
        options = _options(target, password=password, test=args.test, delimiter=args.delimiteur)
        with open_journal(args.journal) as journal, interruptible(), Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=False,
        ) as bar:
            report = pipeline.run_import(
                checks, sink, client.post_import, options, target=target.as_ledger(),
                progress=BarProgress(bar), journal=journal,
                workbook=str(args.workbook.resolve()), settings=settings,
                valid_only=args.lignes_valides,
            )
    print_report(report, args.out or args.workbook)
    return report.exit_code


def _confirm_duplicates(args: argparse.Namespace) -> bool:
    """--dupliquer creates documents a second time: said plainly, confirmed unless --yes."""
    warning = ("--dupliquer : les documents et écritures déjà importés (ou au résultat inconnu) "
               "seront créés une seconde fois dans Gestimum.")
    if args.yes:
        err.print(warning, markup=False)
        return True
    if not sys.stdin.isatty():
        err.print(warning + " Ajoutez --yes pour confirmer. Rien n'a été envoyé.", markup=False)
        return False
    answer = input(warning + " Tapez « oui » pour confirmer : ")
    if answer.strip().lower() in ("oui", "o"):
        return True
    err.print("Import annulé : rien n'a été envoyé.", markup=False)
    return False


def cmd_journal(args: argparse.Namespace) -> int:
    """List the latest runs, or show one run's batches and rows."""
    with open_journal(args.journal) as journal:
        out.print(f"Journal des exécutions : {journal.path}", markup=False)
        if args.run:
            run = journal.run(args.run)
            if run is None:
                err.print(f"Exécution « {args.run} » introuvable (ou ambiguë) dans le journal.",
                          markup=False)
                return 2
            print_run(run)
        else:
            print_runs(journal.runs(args.nombre))
    return 0


def cmd_reprendre(args: argparse.Namespace) -> int:
    """Write the statuses the journal knows into the workbook (after a crash or a lost save)."""
    book = _open(args.workbook)
    plans = pipeline.select_sheets(book, args.sheet, args.endpoint, all_sheets=not args.sheet)
    checks = pipeline.check(book, plans, delimiter=args.delimiteur)
    target = resolve_target(args, book.connexion())
    with open_journal(args.journal) as journal:
        restored = pipeline.restore(checks, book.sink(args.out), journal, target.as_ledger())
    for sheet, plan in restored.items():
        out.print(terminal_safe(f"{sheet} : {plan.held_imported} ligne(s) importée(s), "
                                f"{plan.held_unknown} à vérifier d'après le journal."),
                  markup=False)
    out.print(f"Statuts écrits dans {args.out or args.workbook}.", markup=False)
    return 0


def _prompt(text: str) -> str:
    import getpass

    return getpass.getpass(text)


def cmd_version(args: argparse.Namespace) -> int:
    """The two Outils requests."""
    from addin.io.client import GestimumClient

    target = resolve_target(args, {})
    server_confirmed(target, args)  # typed: only the http warning
    with GestimumClient(target.server, **client_options(target, args)) as client:
        ws, erp = client.versions()
    out.print(terminal_safe(f"Web Service Gestimum : {ws}\nERP Gestimum : {erp}"), markup=False)
    for note in erp_version_notes(erp, args.classeur):
        out.print(terminal_safe(f"Attention : {note}"), markup=False)
    return 0


def cmd_endpoints(args: argparse.Namespace) -> int:
    """Name, French label, test mode and field count of every import endpoint."""
    table = Table(title="Points d'entrée Gestimum")
    for col in ("Nom", "Libellé", "Mode test", "Champs", "Ordre"):
        table.add_column(col)
    for ep in endpoints():
        if ep.is_import:
            table.add_row(ep.name, ep.label, "oui" if ep.test_mode else "non",
                          str(len(ep.fields)), str(ep.rank))
    out.print(table)
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox server until Ctrl+C."""
    from addin.sandbox import serve_forever

    return serve_forever(args.host, args.port, args.data, args.latency, faults=args.faults,
                         line_latency=args.line_latency, erp_version=args.erp_version)


def cmd_templates(args: argparse.Namespace) -> int:
    from addin.templates import main_templates

    return main_templates(args.out)


def cmd_install_addin(args: argparse.Namespace) -> int:
    from addin.excel.install import main_install

    return main_install(args.uninstall, folder=args.dossier, force=args.forcer,
                        quiet=args.silencieux)


def cmd_mettre_a_jour(args: argparse.Namespace) -> int:
    """Bring a filled workbook up to the current template (labels, notes, lists, formats)."""
    from addin.commands.release import upgrade_workbook_file

    for line in upgrade_workbook_file(args.workbook, args.out):
        out.print(terminal_safe(line), markup=False)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from addin.commands.demo import run_demo

    return run_demo(args.out)
