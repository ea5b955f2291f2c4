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

from addin import issues as ic
from addin.catalog import Endpoint
from addin.issues import Issue
from addin.rules import required_fields
from addin.sheet import SheetData
from addin.validate import Formatted, issue_at, required_issue

__all__ = ["ENTRY", "DUE", "ANALYTIC", "entry_groups", "entry_issues", "entry_line", "row_kinds"]

ENTRY, DUE, ANALYTIC = "entry", "due", "analytic"
_PREFIX = {ENTRY: "", DUE: "E", ANALYTIC: ">"}
_NAMES = {ENTRY: "écriture", DUE: "échéance", ANALYTIC: "ventilation analytique"}
PIECE_KEY = ("JOU_CODE", "ECR_DATE", "ECR_PIECE")


def _record_of(endpoint: Endpoint) -> dict[str, str]:
    return {f.code: kind for kind, fields in endpoint.records.items() for f in fields}


def row_kinds(data: SheetData, fs: Formatted) -> list[str | set[str] | None]:
    """Each row's record type; a set when the row mixes several, None when nothing is filled."""
    record = _record_of(data.endpoint)
    cols = [record.get(c.code) for c in data.columns]
    kinds: list[str | set[str] | None] = []
    for rp, texts in enumerate(fs.texts):
        found = {cols[j] for j, t in enumerate(texts) if (t or (rp, j) in fs.bad) and cols[j]}
        kinds.append(found.pop() if len(found) == 1 else (found or None))
    return kinds


def _piece_key(data: SheetData, texts: Sequence[str]) -> tuple[str, ...]:
    pos = {c.code: j for j, c in enumerate(data.columns)}
    return tuple(texts[pos[c]] if c in pos else "" for c in PIECE_KEY)


def entry_groups(data: SheetData, fs: Formatted) -> list[tuple[int, int]]:
    """(start, end) row positions of each pièce, its due-date and analytic lines included."""
    kinds = row_kinds(data, fs)
    groups: list[tuple[int, int]] = []
    start, key = 0, None
    for rp, kind in enumerate(kinds):
        if kind == ENTRY:
            k = _piece_key(data, fs.texts[rp])
            if key is not None and k != key:
                groups.append((start, rp))
                start = rp
            key = k
    if kinds:
        groups.append((start, len(kinds)))
    return groups


def entry_line(data: SheetData, texts: Sequence[str], kind: str, number: int) -> str:
    """The positional line of one row; `number` fills an empty `ECR_LIGNE`."""
    pos = {c.code: j for j, c in enumerate(data.columns)}
    parts = [texts[pos[f.code]] if f.code in pos else "" for f in data.endpoint.records[kind]]
    if kind == ENTRY and not parts[0]:
        parts[0] = str(number)
    return _PREFIX[kind] + ",".join(parts).rstrip(",")


def _amount(data: SheetData, texts: Sequence[str], code: str) -> Decimal | None:
    j = next((j for j, c in enumerate(data.columns) if c.code == code), None)
    if j is None or not texts[j]:
        return None
    return Decimal(texts[j])  # formatted with "." as mark, so always a valid Decimal


def _fr(d: Decimal) -> str:
    return f"{d:,}".replace(",", "\u202f").replace(".", ",")


def entry_issues(data: SheetData, fs: Formatted) -> Iterable[Issue]:
    """Row types, mandatory fields per type, attachment, due-date rules, totals and balance."""
    ep = data.endpoint
    kinds = row_kinds(data, fs)
    pos = {c.code: j for j, c in enumerate(data.columns)}
    required = {k: [pos[c] for c in required_fields(ep, k) if c in pos] for k in _PREFIX}
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
        for j in required[kind]:
            issue = required_issue(data, fs, rp, j)
            if issue is not None:
                yield issue
        if kind == ENTRY:
            owner = rp
            children[rp] = []
        elif owner is None:
            yield issue_at(data, rp, None, ic.ORPHAN_LINE,
                           f"Cette ligne d'{_NAMES[kind]} ne suit aucune écriture : placez-la "
                           f"juste sous la ligne d'écriture à laquelle elle se rapporte.")
        else:
            children[owner].append(rp)
    yield from _attached(data, fs, kinds, children)
    yield from _pieces(data, fs, kinds)


