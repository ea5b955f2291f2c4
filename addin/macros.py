"""Ribbon actions of the Gestimum tab, one function per button (names = ribbon tags).

Each takes an optional `xw.Book` (default: the caller's active workbook), calls the pipeline and
reports in French message boxes; errors never reach the user as a Python traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from addin.core import pipeline, report_rows, status
from addin.core.catalog import import_endpoints, resolve_endpoint
from addin.core.check_report import (  # noqa: F401 - CHECK_OK, WARNING_PREFIX: tests
    CHECK_OK,
    KEEP,
    WARNING_PREFIX,
    check_outcomes,
    mapping_lines,
)
from addin.core.connexion import CONNEXION_SHEET, DEFAULTS, HELP, KEYS, PASSWORD_NOTE
from addin.core.errors import WorkbookError
from addin.core.issues import Issue, Severity, column_letter
from addin.core.mapping import MAPPING_SHEET, mapping_rows, merged_mapping
from addin.core.trust import http_warning
from addin.core.versions import about_lines, workbook_erp_notes
from addin.excel.book import ExcelWorkbook, StatusBarProgress
from addin.excel.rerun_questions import ask_rerun_choices
from addin.excel.runner import TITLE, Cancelled, MacroResult, run_action
from addin.excel.saved_file import saved_template_notes
from addin.excel.servers import confirm_server, remember_typed

__all__ = [
    "MacroResult", "associer_colonnes", "connexion", "controler", "effacer_statuts", "importer",
    "importer_lignes_valides", "importer_tout", "mettre_a_jour_modele", "nouvelle_feuille",
    "tester", "tester_connexion",
]

log = logging.getLogger(__name__)

_MAX_LISTED = 12  # issues listed in a message box; all of them are in #STATUT
_KEEP = KEEP  # statuses a check or a clear must not drop: they record what Gestimum may hold


def _target(excel: ExcelWorkbook) -> Any:
    """Connexion sheet over the defaults, by the CLI's own rules (same batch-size checks)."""
    from addin.core.target import resolve_target, with_ca_folder

    return with_ca_folder(resolve_target(argparse.Namespace(), excel.connexion()), excel.folder())


# ── checking ─────────────────────────────────────────────────────────────────────────────
def _issues_text(issues: list[Issue]) -> str:
    shown = []
    for issue in issues[:_MAX_LISTED]:
        where = f" {issue.column}{issue.row or ''}" if issue.row or issue.column else ""
        shown.append(f"• {issue.sheet}{where} : {issue.message}")
    if len(issues) > _MAX_LISTED:
        shown.append(f"… et {len(issues) - _MAX_LISTED} autre(s) : voir la colonne #STATUT.")
    return "\n".join(shown)


def _write_check_statuses(excel: ExcelWorkbook, checked: pipeline.SheetCheck) -> None:
    """Each row gets its issues (or "Contrôle OK") in #STATUT, as `check --enregistrer` does."""
    excel.write_statuses(checked.plan.sheet, checked.data,
                         check_outcomes(checked.data, checked.issues))


def _check(excel: ExcelWorkbook, plans: list[pipeline.SheetPlan], *,
           write: bool = True) -> list[pipeline.SheetCheck]:
    excel.status("Gestimum — contrôle de " + ", ".join(p.sheet for p in plans))
    checks = pipeline.check(excel, plans)
    for checked in checks if write else ():
        _write_check_statuses(excel, checked)
    if write:
        excel.save()  # statuses written: the last-write stamp, as `check --enregistrer` does
    return checks


def _active_plan(excel: ExcelWorkbook) -> list[pipeline.SheetPlan]:
    sheet = excel.active_sheet()
    try:
        return pipeline.select_sheets(excel, [sheet])
    except WorkbookError as exc:  # the pipeline's wording is the CLI's (--endpoint)
        raise WorkbookError(
            f"La feuille active « {sheet} » n'est pas une feuille de données Gestimum : activez "
            "une feuille nommée d'après son service (par exemple « Clients ») ou créez-en une "
            "avec le bouton Nouvelle feuille.", detail=exc.user_message) from exc


