"""What earlier runs decide for this one, sheet by sheet: plans from the journal, restored statuses.

The decisions themselves are in `rerun.py`; this module feeds them a sheet's fingerprints and
what the journal knows, and reports the outcome in French.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from addin.core import report_rows
from addin.core.checking import SheetCheck
from addin.core.fingerprints import RowPrint, row_prints
from addin.core.lines import Options
from addin.core.outcomes import RowOutcome
from addin.core.rerun import RESEND_UNKNOWN_OPTION, JournalStore, RerunPlan, Scope, plan_rerun
from addin.core.run_report import SheetReport
from addin.core.sheet import SheetData

__all__ = ["RunSettings", "plan_for", "plan_sheets", "report_plan", "restore", "server_key"]


class _StatusSink(Protocol):
    def write_statuses(self, sheet: str, data: SheetData, rows: list[RowOutcome]) -> None: ...
    def save(self) -> None: ...


@dataclass(slots=True)
class RunSettings:
    """How a real run treats content the journal or the workbook says was already sent."""

    reimport: bool = False  # upserts: re-send unchanged rows too (as updates)
    duplicate: bool = False  # creation-only: create documents/entries a second time, on purpose
    resend_unknown: bool = False  # creation-only: re-send rows of unknown outcome (checked absent)
    send_changed: bool = False  # creation-only: send pièces changed after import (confirmed)
    locate: bool = False  # locate unidentified rejections in Gestimum's test mode


def server_key(url: str) -> str:
    """The server as the journal compares it: credentials dropped, no trailing slash, lower case."""
    return report_rows.safe_url(url).strip().rstrip("/").casefold()


def plan_for(
    checked: SheetCheck, prints: list[RowPrint], journal: JournalStore | None, scope: Scope,
    options: Options, settings: RunSettings,
) -> RerunPlan:
    if options.test:  # a test imports nothing: every row is tested, whatever earlier runs did
        return RerunPlan()
    known = journal.lookup(scope, [p.fp for p in prints]) if journal is not None else {}
    keys = journal.imported_keys(scope, [p.key for p in prints]) if journal is not None else set()
    return plan_rerun(
        checked.data, checked.plan.endpoint, prints, known, keys,
        duplicate=settings.duplicate, resend_unknown=settings.resend_unknown,
        reimport=settings.reimport, send_changed=settings.send_changed,
    )  # fmt: skip


def report_plan(plan: RerunPlan, sheet_report: SheetReport) -> None:
    sheet_report.skipped = plan.held_imported
    sheet_report.unknown += plan.held_unknown
    sheet_report.blocked += plan.changed
    notes = []
    if plan.held_unknown:
        notes.append(
            f"{plan.held_unknown} ligne(s) envoyée(s) par une exécution précédente sans réponse "
            "sûre, non renvoyée(s) : vérifiez-les dans Gestimum ; si elles n'y sont pas, relancez "
            f"avec {RESEND_UNKNOWN_OPTION}."
        )
    if plan.changed:
        notes.append(
            f"{plan.changed} ligne(s) de pièces déjà importées puis modifiées, non envoyée(s) : "
            "voir leur #STATUT."
        )
    if notes:
        sheet_report.error = " ".join(notes)


def plan_sheets(
    checks: list[SheetCheck], journal: JournalStore, target: dict[str, str],
    settings: RunSettings | None = None,
) -> dict[str, RerunPlan]:
    """What a real run would hold back, sheet by sheet, given what the journal knows."""
    plans: dict[str, RerunPlan] = {}
    server, fichier = server_key(target.get("server", "")), target.get("fichier", "")
    for checked in checks:
        endpoint = checked.plan.endpoint
        prints = row_prints(checked.data, endpoint, journal.salt, delimiter=checked.delimiter,
                            target=f"{server}|{fichier}")
        plans[checked.plan.sheet] = plan_for(
            checked, prints, journal, Scope(server, fichier, endpoint.name), Options(),
            settings or RunSettings(),
        )
    return plans


def restore(
    checks: list[SheetCheck], sink: _StatusSink, journal: JournalStore, target: dict[str, str]
) -> dict[str, RerunPlan]:
    """Write into the workbook the statuses the journal knows for its rows (nothing is sent)."""
    plans = plan_sheets(checks, journal, target)
    for checked in checks:
        sink.write_statuses(checked.plan.sheet, checked.data, plans[checked.plan.sheet].restored)
    sink.save()
    return plans
