"""The one flow behind the CLI and the ribbon: choose sheets, check, build bodies, send, report.

Depends only on the core and on small protocols (grid source, result sink, sender, progress), so
the openpyxl and xlwings adapters, the tests and the demo all run exactly the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from addin.core import outcomes, partial, report_rows, status
from addin.core.answers import BatchOutcome, RowOutcome, parse_answer
from addin.core.batching import BatchSizer
from addin.core.catalog import Endpoint
from addin.core.checking import SheetCheck, check, payloads
from addin.core.dependencies import provided_codes, soften_test_outcome, untested_summary
from addin.core.entry_totals import done_totals, run_totals, total_text
from addin.core.errors import AddinError, JournalError, OutcomeUnknownError, WriteBackError
from addin.core.fingerprints import RowPrint, row_prints, stamp_text
from addin.core.known_codes import created_codes
from addin.core.lines import Batch, Options, build_body, sheet_lines
from addin.core.locate import apply_located, locate_rejections
from addin.core.rerun import Intent, JournalStore, RerunPlan, RunInfo, Scope
from addin.core.resume import (
    RunSettings,
    plan_for,
    plan_sheets,
    report_plan,
    restore,
    server_key,
)
from addin.core.run_report import RunReport, SheetReport, count_batch, exit_code
from addin.core.secret_fields import Scrubber
from addin.core.selection import GridSource, SheetPlan, select_sheets
from addin.core.sheet import SheetData

__all__ = [
    "GridSource",
    "JournalStore",
    "Progress",
    "ResultSink",
    "RunSettings",
    "RunReport",
    "SheetCheck",
    "SheetPlan",
    "SheetReport",
    "check",
    "payloads",
    "plan_sheets",
    "restore",
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


INTERRUPTED = "Import interrompu pendant l'envoi d'un lot"
_SENT_STATES = {status.RowState.IMPORTED, status.RowState.WARNING, status.RowState.UNKNOWN}


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
    journal: JournalStore | None = None,
    workbook: str = "",
    settings: RunSettings | None = None,
    valid_only: bool = False,
) -> RunReport:
    """Send every checked sheet batch by batch and write the row-level truth back.

    Refuses to send anything when a sheet has blocking issues, unless `valid_only` (and always
    in test mode): rows with blocking issues, with their whole pièce, are then held back as
    "Non envoyée" and the others sent (core.partial). Stops at the first batch whose
    outcome is unknown or failed at request level (never retries), marking the rest not sent.
    With a `journal`, each batch's intent is recorded durably before its POST and its outcome
    after it, and what earlier runs sent decides what this one sends (core/rerun.py).
    """
    settings = settings or RunSettings(reimport=reimport, locate=locate)
    run_id = report_rows.new_run_id()
    report = RunReport(run_id=run_id, test=options.test)
    held: list[partial.Held] = []
    if valid_only or options.test:  # a test tests every testable row (core.partial)
        checks, held = partial.split_checks(checks)
    if options.test:  # what other sheets would create cannot be verified (core.dependencies)
        provided = provided_codes(checks)
        for c in checks:
            c.elsewhere = provided
    if any(c.blocking for c in checks):
        report.exit_code = 2
        report.messages.append(
            "Rien n'a été envoyé : corrigez d'abord les problèmes bloquants "
            "(commande « check » ou bouton Contrôler)."
        )
        return report
    run = RunInfo(run_id, server_key(target.get("server", "")), target.get("fichier", ""),
                  target.get("utilisateur", ""), workbook, options.test, report_rows.os_user())
    if journal is not None:
        journal.begin(run)  # takes the locks: one import per workbook and per company
    stop: str | None = None
    sizer = BatchSizer(fixed=options.batch_size)  # learns the server's time across the run

    def counted(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        report.calls += 1
        return sender(endpoint, body)

    try:
        try:
            for h in held:  # before sending: what is held back says so whatever happens next
                sink.write_statuses(h.sheet, h.data, h.outcomes)
                report.messages.append(h.summary())
            for checked in checks:
                stop = _run_checked(checked, sink, counted, options, run, journal, settings,
                                    progress, report, stop, target, sizer)
        finally:
            _save(sink, journal is not None, workbook)
    finally:
        if journal is not None:
            journal.end(run_id, "interrompue" if stop == INTERRUPTED else "terminée", stop or "")
    if stop is not None:
        report.messages.append(stop)
    report.exit_code = exit_code(report, stop)
    if held and report.exit_code == 0:
        report.exit_code = 1  # not everything went in
    return report


def _save(sink: ResultSink, journaled: bool, workbook: str) -> None:
    """Write the results; when that fails after sending, say where the statuses are."""
    try:
        sink.save()
    except WriteBackError as exc:
        if not journaled:
            raise
        raise WriteBackError(
            f"{exc.user_message} Ne relancez pas l'import sur l'original en pensant repartir de "
            "zéro : les statuts sont dans le journal des exécutions — « gestimum-excel reprendre "
            f"{workbook or 'CLASSEUR'} » les écrit dans le classeur (un nouvel import ne renverra "
            "de toute façon rien de ce qui a déjà été importé).",
            detail=exc.detail,
        ) from exc


def _run_checked(
    checked: SheetCheck, sink: ResultSink, sender: Sender, options: Options, run: RunInfo,
    journal: JournalStore | None, settings: RunSettings, progress: Progress | None,
    report: RunReport, stop: str | None, target: dict[str, str], sizer: BatchSizer,
) -> str | None:
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
        return stop
    written: list[RowOutcome] = []
    try:
        stop = _run_sheet(checked, sink, sender, options, run, journal, settings, progress,
                          sheet_report, written, stop, target, sizer)
    finally:
        # Even when something unexpected stops the run, rows already sent keep their
        # outcome, so that the next run does not send them again.
        sink.write_statuses(checked.plan.sheet, checked.data, written)
    report.messages += run_totals(checked, written, options.test)
    # The same totals in Résultats, after the sheet's batches: what is reconciled with the
    # trial balance (one row per journal, then the run's total).
    sink.append_results([
        report_rows.total_row(run.run_id, target, checked.plan.sheet, checked.plan.endpoint,
                              "total" if t.journal == "Total" else f"journal {t.journal}",
                              total_text(t), options.test)
        for t in done_totals(checked, written)
    ])
    report.messages += untested_summary(checked.plan.sheet, written)
    if sheet_report.error and sheet_report.error != stop:
        report.messages.append(f"{checked.plan.sheet} : {sheet_report.error}")
    return stop


def _run_sheet(
    checked: SheetCheck,
    sink: ResultSink,
    sender: Sender,
    options: Options,
    run: RunInfo,
    journal: JournalStore | None,
    settings: RunSettings,
    progress: Progress | None,
    sheet_report: SheetReport,
    written: list[RowOutcome],
    stop: str | None,
    target: dict[str, str],
    sizer: BatchSizer,
) -> str | None:
    """Send one sheet batch by batch (ledger row and journal per batch); returns the stop reason.

    Each batch is cut when it is about to be sent, sized by `sizer` from the calls so far."""
    endpoint = checked.plan.endpoint
    scope = Scope(run.server, run.fichier, endpoint.name)
    salt = journal.salt if journal is not None else b"gestimum-excel"
    prints = row_prints(checked.data, endpoint, salt, delimiter=options.identificateur_texte,
                        target=f"{run.server}|{run.fichier}")
    plan = plan_for(checked, prints, journal, scope, options, settings)
    report_plan(plan, sheet_report)
    written.extend(plan.restored)
    by_row = {p.row: p for p in prints}
    # The codes real imports create, so that `check` knows them later (core.known_codes).
    codes = created_codes(checked.data) if journal is not None and not options.test else {}
    lines = sheet_lines(checked.data, options, skip_rows=plan.skip)
    if progress is not None:
        progress.start(checked.plan.sheet, sizer.expected_calls(lines.rows), lines.rows)
    rows_done = 0
    while lines.remaining:
        if stop is not None:  # the rest is not sent: one batch says so for every row
            batch = lines.take(lines.done, lines.rows, lines.index + 1)
            written.extend(outcomes.not_sent_outcomes(batch, stop))
            continue
        start, end = lines.next_range(sizer.next_lines(), sizer.byte_cap)
        after = lines.remaining - (end - start)
        batch = lines.take(start, end, lines.index + 1 + sizer.expected_calls(after))
        intent = Intent(run.run_id, scope, options.test, run.workbook, checked.plan.sheet,
                        batch.index, batch.total, report_rows.batch_digest(batch),
                        [by_row[r] for r in batch.rows],
                        codes={r: codes[r] for r in batch.rows if r in codes})
        outcome: BatchOutcome | None = None
        try:
            outcome, stop = _journaled_send(endpoint, batch, sender, options, journal, intent)
            if stop is None:
                sizer.observe(len(batch.lines), outcome.duration)
            if outcome.locate_in_test and (options.test or settings.locate):
                found = locate_rejections(endpoint, batch, sender, options)
                if found is not None:
                    outcome = Scrubber(batch.secrets, options.mot_passe).outcome(
                        apply_located(outcome, found))
                    if journal is not None:
                        journal.record_outcome(intent, outcome)
        except KeyboardInterrupt:  # a stop signal outside the request itself
            stop = INTERRUPTED
            if outcome is None:  # unknown once the request left; else never sent
                outcome = outcomes.failed_outcome(
                    batch, INTERRUPTED if not intent.posting else INTERRUPTED.lower(),
                    unknown=intent.posting, nothing_sent=True, test=options.test,
                )
                if journal is not None:
                    journal.record_outcome(intent, outcome)
        if options.test:
            outcome = soften_test_outcome(outcome, endpoint, batch, checked.plan.sheet,
                                          checked.elsewhere)
        _finish_rows(outcome, plan, by_row, run.run_id, options.test)
        written.extend(outcome.rows)
        count_batch(sheet_report, batch, outcome)
        sink.append_results(
            [report_rows.results_row(run.run_id, target, checked.plan.sheet, endpoint,
                                     batch, outcome, options.test)]
        )
        sink.append_journal(report_rows.journal_rows(run.run_id, endpoint, outcome, batch.rows))
        rows_done += len(batch.rows)
        if progress is not None:
            progress.advance(checked.plan.sheet, batch.index, batch.total, rows_done)
    if stop is not None and sheet_report.error is None and sheet_report.sent:
        sheet_report.error = stop
    return stop


def _journaled_send(
    endpoint: Endpoint, batch: Batch, sender: Sender, options: Options,
    journal: JournalStore | None, intent: Intent,
) -> tuple[BatchOutcome, str | None]:
    """Record the intent, POST once, record the outcome; an interrupt makes the batch unknown."""
    if journal is not None:
        try:
            journal.record_intent(intent)
        except JournalError as exc:  # no durable record, no request
            return outcomes.failed_outcome(
                batch, exc.user_message, unknown=False, nothing_sent=True, test=options.test
            ), exc.user_message
    intent.posting = True
    try:
        outcome, stop = _send_batch(endpoint, batch, sender, options)
    except KeyboardInterrupt:  # Ctrl+C, SIGTERM or SIGHUP once the intent was recorded
        outcome = outcomes.unknown_outcome(batch, INTERRUPTED.lower(), test=options.test)
        stop = INTERRUPTED
    if journal is not None:
        journal.record_outcome(intent, outcome)
    return outcome, stop


def _finish_rows(
    outcome: BatchOutcome, plan: RerunPlan, by_row: dict[int, RowPrint], run_id: str, test: bool
) -> None:
    """Say which rows were sent as updates, and stamp what a real run may have imported."""
    for row in outcome.rows:
        if test:
            continue
        if row.row in plan.updates and row.state in (status.RowState.IMPORTED,
                                                     status.RowState.WARNING):
            row.reasons = ["mise à jour envoyée", *row.reasons]  # may be shared: a new list
            row.text = status.status_text(row.state, row.reasons, row.warnings, row.pieces)
        if row.state in _SENT_STATES and row.row in by_row:
            row.stamp = stamp_text(run_id, by_row[row.row])


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
        try:
            outcome = parse_answer(endpoint, answer, batch, test=options.test)
            stop = None
        except OutcomeUnknownError as exc:  # the body was sent: an unreadable answer proves nothing
            outcome = outcomes.failed_outcome(batch, exc.user_message, unknown=True,
                                              test=options.test)
            stop = exc.user_message
        except AddinError as exc:  # a refusal before processing: nothing imported
            outcome = outcomes.failed_outcome(batch, exc.user_message, unknown=False,
                                              test=options.test)
            stop = exc.user_message
    outcome.duration = time.monotonic() - started
    # What a server echoes (journal, message, error) never carries the ERP password or a secret
    # field value into the run journal, the workbook or the terminal.
    scrub = Scrubber(batch.secrets, options.mot_passe)
    return scrub.outcome(outcome), (scrub(stop) if stop is not None else None)


