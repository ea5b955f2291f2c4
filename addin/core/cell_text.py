"""Text that a cell can hold safely: no XML-illegal characters, Excel's length cap, no formula."""

from __future__ import annotations

import re

__all__ = ["MAX_CELL_TEXT", "clean_text", "looks_like_formula", "safe_text"]

MAX_CELL_TEXT = 32_767  # Excel's limit per cell
# Characters that make Excel (or a CSV re-import) read a typed text as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters that XML 1.0 (hence .xlsx) cannot hold; openpyxl raises on them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    """True when Excel's input parser would read this text as a formula or a signed number."""
    return text.startswith(_FORMULA_TRIGGERS)


def clean_text(value: object) -> str:
    """Text that a cell can hold: XML-illegal control characters removed, Excel length cap."""
    text = "" if value is None else str(value)
    text = _ILLEGAL_XML.sub("", text)
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def safe_text(value: object) -> str:
    """`clean_text`, prefixed with `'` when it looks like a formula (Excel's quote prefix).

    For writers that go through Excel's input parser (xlwings), where the apostrophe is
    consumed and only marks the cell as text. The openpyxl writer instead stores such text as
    a string cell with the quote-prefix style (see `workbook.py`).
    """
    text = clean_text(value)
    return "'" + text if looks_like_formula(text) else text