def _attached(
    data: SheetData, fs: Formatted, kinds: list, children: dict[int, list[int]]
) -> Iterable[Issue]:
    """Due dates and analytic lines: coherent with their entry, totals equal to its amount."""
    for rp, rows in children.items():
        if not rows:
            continue
        texts = fs.texts[rp]
        amount = _amount(data, texts, "ECR_MONTANT")
        dues = [r for r in rows if kinds[r] == DUE]
        if dues and _amount_text(data, texts, "ECR_DATECH"):
            yield issue_at(data, rp, _col(data, "ECR_DATECH"), ic.DUE_DATE_CONFLICT,
                           "Cette écriture a des lignes d'échéance : videz sa date d'échéance "
                           "(ECR_DATECH), sinon Gestimum ignore les échéances.")
        if amount is None:
            continue
        if dues:
            yield from _total(data, fs, rp, amount, dues, "ECH_MONTANT", "ECH_POURCENT",
                              ic.DUE_TOTAL_MISMATCH, "des échéances")
        plans: dict[str, list[int]] = {}
        for r in rows:
            if kinds[r] == ANALYTIC:
                plans.setdefault(_amount_text(data, fs.texts[r], "ANA_PLAN"), []).append(r)
        for plan, lines in plans.items():
            yield from _total(data, fs, rp, amount, lines, "ANA_MONTANT", "ANA_POURCENT",
                              ic.ANALYTIC_TOTAL_MISMATCH, f"de la ventilation du plan {plan}")


def _col(data: SheetData, code: str) -> int | None:
    return next((j for j, c in enumerate(data.columns) if c.code == code), None)


def _amount_text(data: SheetData, texts: Sequence[str], code: str) -> str:
    j = _col(data, code)
    return texts[j] if j is not None else ""


def _total(
    data: SheetData, fs: Formatted, rp: int, amount: Decimal, rows: list[int],
    amount_code: str, pct_code: str, code: str, what: str,
) -> Iterable[Issue]:
    """Amounts given must add up to the entry; percentages given alone must add up to 100."""
    total = Decimal(0)
    pct_total = Decimal(0)
    for r in rows:
        texts = fs.texts[r]
        a, p = _amount(data, texts, amount_code), _amount(data, texts, pct_code)
        if a is None and p is None:
            yield issue_at(data, r, _col(data, amount_code), ic.REQUIRED,
                           f"Indiquez le montant ({amount_code}) ou le pourcentage ({pct_code}) "
                           f"de cette ligne.")
            return
        if a is not None:
            total += a
        else:
            total += amount * p / 100  # type: ignore[operator]
        if p is not None:
            pct_total += p
    all_pct = all(_amount(data, fs.texts[r], pct_code) is not None for r in rows)
    if total != amount or (all_pct and pct_total != 100):
        shown = f"{_fr(total)}" if total != amount else f"{_fr(pct_total)} %"
        expected = f"{_fr(amount)}" if total != amount else "100 %"
        yield issue_at(data, rp, _col(data, "ECR_MONTANT"), code,
                       f"Le total {what} ({shown}) ne correspond pas à l'écriture ({expected}) : "
                       f"Gestimum rejetterait l'écriture. Corrigez les montants ou pourcentages "
                       f"des lignes {data.rows[rows[0]].row} à {data.rows[rows[-1]].row}.")


def _pieces(data: SheetData, fs: Formatted, kinds: list) -> Iterable[Issue]:
    """Each pièce consecutive and balanced."""
    done: dict[tuple[str, ...], int] = {}
    runs: list[tuple[tuple[str, ...], list[int]]] = []
    for rp, kind in enumerate(kinds):
        if not (kind == ENTRY or (isinstance(kind, set) and ENTRY in kind)):
            continue  # a mixed row still counts in its pièce: no cascade of balance issues
        key = _piece_key(data, fs.texts[rp])
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
            amount = _amount(data, texts, "ECR_MONTANT")
            sens = _amount_text(data, texts, "ECR_SENS").upper()
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
