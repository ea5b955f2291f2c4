"""The data validation of each field's column (lists, lengths, numbers, dates), library-free."""

from __future__ import annotations

from dataclasses import dataclass

from addin.core.catalog import Field

__all__ = ["Validation", "validation"]

# Excel refuses a data-validation message longer than 255 characters (repair prompt).
_MAX_DV_MESSAGE = 255
_MAX_INLINE_LIST = 255


@dataclass(frozen=True, slots=True)
class Validation:
    """A data validation, described independently of openpyxl."""

    type: str  # list, whole, decimal, date, textLength
    formula1: str
    formula2: str | None = None
    operator: str | None = None  # None for lists
    choices: tuple[str, ...] = ()  # list codes (inline or on the Listes sheet)
    inline: bool = True
    error: str = ""


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_DV_MESSAGE else text[: _MAX_DV_MESSAGE - 1] + "…"


def validation(field: Field) -> Validation | None:
    """The data validation of a field's column, or None (memo: free text)."""
    if field.choices:
        codes = field.choice_codes
        joined = ",".join(codes)
        inline = len(joined) + 2 <= _MAX_INLINE_LIST and not any(
            "," in c or '"' in c for c in codes
        )
        shown = " ; ".join(
            f"{c.code} ({c.label})" if c.label != c.code else c.code for c in field.choices
        )
        return Validation(
            "list",
            f'"{joined}"' if inline else "",
            choices=codes,
            inline=inline,
            error=_clip(f"Valeurs permises : {shown}"),
        )
    if field.kind in ("text",) and field.max_length:
        return Validation(
            "textLength",
            "0",
            str(field.max_length),
            "between",
            error=f"{field.max_length} caractère{'s' if field.max_length > 1 else ''} au plus.",
        )
    if field.kind == "int":
        return Validation(
            "whole", "-2147483648", "2147483647", "between", error="Saisissez un nombre entier."
        )
    if field.kind in ("decimal", "amount"):
        return Validation(
            "decimal", "-999999999999", "999999999999", "between", error="Saisissez un nombre."
        )
    if field.kind == "date":
        return Validation(
            "date", "1", "2958465", "between", error="Saisissez une date au format jj/mm/aaaa."
        )
    if field.kind == "datetime":
        return Validation(
            "decimal",
            "1",
            "2958466",
            "between",
            error="Saisissez une date et heure au format jj/mm/aaaa hh:mm.",
        )
    return None