def controler(book: Any | None = None) -> MacroResult:
    """Check the active sheet offline: issues in a message box and in each row's #STATUT."""

    def body(excel: ExcelWorkbook) -> MacroResult:
        checks = _check(excel, _active_plan(excel))
        issues = [i for c in checks for i in c.issues]
        blocking = sum(1 for i in issues if i.severity is Severity.BLOCKING)
        rows = sum(len(c.data.rows) for c in checks)
        head = (f"{checks[0].plan.sheet} → {checks[0].plan.endpoint.name} : {rows} ligne(s), "
                f"{blocking} problème(s) bloquant(s), {len(issues) - blocking} avertissement(s).")
        head += "".join(f"\n{note}" for note in saved_template_notes(excel.identity()))
        if not issues:
            return MacroResult("controler", True, head + "\nAucun problème : prêt à importer.")
        tail = ("\nCorrigez les cellules indiquées avant l'import." if blocking
                else "\nAucun problème bloquant : l'import est possible.")
        return MacroResult("controler", not blocking, f"{head}\n{_issues_text(issues)}{tail}",
                           issues=issues)

    return run_action(book, "controler", body)


# ── sending ──────────────────────────────────────────────────────────────────────────────
def _password(excel: ExcelWorkbook, target: Any) -> str:
    from addin.io.credentials import get_password

    def ask(text: str) -> str:
        # Excel's InputBox shows what is typed: the Paramètres button stores it once instead.
        answer = excel.input_box(text, f"{TITLE} — mot de passe")
        if answer is None:
            raise Cancelled("Import annulé : rien n'a été envoyé.")
        return answer

    return get_password(target.server, target.fichier, target.utilisateur, prompt=ask)


def _send(excel: ExcelWorkbook, action: str, *, test: bool, all_sheets: bool,
          valid_only: bool = False) -> MacroResult:
    """The CLI's import flow: select, check, refuse on blocking issues, confirm, send, report."""
    notes: list[str] = []  # hidden data sheets left out, said in the final message
    plans = (pipeline.select_sheets(excel, all_sheets=True, notes=notes) if all_sheets
             else _active_plan(excel))
    if test and not any(p.endpoint.test_mode for p in plans):
        names = ", ".join(sorted({p.endpoint.name for p in plans}))
        raise WorkbookError(
            f"{names} : Gestimum n'a pas de mode test pour ce service, rien n'a été envoyé. "
            "Utilisez Contrôler pour vérifier la feuille, puis Importer.")
    # Statuses of a clean check would be overwritten by the run's own: written only to show
    # where the blocking issues are.
    checks = _check(excel, plans, write=False)
    issues = [i for c in checks for i in c.issues]
    if any(c.blocking for c in checks) and not (valid_only or test):
        for checked in checks:
            _write_check_statuses(excel, checked)
        blocking = [i for i in issues if i.severity is Severity.BLOCKING]
        raise WorkbookError(
            f"Rien n'a été envoyé : {len(blocking)} problème(s) bloquant(s).\n"
            f"{_issues_text(blocking)}\nCorrigez les cellules indiquées (colonne #STATUT), "
            "puis relancez, ou choisissez « Importer les lignes valides ».")
    excel.ensure_writable([p.sheet for p in plans])  # what cannot be written back is not sent
    target = _target(excel)
    warning = confirm_server(excel, target)
    from addin.core.lines import Options
    from addin.io.client import GestimumClient
    from addin.io.run_journal import open_journal

    with open_journal() as journal, GestimumClient(
        target.server, ca_bundle=target.ca_bundle
    ) as client:
        if not test and not target.test_server and not client.is_bundled_sandbox() and not (
            excel.confirm(
                f"Import RÉEL et définitif dans la société {target.fichier} "
                f"({report_rows.safe_url(target.server)}), serveur de production.\n\n"
                "Confirmez-vous l'import ?\n(Un serveur de test se déclare « recette » dans la "
                "feuille Connexion, ligne « Type de serveur ».)",
                f"{TITLE} — production")):
            raise Cancelled("Import annulé : rien n'a été envoyé.")
        options = Options(fichier=target.fichier, utilisateur=target.utilisateur,
                          mot_passe=_password(excel, target), batch_size=target.batch_size,
                          test=test)
        settings = pipeline.RunSettings()
        if not test:
            ask_rerun_choices(excel, checks, journal, target.as_ledger(), settings)
        report = pipeline.run_import(
            checks, excel, client.post_import, options, target=target.as_ledger(),
            progress=StatusBarProgress(excel, "Test" if test else "Import"),
            journal=journal, workbook=excel.identity(), settings=settings,
            valid_only=valid_only)
    report.messages[:0] = notes
    text = _report_text(report) + (f"\n{warning}" if warning else "")
    return MacroResult(action, report.exit_code == 0, text, report, issues)


