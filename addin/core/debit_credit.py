"""Débit and Crédit columns in the entries sheet, turned into Gestimum's Montant + Sens.

Every accounting import a French accountant knows offers a debit and a credit column; Gestimum
takes one amount (`ECR_MONTANT`) and a direction (`ECR_SENS`, D or C). A row fills one side; a
row that also fills Montant, or both sides, is refused rather than guessed. Issues about the
amount point at the Débit/Crédit cell the user typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from addin.core import issues as ic
from addin.core.issues import Issue, Severity
from addin.core.mapping import header_key

__all__ = ["CREDIT_HEADERS", "DEBIT_HEADERS", "DebitCredit", "fill_amounts", "side_of"]

DEBIT_HEADERS = frozenset(header_key(t) for t in ("Débit", "Montant débit", "Debit", "DEBIT"))
CREDIT_HEADERS = frozenset(header_key(t) for t in ("Crédit", "Montant crédit", "Credit"))


def side_of(header: str) -> str | None:
    """"D" for a debit header, "C" for a credit header, else None."""
    key = header_key(header)
    return "D" if key in DEBIT_HEADERS else "C" if key in CREDIT_HEADERS else None


@dataclass(slots=True)
class DebitCredit:
    """Where the Débit and Crédit columns are (grid index and Excel letter of each)."""

    debit: tuple[int, str] | None = None
    credit: tuple[int, str] | None = None


def _empty(value: object) -> bool:
    """Blank or zero: the side not used (exports often write 0,00 there)."""
    if value is None or isinstance(value, bool):
        return value is None
    if isinstance(value, int | float):
        return value == 0
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    return text == "" or text.replace(",", "").replace(".", "").strip("0-+") == ""


def fill_amounts(
    rows: Sequence[object],  # SheetRow: row, values
    raw: Sequence[Sequence[object]],
    where: DebitCredit,
    *,
    sheet: str,
    own_amount: bool,
) -> list[Issue]:
    """Set each row's `ECR_MONTANT`/`ECR_SENS` from its Débit/Crédit cells; issues for
    rows that fill both sides, or Montant as well. `raw[i]` is `rows[i]`'s grid row;
    `own_amount`: the sheet also has real Montant/Sens columns (else they are synthesised)."""
    issues: list[Issue] = []
    for row, cells in zip(rows, raw, strict=True):
        values = row.values  # type: ignore[attr-defined]
        found = []
        for side, spot in (("D", where.debit), ("C", where.credit)):
            if spot is not None and spot[0] < len(cells) and not _empty(cells[spot[0]]):
                found.append((side, cells[spot[0]], spot[1]))
        if not found:
            if not own_amount:  # due-date and analytic lines: no amount of their own here
                values["ECR_MONTANT"] = values["ECR_SENS"] = None
            continue
        excel_row = row.row  # type: ignore[attr-defined]
        if len(found) == 2:
            issues.append(Issue(
                ic.DEBIT_AND_CREDIT, Severity.BLOCKING,
                "Débit et crédit sont tous deux remplis sur cette ligne : une ligne d'écriture "
                "est au débit ou au crédit. Mettez le montant dans une seule des deux colonnes "
                "(ou faites deux lignes).", sheet, excel_row, found[0][2], "ECR_MONTANT"))
            continue
        side, amount, letter = found[0]
        if own_amount and (values.get("ECR_MONTANT") not in (None, "")
                           or values.get("ECR_SENS") not in (None, "")):
            issues.append(Issue(
                ic.DEBIT_AND_CREDIT, Severity.BLOCKING,
                "Cette ligne remplit à la fois Montant/Sens et Débit/Crédit : gardez l'un ou "
                "l'autre.", sheet, excel_row, letter, "ECR_MONTANT"))
            continue
        values["ECR_MONTANT"] = amount
        values["ECR_SENS"] = side
    return issues
