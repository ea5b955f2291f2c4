"""Reading and validating the planned sheets, and the exact bodies a run would POST."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from addin.core.documents import chronology_warnings, merge_warnings
from addin.core.entry_totals import text_amounts
from addin.core.grid_issues import grid_issues
from addin.core.issues import Issue
from addin.core.lines import Options, build_batches, build_body
from addin.core.mapping import load_saved, saved_for
from addin.core.percents import apply_percent_formats
from addin.core.period import period_issues
from addin.core.selection import GridSource, SheetPlan
from addin.core.sheet import SheetData, read_sheet
from addin.core.tables import table_view
from addin.core.validate import has_blocking, validate
from addin.core.zeros import fix_lost_zeros

__all__ = ["SheetCheck", "check", "payloads"]


@dataclass(slots=True)
class SheetCheck:
    """A sheet read and validated: its rows and every issue found."""

    plan: SheetPlan
    data: SheetData
    issues: list[Issue]
    # Test runs: key field → {code: sheet} other sheets of the run define (core.dependencies).
    elsewhere: dict[str, dict[str, str]] = field(default_factory=dict)
    delimiter: str = ""  # the identificateur_texte it was checked for (fingerprints follow it)

    @property
    def blocking(self) -> bool:
        return has_blocking(self.issues)


def check(
    source: GridSource,
    plans: list[SheetPlan],
    *,
    delimiter: str = "",
    skip_hidden: bool = False,
    fix_zeros: bool = False,
) -> list[SheetCheck]:
    """Read and validate every planned sheet; collects all issues, sends nothing.

    `delimiter` is the `identificateur_texte` the lines will be sent with: values holding the
    separator are then quoted instead of blocked. Hidden and filtered rows are sent like any
    other unless `skip_hidden` leaves them out (they are then neither checked nor sent).
    `fix_zeros` puts back leading zeros Excel dropped from fixed-length codes (core.zeros).
    """
    checks = []
    saved = load_saved(source)
    # The expected period concerns entries only: other sheets do not read Connexion here.
    period = (source.connexion().get("period")
              if any(p.endpoint.positional for p in plans) else None)
    for plan in plans:
        # An Excel Table is read by its header and data body: never its totals row.
        grid, table_issues = table_view(source.grid(plan.sheet), plan.sheet, plan.endpoint)
        data = read_sheet(
            grid.values,
            plan.endpoint,
            sheet=plan.sheet,
            first_row=grid.first_row,
            first_col=grid.first_col,
            saved=saved_for(saved, plan.sheet),
        )
        data.issues[:0] = table_issues
        if skip_hidden and grid.hidden_rows:
            data.rows = [r for r in data.rows if r.row not in grid.hidden_rows]
        fixed = fix_lost_zeros(data) if fix_zeros else []
        cell_issues = apply_percent_formats(data, grid)
        issues = (
            grid_issues(plan.sheet, grid, data) + validate(data, delimiter=delimiter)
            + cell_issues + fixed + merge_warnings(data)
        )
        issues += period_issues(data, period) + text_amounts(data) + chronology_warnings(data)
        checks.append(SheetCheck(plan, data, issues, delimiter=delimiter))
    return checks


def payloads(
    checked: SheetCheck, options: Options, *, mask_password: bool = True
) -> list[dict[str, Any]]:
    """The exact bodies that would be POSTed for a checked sheet (password and secret field
    values masked by default)."""
    batches = build_batches(checked.data, options, mask_secrets=mask_password)
    return [
        build_body(checked.plan.endpoint, b, options, mask_password=mask_password) for b in batches
    ]