def _report_text(report: pipeline.RunReport) -> str:
    lines = ["Test terminé (rien n'a été enregistré dans Gestimum)." if report.test
             else "Import terminé."]
    for s in report.sheets:
        done = "acceptée(s) en test" if report.test else "importée(s)"
        text = (f"{s.sheet} → {s.endpoint} : {s.sent} envoyée(s), {s.imported} {done}, "
                f"{s.rejected} rejetée(s), {s.warned} avec avertissement")
        if s.unknown:
            text += f", {s.unknown} à vérifier dans Gestimum"
        if s.skipped:
            text += f", {s.skipped} déjà importée(s) (non renvoyées)"
        if s.pieces:
            text += f" ; pièces {', '.join(s.pieces[:5])}{' …' if len(s.pieces) > 5 else ''}"
        lines.append(text + ".")
    lines.extend(report.messages)
    lines.append("Statut de chaque ligne dans la colonne #STATUT, détail dans les feuilles "
                 "Résultats et Journal. Enregistrez le classeur pour les conserver.")
    return "\n".join(lines)


def tester(book: Any | None = None) -> MacroResult:
    """Gestimum's test mode on the active sheet (refused when the service has none)."""
    return run_action(book, "tester", lambda x: _send(x, "tester", test=True, all_sheets=False))


def importer(book: Any | None = None) -> MacroResult:
    """Import the active sheet."""
    return run_action(
        book, "importer", lambda x: _send(x, "importer", test=False, all_sheets=False)
    )


def associer_colonnes(book: Any | None = None) -> MacroResult:
    """Match the active sheet's headers to fields and save the mapping in Correspondances,
    where the user corrects it ("#" = not sent); the next runs use it. Ribbon tag:
    associer_colonnes (label « Associer les colonnes »)."""

    def body(excel: ExcelWorkbook) -> MacroResult:
        checked = _check(excel, _active_plan(excel), write=False)[0]
        lines = mapping_lines(checked.data)
        if not lines:
            return MacroResult("associer_colonnes", True, (
                f"{checked.plan.sheet} : les en-têtes sont déjà les codes des champs de "
                f"{checked.plan.endpoint.name}, rien à associer."))
        rows = mapping_rows(checked.plan.sheet, checked.plan.endpoint, checked.data.mapping)
        current = (excel.grid(MAPPING_SHEET).values if MAPPING_SHEET in excel.sheet_names()
                   else [])
        excel.replace_sheet(MAPPING_SHEET, merged_mapping(current, {checked.plan.sheet: rows}))
        missing = sum(1 for m in checked.data.mapping if m.code is None and not m.ignored)
        todo = (f"\n{missing} colonne(s) sans champ : indiquez son code dans la colonne « Champ "
                "Gestimum » de la feuille Correspondances, ou # pour ne pas l'envoyer."
                if missing else "")
        return MacroResult("associer_colonnes", not missing, (
            f"{checked.plan.sheet} → {checked.plan.endpoint.name} :\n" + "\n".join(lines)
            + f"\nCorrespondance enregistrée dans la feuille {MAPPING_SHEET}." + todo))

    return run_action(book, "associer_colonnes", body)


