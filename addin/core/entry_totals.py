"""Debit, credit and line count per journal: what a close is reconciled with (trial balance).

Computed from the very texts the lines send (the check's reading of each amount), over the
entry lines only (due-date and analytic lines carry no debit or credit of their own).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from addin.core import issues as ic
from addin.core.entries import ENTRY, row_kinds
from addin.core.formatted import format_rows
from addin.core.issues import Issue, Severity
from addin.core.rules import DEFAULT_SENS
from addin.core.sheet import SheetData

__all__ = [
    "JournalTotal", "done_totals", "entry_totals", "fr_amount", "run_totals", "text_amounts",
    "total_lines", "total_text",
]


@dataclass(slots=True)
class JournalTotal:
    """One journal's (or the run's, `journal` = "Total") debit, credit and entry lines."""

    journal: str
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    lines: int = 0

    def add(self, other: JournalTotal) -> None:
        self.debit += other.debit
        self.credit += other.credit
        self.lines += other.lines


def entry_totals(data: SheetData, rows: Collection[int] | None = None) -> list[JournalTotal]:
    """Per journal (sorted by code), over the entry lines of `rows` (Excel rows; all if None).

    Amounts or directions the check rejects are left out (they are reported as issues).
    """
    if not data.endpoint.positional or data.header_row is None or not data.rows:
        return []
    fs = format_rows(data)
    pos = {c.code: j for j, c in enumerate(data.columns)}
    jj, aj, sj = pos.get("JOU_CODE"), pos.get("ECR_MONTANT"), pos.get("ECR_SENS")
    if aj is None or sj is None:
        return []
    totals: dict[str, JournalTotal] = {}
    for rp, kind in enumerate(row_kinds(data, fs)):
        if kind != ENTRY or (rows is not None and data.rows[rp].row not in rows):
            continue
        texts = fs.texts[rp]
        try:
            amount = Decimal(texts[aj])
        except ArithmeticError:
            continue
        journal = texts[jj] if jj is not None else ""
        t = totals.setdefault(journal, JournalTotal(journal))
        sens = texts[sj].upper() or ("" if (rp, sj) in fs.bad else DEFAULT_SENS)
        if sens == "D":
            t.debit += amount
        elif sens == "C":
            t.credit += amount
        else:
            continue
        t.lines += 1
    return [totals[k] for k in sorted(totals)]


def fr_amount(d: Decimal) -> str:
    """1234.5 → "1 234,50" (narrow no-break space for thousands, as French ledgers print)."""
    return f"{d:,.2f}".replace(",", "\u202f").replace(".", ",")


def total_lines(totals: Iterable[JournalTotal], title: str) -> list[str]:
    """Lines readable at 80 columns: one per journal, then the total and its balance."""
    totals = list(totals)
    if not totals:
        return []
    run = JournalTotal("Total")
    out = [title]
    for t in totals:
        run.add(t)
        out.append(f"  Journal {t.journal or '(vide)'} : débit {fr_amount(t.debit)}, crédit "
                   f"{fr_amount(t.credit)}, {t.lines} ligne(s)")
    gap = run.debit - run.credit
    balance = "équilibré" if not gap else f"écart {fr_amount(abs(gap))}"
    out.append(f"  Total : débit {fr_amount(run.debit)}, crédit {fr_amount(run.credit)}, "
               f"{run.lines} ligne(s), {balance}")
    return out


def done_totals(checked: object, outcomes: Iterable[object]) -> list[JournalTotal]:
    """Per journal, then "Total", over the entry lines a run imported (or the test accepted)."""
    data: SheetData = checked.data  # type: ignore[attr-defined]
    if not data.endpoint.positional:
        return []
    done = {o.row for o in outcomes  # type: ignore[attr-defined]
            if o.state in ("imported", "warning", "tested")}  # type: ignore[attr-defined]
    totals = entry_totals(data, done)
    if not totals:
        return []
    run = JournalTotal("Total")
    for t in totals:
        run.add(t)
    return [*totals, run]


def total_text(t: JournalTotal) -> str:
    """"Journal VTE : débit 1 200,00, crédit 1 200,00, 3 ligne(s)" (the run: "Total : …")."""
    head = "Total" if t.journal == "Total" else f"Journal {t.journal or '(vide)'}"
    text = f"{head} : débit {fr_amount(t.debit)}, crédit {fr_amount(t.credit)}, {t.lines} ligne(s)"
    if t.journal == "Total":
        gap = t.debit - t.credit
        text += ", équilibré" if not gap else f", écart {fr_amount(abs(gap))}"
    return text


def run_totals(checked: object, outcomes: Iterable[object], test: bool) -> list[str]:
    """The per-journal lines of what a run imported (or Gestimum's test mode accepted)."""
    data: SheetData = checked.data  # type: ignore[attr-defined]
    if not data.endpoint.positional:
        return []
    done = {o.row for o in outcomes  # type: ignore[attr-defined]
            if o.state in ("imported", "warning", "tested")}  # type: ignore[attr-defined]
    sheet = checked.plan.sheet  # type: ignore[attr-defined]
    what = "validées par le test" if test else "importées"
    return total_lines(entry_totals(data, done), f"{sheet} — écritures {what}, par journal :")


def text_amounts(data: SheetData) -> list[Issue]:
    """A warning on amounts typed as text in the Montant column: the check reads them (and
    sends them), but the template's #EQUILIBRE formula, like any Excel sum, does not count
    them, so the sheet would show a gap the check does not see."""
    column = data.column("ECR_MONTANT")
    typed = any(m.code == "ECR_MONTANT" and m.how not in ("débit", "crédit") for m in data.mapping)
    if not data.endpoint.positional or column is None or not typed:
        return []
    out = []
    for row in data.rows:
        value = row.values.get("ECR_MONTANT")
        if isinstance(value, str) and value.strip():
            out.append(Issue(
                ic.AMOUNT_AS_TEXT, Severity.WARNING,
                "Montant saisi comme texte : il sera bien envoyé, mais Excel ne le compte pas "
                "dans les sommes (colonne #EQUILIBRE du modèle). Saisissez-le comme un nombre "
                "(format Nombre) pour que l'équilibre affiché soit juste.",
                data.sheet, row.row, column.letter, "ECR_MONTANT", value.strip()))
    return out
