"""The one flow behind the CLI and the ribbon: choose sheets, check, build bodies, send, report.

Depends only on the core and on small protocols (grid source, result sink, sender, progress), so
the openpyxl and xlwings adapters, the tests and the demo all run exactly the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from addin.core import outcomes, report_rows, status
from addin.core.answers import BatchOutcome, RowOutcome, parse_answer
from addin.core.catalog import Endpoint
from addin.core.errors import AddinError, OutcomeUnknownError
from addin.core.grid_issues import grid_issues
from addin.core.issues import Issue
from addin.core.lines import Batch, Options, build_batches, build_body
from addin.core.locate import apply_located, locate_rejections
from addin.core.run_report import RunReport, SheetReport, count_batch, exit_code
from addin.core.selection import GridSource, SheetPlan, select_sheets
from addin.core.sheet import SheetData, read_sheet
from addin.core.validate import has_blocking, validate

__all__ = [
    "GridSource",
    "Progress",
    "ResultSink",
    "RunReport",
    "SheetCheck",
    "SheetPlan",
    "SheetReport",
    "check",
    "payloads",
    "run_import",
    "select_sheets",
]

Sender = Callable[[Endpoint, dict[str, Any]], dict[str, Any]]


class ResultSink(Protocol):
    """Write side: statuses, ledger and journal, then one save."""

    def write_statuses(self, sheet: str, data: SheetData, rows: list[RowOutcome]) -> None: ...
    def append_results(self, rows: list[list[object]]) -> None: ...
    def append_journal(self, rows: list[list[object]]) -> None: ...
    def save(self) -> None: ...


class Progress(Protocol):
    """Feedback while sending (CLI progress bar, Excel status bar)."""

    def start(self, sheet: str, batches: int, rows: int) -> None: ...
    def advance(self, sheet: str, batch: int, batches: int, rows_done: int) -> None: ...


@dataclass(slots=True)
class SheetCheck:
    """A sheet read and validated: its rows and every issue found."""

    plan: SheetPlan
    data: SheetData
    issues: list[Issue]

    @property
    def blocking(self) -> bool:
        return has_blocking(self.issues)


def check(
    source: GridSource,
    plans: list[SheetPlan],
    *,
    delimiter: str = "",
    skip_hidden: bool = False,
) -> list[SheetCheck]:
    """Read and validate every planned sheet; collects all issues, sends nothing.

    `delimiter` is the `identificateur_texte` the lines will be sent with: values holding the
    separator are then quoted instead of blocked. Hidden and filtered rows are sent like any
    other unless `skip_hidden` leaves them out (they are then neither checked nor sent).
    """
    checks = []
    for plan in plans:
        grid = source.grid(plan.sheet)
        data = read_sheet(
            grid.values,
            plan.endpoint,
            sheet=plan.sheet,
            first_row=grid.first_row,
            first_col=grid.first_col,
        )
        if skip_hidden and grid.hidden_rows:
            data.rows = [r for r in data.rows if r.row not in grid.hidden_rows]
        issues = grid_issues(plan.sheet, grid, data) + validate(data, delimiter=delimiter)
        checks.append(SheetCheck(plan, data, issues))
    return checks


def payloads(
    checked: SheetCheck, options: Options, *, mask_password: bool = True
) -> list[dict[str, Any]]:
    """The exact bodies that would be POSTed for a checked sheet (password masked by default)."""
    batches = build_batches(checked.data, options)
    return [
        build_body(checked.plan.endpoint, b, options, mask_password=mask_password) for b in batches
    ]


def already_imported_rows(data: SheetData) -> frozenset[int]:
    """Rows whose #STATUT says a previous run imported them (skipped unless asked)."""
    return frozenset(r.row for r in data.rows if status.is_imported_status(r.status))


def unknown_outcome_rows(data: SheetData) -> frozenset[int]:
    """Rows whose earlier outcome is unknown: they may be in Gestimum already, so they are held
    back until the user has checked (and cleared the status) or asks to re-send them."""
    return frozenset(
        r.row for r in data.rows if status.status_state(r.status) == status.RowState.UNKNOWN
    )