def importer_lignes_valides(book: Any | None = None) -> MacroResult:
    """Import the active sheet's rows without blocking issues; the others (and their whole
    pièce) are held back with their reason in #STATUT. Ribbon tag: importer_lignes_valides."""
    return run_action(book, "importer_lignes_valides",
                      lambda x: _send(x, "importer_lignes_valides", test=False, all_sheets=False,
                                      valid_only=True))


def importer_tout(book: Any | None = None) -> MacroResult:
    """Import every data sheet of the workbook, in dependency order (catalog rank)."""
    return run_action(book, "importer_tout",
                lambda x: _send(x, "importer_tout", test=False, all_sheets=True))


# ── connection ───────────────────────────────────────────────────────────────────────────
def connexion(book: Any | None = None) -> MacroResult:
    """Show (or create) the Connexion sheet, then keep the password in the OS credential store."""

    def body(excel: ExcelWorkbook) -> MacroResult:
        from addin.io.credentials import ENV_VAR, prompt_text, store_password

        created = ""
        if CONNEXION_SHEET not in excel.sheet_names():
            rows: list[list[object]] = [["Paramètre", "Valeur", "Aide"]]
            for key, label in KEYS.items():
                rows.append([label, DEFAULTS[key], HELP[key]])
            rows += [["", "", ""], [PASSWORD_NOTE, "", ""]]
            excel.add_sheet(CONNEXION_SHEET, rows)
            created = "Feuille Connexion créée avec les valeurs par défaut : vérifiez-les.\n"
        else:
            excel.activate(CONNEXION_SHEET)
        target = _target(excel)
        # The server is typed or validated here, by the user: it is then a known server.
        server = excel.input_box("Adresse du serveur Gestimum (Web Service 2), par exemple "
                                 "https://serveur:8080 :", f"{TITLE} — serveur", target.server)
        if server is None or not server.strip():
            raise Cancelled(created + "Paramètres inchangés.")
        if server.strip().rstrip("/") != target.server:
            excel.set_connexion("server", server.strip())
            target = _target(excel)
        remember_typed(target.server)
        warning = http_warning(target.server)
        who = f"{target.utilisateur} ({target.fichier}, {report_rows.safe_url(target.server)})"
        if ENV_VAR in os.environ:
            return MacroResult("connexion", True, created + (
                f"La variable d'environnement {ENV_VAR} est définie : c'est elle qui donne le "
                "mot de passe, rien n'a été enregistré."))
        answer = excel.input_box(prompt_text(target.server, target.fichier, target.utilisateur),
                                 f"{TITLE} — connexion")
        if answer is None:
            raise Cancelled(created + "Mot de passe inchangé.")
        if not store_password(target.server, target.fichier, target.utilisateur, answer):
            raise WorkbookError(
                "Aucun gestionnaire d'identifiants utilisable sur ce poste : le mot de passe "
                f"n'a pas été enregistré. Définissez la variable {ENV_VAR} ou saisissez-le à "
                "chaque import.")
        return MacroResult("connexion", True, created + (
            f"Mot de passe de {who} enregistré dans le gestionnaire d'identifiants de Windows "
            "(jamais dans le classeur).") + (f"\n{warning}" if warning else ""))

    return run_action(book, "connexion", body)


