"""Accounting entries (Ecritures, format `GestimumComptaVariable`): row types, checks, lines.

The sheet has one row per line and no type column: a row is an entry line when entry columns
(`ECR_*`, `JOU_CODE`, `CPT_NUMERO`, `DEV_CODE`, `REG_CODE`) are filled, a due-date line when
`ECH_*` columns are, an analytic line when `ANA_*` columns are; due-date and analytic lines
belong to the entry line above them. A pièce is a run of entry lines with the same journal,
date and piece number; it must be consecutive and balanced (debit = credit, exact decimals).
Lines are positional and comma-separated, trailing empty positions trimmed as in the
documented examples; `ECR_LIGNE` left empty is numbered 1..n within each batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from addin.core import issues as ic
from addin.core.formatted import Formatted, issue_at, required_issue
from addin.core.issues import Issue, Severity
from addin.core.rules import DEFAULT_SENS, required_fields
from addin.core.sheet import SheetData

__all__ = ["ENTRY", "DUE", "ANALYTIC", "entry_groups", "entry_issues", "entry_lines", "row_kinds"]

ENTRY, DUE, ANALYTIC = "entry", "due", "analytic"
_PREFIX = {ENTRY: "", DUE: "E", ANALYTIC: ">"}
_NAMES = {ENTRY: "écriture", DUE: "échéance", ANALYTIC: "ventilation analytique"}
PIECE_KEY = ("JOU_CODE", "ECR_DATE", "ECR_PIECE")


class _Layout:
    """Where each Ecritures field sits in the sheet, and each row's record type (computed once)."""

    __slots__ = ("pos", "kinds", "piece")

    def __init__(self, data: SheetData, fs: Formatted) -> None:
        self.pos = {c.code: j for j, c in enumerate(data.columns)}
        self.piece = [self.pos.get(c) for c in PIECE_KEY]
        filled: dict[str, list[bool]] = {}
        for kind, fields in data.endpoint.records.items():
            cols = [fs.cols[self.pos[f.code]] for f in fields if f.code in self.pos]
            filled[kind] = (list(map(any, zip(*cols, strict=True))) if cols
                            else [False] * fs.n_rows)
        record = {f.code: k for k, fields in data.endpoint.records.items() for f in fields}
        for rp, j in fs.bad:  # a cell in error is filled, even though its text is ""
            kind = record.get(data.columns[j].code)
            if kind:
                filled[kind][rp] = True
        self.kinds: list[str | set[str] | None] = []
        order = list(filled)
        for flags in zip(*(filled[k] for k in order), strict=True):
            n = sum(flags)
            if n == 1:
                self.kinds.append(order[flags.index(True)])
            else:
                self.kinds.append({k for k, f in zip(order, flags, strict=True) if f} or None)

    def text(self, texts: Sequence[str], code: str) -> str:
        j = self.pos.get(code)
        return texts[j] if j is not None else ""

    def number(self, texts: Sequence[str], code: str) -> Decimal | None:
        text = self.text(texts, code)
        return Decimal(text) if text else None  # formatted with "." as mark: a valid Decimal


def _layout(data: SheetData, fs: Formatted) -> _Layout:
    key = ("entries-layout", id(fs))
    found = data.cache.get(key)
    if found is None:
        found = data.cache[key] = _Layout(data, fs)
    return found


def row_kinds(data: SheetData, fs: Formatted) -> list[str | set[str] | None]:
    """Each row's record type; a set when the row mixes several, None when nothing is filled."""
    return _layout(data, fs).kinds


def _piece_key(lay: _Layout, texts: Sequence[str]) -> tuple[str, ...]:
    return tuple([texts[j] if j is not None else "" for j in lay.piece])


def _is_entry(kind: str | set[str] | None) -> bool:
    return kind == ENTRY or (isinstance(kind, set) and ENTRY in kind)


def entry_groups(data: SheetData, fs: Formatted) -> list[tuple[int, int]]:
    """(start, end) row positions of each pièce, its due-date and analytic lines included."""
    lay = _layout(data, fs)
    texts = fs.texts
    groups: list[tuple[int, int]] = []
    start, key = 0, None
    for rp, kind in enumerate(lay.kinds):
        if _is_entry(kind):
            k = _piece_key(lay, texts[rp])
            if key is not None and k != key:
                groups.append((start, rp))
                start = rp
            key = k
    if lay.kinds:
        groups.append((start, len(lay.kinds)))
    return groups


