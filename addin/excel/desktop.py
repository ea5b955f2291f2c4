"""Touches only desktop Excel can make (COM through `.api`): status colours, hidden bookkeeping
columns, the last-write document property. Each is a help, never a reason to fail a run: without
`.api` (Mac, remote engines, the test stand-in) or on a COM error it is skipped and logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from addin.core import status
from addin.core.versions import LAST_WRITE_KEY, last_write_stamp
from addin.excel.cells import bgr

__all__ = ["hide_column", "install_colours", "record_last_write"]

log = logging.getLogger(__name__)

# Excel and Office constants (no pywin32 import: this module loads on Linux too).
_XL_TEXT_STRING = 9  # FormatConditions.Add
_XL_BEGINS_WITH = 2
_MSO_PROPERTY_TYPE_STRING = 4  # DocumentProperties.Add


def install_colours(sheet: Any, col: int, first_row: int, last_row: Callable[[], int]) -> None:
    """Conditional formats keyed on the status prefix: a fixed number of calls per sheet.

    They follow the text (clearing a status clears its colour) and are re-installed, not
    accumulated, on every run. ``last_row``: the sheet's last row (asked once per sheet).
    """
    try:
        conditions = sheet.range((first_row, col), (last_row(), col)).api.FormatConditions
        conditions.Delete()
        # Longest labels first with decreasing priority: "Importée avec avertissement" must
        # win over "Importée", which is also its prefix.
        states = sorted(status.STATE_LABELS, key=lambda s: -len(status.STATE_LABELS[s]))
        for state in states:
            rule = conditions.Add(
                Type=_XL_TEXT_STRING,
                String=status.STATE_LABELS[state],
                TextOperator=_XL_BEGINS_WITH,
            )
            rule.Interior.Color = bgr(status.STATE_FILLS[state])
            rule.SetLastPriority()
    except Exception:
        log.info("status colours not installed on %s", sheet.name, exc_info=True)


def hide_column(sheet: Any, col: int) -> None:
    """Hide a bookkeeping column (elsewhere it simply stays visible)."""
    try:
        sheet.range((1, col)).api.EntireColumn.Hidden = True
    except Exception:
        log.info("column %d not hidden on %s", col, getattr(sheet, "name", "?"), exc_info=True)


def record_last_write(book: Any) -> None:
    """Which gestimum-excel and catalog last wrote into the book, as a custom document property
    (the headless writer records the same); the results stay written when it cannot be set."""
    value = last_write_stamp()
    try:
        props = book.api.CustomDocumentProperties
    except Exception:  # no COM object on this engine
        return
    try:
        try:
            props.Item(LAST_WRITE_KEY).Value = value
        except Exception:  # not there yet: COM has no "contains"
            props.Add(LAST_WRITE_KEY, False, _MSO_PROPERTY_TYPE_STRING, value)
    except Exception:
        log.info("last-write stamp not recorded", exc_info=True)