def run_import(
    checks: list[SheetCheck],
    sink: ResultSink,
    sender: Sender,
    options: Options,
    *,
    target: dict[str, str],
    progress: Progress | None = None,
    reimport: bool = False,
    locate: bool = False,
) -> RunReport:
    """Send every checked sheet batch by batch and write the row-level truth back.

    Refuses to send anything when a sheet has blocking issues; stops at the first batch whose
    outcome is unknown or failed at request level (never retries), marking the rest not sent.
    With `locate`, rejections the journal does not name are located in Gestimum's test mode.
    """
    run_id = report_rows.new_run_id()
    report = RunReport(run_id=run_id, test=options.test)
    if any(c.blocking for c in checks):
        report.exit_code = 2
        report.messages.append(
            "Rien n'a été envoyé : corrigez d'abord les problèmes bloquants "
            "(commande « check » ou bouton Contrôler)."
        )
        return report
    stop: str | None = None
    try:
        for checked in checks:
            sheet_report = SheetReport(
                checked.plan.sheet, checked.plan.endpoint.name, rows=len(checked.data.rows)
            )
            report.sheets.append(sheet_report)
            if options.test and not checked.plan.endpoint.test_mode:
                sheet_report.error = (
                    f"{checked.plan.endpoint.name} n'a pas de mode test dans Gestimum : "
                    "feuille non envoyée."
                )
                report.messages.append(f"{checked.plan.sheet} : {sheet_report.error}")
                continue
            # Skipped rows keep their #STATUT (with its pièce numbers) untouched.
            outcomes: list[RowOutcome] = []
            try:
                stop = _run_sheet(checked, sink, sender, options, run_id, target, progress,
                                  reimport, sheet_report, outcomes, stop, locate)
            finally:
                # Even when something unexpected stops the run, rows already sent keep their
                # outcome, so that the next run does not send them again.
                sink.write_statuses(checked.plan.sheet, checked.data, outcomes)
            if sheet_report.error and sheet_report.error != stop:
                report.messages.append(f"{checked.plan.sheet} : {sheet_report.error}")
    finally:
        sink.save()
    if stop is not None:
        report.messages.append(stop)
    report.exit_code = exit_code(report, stop)
    return report


def _run_sheet(
    checked: SheetCheck,
    sink: ResultSink,
    sender: Sender,
    options: Options,
    run_id: str,
    target: dict[str, str],
    progress: Progress | None,
    reimport: bool,
    sheet_report: SheetReport,
    outcomes: list[RowOutcome],
    stop: str | None,
    locate: bool,
) -> str | None:
    """Send one sheet batch by batch (ledger row and journal per batch); returns the stop reason."""
    endpoint = checked.plan.endpoint
    skip: frozenset[int] = frozenset()
    if not (reimport or options.test):
        held = unknown_outcome_rows(checked.data)
        skip = already_imported_rows(checked.data) | held
        if held:
            sheet_report.unknown += len(held)
            sheet_report.error = (
                f"{len(held)} ligne(s) au résultat inconnu d'une exécution précédente non "
                "renvoyée(s) : vérifiez-les dans Gestimum, puis effacez leur statut (ou relancez "
                "avec --reimport) pour les envoyer."
            )
    sheet_report.skipped = len(skip)
    batches = build_batches(checked.data, options, skip_rows=skip)
    if progress is not None:
        progress.start(checked.plan.sheet, len(batches), sum(len(b.rows) for b in batches))
    rows_done = 0
    for batch in batches:
        if stop is not None:
            outcomes.extend(outcomes.not_sent_outcomes(batch, stop))
            continue
        outcome, stop = _send_batch(endpoint, batch, sender, options)
        if locate and outcome.locate_in_test and not options.test:
            found = locate_rejections(endpoint, batch, sender, options)
            if found is not None:
                outcome = apply_located(outcome, found)
        outcomes.extend(outcome.rows)
        count_batch(sheet_report, batch, outcome)
        sink.append_results(
            [report_rows.results_row(run_id, target, checked.plan.sheet, endpoint, batch, outcome,
                                options.test)]
        )
        sink.append_journal(report_rows.journal_rows(run_id, endpoint, outcome))
        rows_done += len(batch.rows)
        if progress is not None:
            progress.advance(checked.plan.sheet, batch.index, batch.total, rows_done)
    if stop is not None and sheet_report.error is None and sheet_report.sent:
        sheet_report.error = stop
    return stop


def _send_batch(
    endpoint: Endpoint, batch: Batch, sender: Sender, options: Options
) -> tuple[BatchOutcome, str | None]:
    """POST one batch once; a failure becomes an outcome (and a reason to stop the run)."""
    body = build_body(endpoint, batch, options)
    started = time.monotonic()
    try:
        answer = sender(endpoint, body)
    except OutcomeUnknownError as exc:
        outcome = outcomes.failed_outcome(batch, exc.user_message, unknown=True, test=options.test)
        stop = exc.user_message
    except AddinError as exc:
        outcome = outcomes.failed_outcome(
            batch, exc.user_message, unknown=False, nothing_sent=exc.nothing_sent,
            test=options.test,
        )
        stop = exc.user_message
    else:
        outcome = parse_answer(endpoint, answer, batch, test=options.test)
        stop = None
    outcome.duration = time.monotonic() - started
    return outcome, stop
