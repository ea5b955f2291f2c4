"""Problems found in a workbook, as data: one `Issue` per problem, never an exception.

Codes are stable kebab-case strings (other code, tests and users' filters rely on them);
messages are French and always say what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Issue",
    "Severity",
    "column_letter",
    "location",
    "has_blocking",
    "CODES",
]


class Severity(StrEnum):
    """Blocking issues stop the import of the sheet; warnings are shown but let it run."""

    BLOCKING = "bloquant"
    WARNING = "avertissement"


# -- stable issue codes ------------------------------------------------------------------------
# sheet structure
NO_HEADER = "no-header"
UNKNOWN_COLUMN = "unknown-column"
DUPLICATE_COLUMN = "duplicate-column"
MISSING_COLUMN = "missing-column"
MERGED_CELL = "merged-cell"
MERGED_HEADER = "merged-header"
SEVERAL_TABLES = "several-tables"
OUTSIDE_TABLE = "outside-table"
INVISIBLE_CHARACTER = "invisible-character"
FORMULA_WITHOUT_VALUE = "formula-without-value"
# one cell
REQUIRED = "required"
TOO_LONG = "too-long"
TYPE_ERROR = "type-error"
INVALID_DATE = "invalid-date"
TIME_IGNORED = "time-ignored"
NOT_IN_LIST = "not-in-list"
SEPARATOR_IN_VALUE = "separator-in-value"
LINE_BREAK_IN_VALUE = "line-break-in-value"
DELIMITER_IN_VALUE = "delimiter-in-value"
LEADING_ZERO_LOST = "leading-zero-lost"
TOO_MANY_DIGITS = "too-many-digits"
DATE_IN_TEXT = "date-in-text"
UNSUPPORTED_CHARACTER = "unsupported-character"
EXCEL_ERROR = "excel-error"
PERCENT_FORMAT = "percent-format"
BOOLEAN_IN_TEXT = "boolean-in-text"
NUMBER_TOO_BIG = "number-too-big"
DATE_OUT_OF_RANGE = "date-out-of-range"
# one row / several rows
CONDITION = "condition"
DUPLICATE_KEY = "duplicate-key"
BROKEN_GROUPING = "broken-grouping"
THIRD_PARTY_CHANGES = "third-party-changes"
# accounting entries (Ecritures)
MIXED_RECORD_TYPES = "mixed-record-types"
ORPHAN_LINE = "orphan-line"
DUE_DATE_CONFLICT = "due-date-conflict"
UNBALANCED_ENTRY = "unbalanced-entry"
DEBIT_AND_CREDIT = "debit-and-credit"
EMPTY_DIRECTION = "empty-direction"
LEADING_ZERO_FIXED = "leading-zero-fixed"
PIECES_MERGED = "pieces-merged"
FORMULA_AS_TEXT = "formula-as-text"
AMOUNT_AS_TEXT = "amount-as-text"
OUT_OF_SEQUENCE = "out-of-sequence"
OUT_OF_PERIOD = "out-of-period"
DUE_TOTAL_MISMATCH = "due-total-mismatch"
ANALYTIC_TOTAL_MISMATCH = "analytic-total-mismatch"
UNKNOWN_REFERENCE = "unknown-reference"

# Every constant above (all upper-case str globals of this module so far).
CODES: frozenset[str] = frozenset(
    v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str)
)


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: where it is (sheet, Excel row, column letter, field) and what to do."""

    code: str
    severity: Severity
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    field: str = ""
    value: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING

    @property
    def where(self) -> str:
        """`Clients!C5`, `Clients!5`, `Clients!C` or `Clients`: the Excel address of the issue."""
        return location(self.sheet, self.row, self.column)


def column_letter(index: int) -> str:
    """Excel column letter of a 1-based column number: 1 → A, 27 → AA."""
    if index < 1:
        raise ValueError(f"column number must be ≥ 1, got {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def location(sheet: str, row: int | None = None, column: str = "") -> str:
    """Excel-style address: `Clients!C5`; the sheet name is quoted when Excel would quote it."""
    name = sheet
    if sheet and not sheet.replace("_", "").isalnum():
        name = "'" + sheet.replace("'", "''") + "'"
    cell = f"{column}{row if row is not None else ''}"
    if not name:
        return cell
    return f"{name}!{cell}" if cell else name


def has_blocking(issues: Iterable[Issue]) -> bool:
    """True when at least one issue forbids sending the sheet."""
    return any(i.severity is Severity.BLOCKING for i in issues)