def tester_connexion(book: Any | None = None) -> MacroResult:
    """The two `Outils` version requests against the Connexion sheet's server."""

    def body(excel: ExcelWorkbook) -> MacroResult:
        from addin.io.client import GestimumClient

        target = _target(excel)
        excel.status(f"Gestimum — connexion à {report_rows.safe_url(target.server)}…")
        with GestimumClient(target.server, ca_bundle=target.ca_bundle) as client:
            ws, erp = client.versions()
        warning = "\n".join(filter(None, [http_warning(target.server),
                                           *workbook_erp_notes(erp, excel)]))
        return MacroResult("tester_connexion", True, (
            f"Connexion réussie à {report_rows.safe_url(target.server)}.\nWeb Service Gestimum : "
            f"{ws}\nERP Gestimum : {erp}\n(Le mot de passe n'est vérifié qu'à l'envoi.)")
            + (f"\n{warning}" if warning else "") + "\n\n" + "\n".join(about_lines()))

    return run_action(book, "tester_connexion", body)


# ── sheets ───────────────────────────────────────────────────────────────────────────────
def effacer_statuts(book: Any | None = None) -> MacroResult:
    """Empty the #STATUT column of the active sheet (one write); asks first when rows are
    marked imported, since clearing that mark makes the next import send them again."""

    def body(excel: ExcelWorkbook) -> MacroResult:
        sheet = excel.active_sheet()
        found = excel.find_status_column(sheet)
        if found is None:
            return MacroResult("effacer_statuts", True,
                               f"La feuille « {sheet} » n'a pas de colonne #STATUT.")
        header_row, col, statuses = found
        marked = sum(1 for s in statuses if status.status_state(s) in _KEEP)
        if marked and not excel.confirm(
                f"{marked} ligne(s) sont marquées importées ou à vérifier. Sans ce statut, le "
                "prochain import les enverra de nouveau. Effacer quand même ?"):
            raise Cancelled("Statuts conservés.")
        count = excel.clear_statuses(sheet, header_row, col)
        return MacroResult("effacer_statuts", True, (
            f"Colonne #STATUT ({column_letter(col)}) de « {sheet} » vidée ({count} ligne(s)). "
            "Les feuilles Résultats et Journal sont conservées."))

    return run_action(book, "effacer_statuts", body)


def nouvelle_feuille(book: Any | None = None) -> MacroResult:
    """Add a ready-to-fill sheet for an endpoint chosen by name or French label."""

    def body(excel: ExcelWorkbook) -> MacroResult:
        from addin.templates.plan import column_plan, number_format, sheet_title

        answer = excel.input_box(
            "Service d'import Gestimum de la nouvelle feuille (nom ou libellé, par exemple "
            "Clients, Articles, Ecritures) :", f"{TITLE} — nouvelle feuille", "Clients")
        if answer is None or not answer.strip():
            raise Cancelled("Aucune feuille ajoutée.")
        endpoint = resolve_endpoint(answer)
        if endpoint is None:
            names = ", ".join(e.name for e in import_endpoints())
            raise Cancelled(f"« {answer} » n'est pas un service d'import Gestimum. "
                             f"Services disponibles : {names}.")
        columns = column_plan(endpoint)
        rows: list[list[object]] = [[c.label for c in columns], [c.code for c in columns]]
        formats = [number_format(c.field) if c.field else "General" for c in columns]
        name = excel.add_sheet(sheet_title(endpoint), rows, formats, table=endpoint.name)
        return MacroResult("nouvelle_feuille", True, (
            f"Feuille « {name} » ajoutée pour {endpoint.name} : libellés en ligne 1 (* = "
            "obligatoire), codes des champs en ligne 2, données à partir de la ligne 3."))

    return run_action(book, "nouvelle_feuille", body)


def mettre_a_jour_modele(book: Any | None = None) -> MacroResult:
    """Bring the saved workbook to the current template: closed, upgraded on disk, reopened."""
    from addin.commands.release import upgrade_workbook_file
    from addin.excel.live_upgrade import upgrade_open_workbook

    def body(excel: ExcelWorkbook) -> MacroResult:
        lines = upgrade_open_workbook(excel, upgrade_workbook_file)
        return MacroResult("mettre_a_jour_modele", True, "\n".join(lines))

    return run_action(book, "mettre_a_jour_modele", body)