def entry_lines(data: SheetData, fs: Formatted, rows: Sequence[int]) -> list[str]:
    """The positional lines of these rows (one batch): `ECR_LIGNE` left empty is numbered 1..n."""
    lay = _layout(data, fs)
    records = {k: [lay.pos.get(f.code) for f in fields]
               for k, fields in data.endpoint.records.items()}
    texts = fs.texts
    number = 0
    lines = []
    for rp in rows:
        kind = lay.kinds[rp]
        if not isinstance(kind, str):
            raise ValueError(f"row {data.rows[rp].row}: not one record type, validate first")
        row = texts[rp]
        parts = [row[j] if j is not None else "" for j in records[kind]]
        if kind == ENTRY:
            number += 1
            if not parts[0]:
                parts[0] = str(number)
        lines.append(_PREFIX[kind] + ",".join(parts).rstrip(","))
    return lines


def _amount_given(lay: _Layout, texts: Sequence[str]) -> bool:
    return bool(lay.text(texts, "ECR_MONTANT"))


def _fr(d: Decimal) -> str:
    return f"{d:,}".replace(",", "\u202f").replace(".", ",")


def entry_issues(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    """Row types, mandatory fields per type, attachment, due-date rules, totals and balance."""
    ep = data.endpoint
    lay = _layout(data, fs)
    kinds = lay.kinds
    pos = lay.pos
    texts = fs.texts
    required = {k: [pos[c] for c in required_fields(ep, k) if c in pos] for k in _PREFIX}
    sens_j = pos.get("ECR_SENS")
    owner: int | None = None
    children: dict[int, list[int]] = {}
    for rp, kind in enumerate(kinds):
        if isinstance(kind, set):
            names = " et ".join(sorted(_NAMES[k] for k in kind))
            yield issue_at(data, rp, None, ic.MIXED_RECORD_TYPES,
                           f"Cette ligne mélange {names} : mettez chaque ligne d'échéance ou de "
                           f"ventilation analytique sur sa propre ligne, sous son écriture.")
            if ENTRY in kind:  # still the entry its following lines belong to
                owner = rp
                children[rp] = []
            continue
        if kind is None:
            continue
        row = texts[rp]
        for j in required[kind]:
            if not row[j]:
                issue = required_issue(data, fs, rp, j)
                if issue is not None:
                    yield issue
        if kind == ENTRY:
            owner = rp
            children[rp] = []
            if (sens_j is not None and not row[sens_j] and (rp, sens_j) not in fs.bad
                    and _amount_given(lay, row)):
                yield issue_at(data, rp, sens_j, ic.EMPTY_DIRECTION,
                               "Sens vide : la ligne est comptée au débit (D). Mettez C si "
                               "c'est un crédit.", Severity.WARNING)
        elif owner is None:
            yield issue_at(data, rp, None, ic.ORPHAN_LINE,
                           f"Cette ligne d'{_NAMES[kind]} ne suit aucune écriture : placez-la "
                           f"juste sous la ligne d'écriture à laquelle elle se rapporte.")
        else:
            children[owner].append(rp)
    yield from _attached(data, fs, lay, children)
    yield from _pieces(data, fs, lay)


def _attached(
    data: SheetData, fs: Formatted, lay: _Layout, children: dict[int, list[int]]
) -> Iterable[Issue]:
    """Due dates and analytic lines: coherent with their entry, totals equal to its amount."""
    kinds = lay.kinds
    for rp, rows in children.items():
        if not rows:
            continue
        texts = fs.texts[rp]
        amount = lay.number(texts, "ECR_MONTANT")
        dues = [r for r in rows if kinds[r] == DUE]
        if dues and lay.text(texts, "ECR_DATECH"):
            yield issue_at(data, rp, lay.pos.get("ECR_DATECH"), ic.DUE_DATE_CONFLICT,
                           "Cette écriture a des lignes d'échéance : videz sa date d'échéance "
                           "(ECR_DATECH), sinon Gestimum ignore les échéances.")
        if amount is None:
            continue
        if dues:
            yield from _total(data, fs, lay, rp, amount, dues, "ECH_MONTANT", "ECH_POURCENT",
                              ic.DUE_TOTAL_MISMATCH, "des échéances")
        plans: dict[str, list[int]] = {}
        for r in rows:
            if kinds[r] == ANALYTIC:
                plans.setdefault(lay.text(fs.texts[r], "ANA_PLAN"), []).append(r)
        for plan, lines in plans.items():
            yield from _total(data, fs, lay, rp, amount, lines, "ANA_MONTANT", "ANA_POURCENT",
                              ic.ANALYTIC_TOTAL_MISMATCH, f"de la ventilation du plan {plan}")


def _total(
    data: SheetData, fs: Formatted, lay: _Layout, rp: int, amount: Decimal, rows: list[int],
    amount_code: str, pct_code: str, code: str, what: str,
) -> Iterable[Issue]:
    """Amounts given must add up to the entry; percentages given alone must add up to 100."""
    total = Decimal(0)
    pct_total = Decimal(0)
    for r in rows:
        texts = fs.texts[r]
        a, p = lay.number(texts, amount_code), lay.number(texts, pct_code)
        if a is None and p is None:
            yield issue_at(data, r, lay.pos.get(amount_code), ic.REQUIRED,
                           f"Indiquez le montant ({amount_code}) ou le pourcentage ({pct_code}) "
                           f"de cette ligne.")
            return
        if a is not None:
            total += a
        else:
            total += amount * p / 100  # type: ignore[operator]
        if p is not None:
            pct_total += p
    all_pct = all(lay.number(fs.texts[r], pct_code) is not None for r in rows)
    if total != amount or (all_pct and pct_total != 100):
        shown = f"{_fr(total)}" if total != amount else f"{_fr(pct_total)} %"
        expected = f"{_fr(amount)}" if total != amount else "100 %"
        hint = ""
        if all_pct and pct_total == 1:  # 40 % typed in a %-formatted cell reaches us as 0.4
            hint = (" Les pourcentages semblent saisis au format % d'Excel (0,4 pour 40 %) : "
                    "saisissez 40 pour 40 %, dans une cellule au format Nombre.")
        yield issue_at(data, rp, lay.pos.get("ECR_MONTANT"), code,
                       f"Le total {what} ({shown}) ne correspond pas à l'écriture ({expected}) : "
                       f"Gestimum rejetterait l'écriture. Corrigez les montants ou pourcentages "
                       f"des lignes {data.rows[rows[0]].row} à {data.rows[rows[-1]].row}.{hint}")


def _pieces(data: SheetData, fs: Formatted, lay: _Layout) -> Iterable[Issue]:
    """Each pièce consecutive and balanced."""
    done: dict[tuple[str, ...], int] = {}
    runs: list[tuple[tuple[str, ...], list[int]]] = []
    for rp, kind in enumerate(lay.kinds):
        if not _is_entry(kind):
            continue  # a mixed row still counts in its pièce: no cascade of balance issues
        key = _piece_key(lay, fs.texts[rp])
        if runs and runs[-1][0] == key:
            runs[-1][1].append(rp)
            continue
        if runs:
            done.setdefault(runs[-1][0], runs[-1][1][0])
        if key in done:
            yield issue_at(data, rp, None, ic.BROKEN_GROUPING,
                           f"Cette ligne appartient à la pièce commencée ligne "
                           f"{data.rows[done[key]].row} (même journal, date et n° de pièce) mais "
                           f"d'autres pièces s'intercalent : regroupez les lignes de chaque pièce.")
        runs.append((key, [rp]))
    for key, rows in runs:
        debit = credit = Decimal(0)
        for rp in rows:
            texts = fs.texts[rp]
            amount = lay.number(texts, "ECR_MONTANT")
            sens = lay.text(texts, "ECR_SENS").upper()
            if not sens and (rp, lay.pos.get("ECR_SENS")) not in fs.bad:
                sens = DEFAULT_SENS  # empty, not in error: a debit (core.rules)
            if amount is None or sens not in ("D", "C"):
                break  # already reported (required / not-in-list): no balance to compute
            if sens == "D":
                debit += amount
            else:
                credit += amount
        else:
            if debit != credit:
                journal, date, piece = key
                yield issue_at(
                    data, rows[0], None, ic.UNBALANCED_ENTRY,
                    f"La pièce {piece or '(sans numéro)'} du {date} (journal {journal}) n'est "
                    f"pas équilibrée : débit {_fr(debit)}, crédit {_fr(credit)}, écart "
                    f"{_fr(abs(debit - credit))}. Corrigez les montants ou les sens (D/C) des "
                    f"lignes {data.rows[rows[0]].row} à {data.rows[rows[-1]].row}.",
                )
