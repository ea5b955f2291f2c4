"""Test runs over several sheets: rows that depend on what another sheet would create.

Gestimum's test mode writes nothing, so testing Comptes then Ecritures rejects every entry on
an account that only the Comptes sheet defines ("Le compte 706000 n'existe pas"). Such a row is
not wrong: it cannot be verified until that sheet is imported. It gets its own status
("Non vérifiable en test : dépend de la feuille Comptes (compte 706000)"), never "Rejetée",
and the run summary says what to do. Rows a test answer does not locate are not "À vérifier"
either (nothing was written): they are "Non vérifiable en test" with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from addin.core.answer_journal import split_fields
from addin.core.answers import compute_groups
from addin.core.missing_code import line_codes, reference_word
from addin.core.outcomes import NO_TEXTS, BatchOutcome, RowOutcome
from addin.core.status import RowState

__all__ = ["provided_codes", "soften_test_outcome", "untested_summary"]

# A reference field whose record is keyed by another code name.
_KEY_OF = {"ANA_SECTION": "ANA_CODE"}
NOT_LOCATED = ("Gestimum n'a pas dit si cette ligne passe le test (le lot contient une "
               "erreur qu'il n'a pas située)")


def provided_codes(checks: Iterable[Any]) -> dict[str, dict[str, str]]:
    """Key field → {code (upper-cased): sheet} of the records every sheet of the run defines."""
    out: dict[str, dict[str, str]] = {}
    for c in checks:
        keys = c.plan.endpoint.key_fields
        if not keys or c.plan.endpoint.creation_only:
            continue
        key = keys[0]
        table = out.setdefault(key, {})
        for row in c.data.rows:
            value = row.values.get(key)
            text = str(value).strip() if value is not None else ""
            if text:
                table.setdefault(text.upper(), c.plan.sheet)
    return out


def _depends(endpoint: Any, header: str | None, line: str, own_sheet: str,
             provided: Mapping[str, Mapping[str, str]]) -> tuple[str, str, str] | None:
    """(sheet, what, code) of the first reference of this line another sheet defines."""
    for field, value in line_codes(endpoint, header, line):
        sheet = provided.get(_KEY_OF.get(field, field), {}).get(value.upper())
        if sheet is not None and sheet != own_sheet:
            return sheet, field, value
    return None


def soften_test_outcome(
    outcome: BatchOutcome, endpoint: Any, batch: Any, own_sheet: str,
    provided: Mapping[str, Mapping[str, str]],
) -> BatchOutcome:
    """In a test answer: rejected rows that depend on another sheet of the run, and rows the
    answer did not locate, become "Non vérifiable en test" with the reason."""
    lines: Sequence[str] = getattr(batch, "lines", ())
    as_test = {RowState.REJECTED: RowState.TEST_REJECTED, RowState.IMPORTED: RowState.TESTED}
    for i, row in enumerate(outcome.rows):  # rows located by core.locate carry real states
        if row.state in as_test:
            outcome.rows[i] = RowOutcome(row.row, as_test[row.state], "", row.reasons,
                                         row.warnings, NO_TEXTS, row.line)
    changed = 0
    for i, row in enumerate(outcome.rows):
        line = lines[row.line - 1] if row.line and row.line <= len(lines) else ""
        reason = None
        if row.state == RowState.TEST_REJECTED:
            dep = _depends(endpoint, batch.header, line, own_sheet, provided)
            if dep is not None:
                sheet, field, code = dep
                reason = (f"dépend de la feuille {sheet} ({reference_word(field)} {code}), "
                          "testée mais pas encore importée")
        elif row.state == RowState.UNKNOWN:
            reason = NOT_LOCATED
        if reason is not None:
            outcome.rows[i] = RowOutcome(row.row, RowState.UNTESTED, "", [reason], row.warnings,
                                         NO_TEXTS, row.line)
            changed += 1
    changed += _whole_pieces(outcome, endpoint, batch)
    if changed:
        outcome.rejected = sum(1 for r in outcome.rows if r.state == RowState.TEST_REJECTED)
        outcome.unknown = 0
        if outcome.state == "unknown":
            outcome.state = "partial"
    return outcome


def _piece_lines(endpoint: Any, batch: Any) -> list[list[int]]:
    """1-based line numbers of each pièce of the batch (each line alone when none)."""
    lines: Sequence[str] = getattr(batch, "lines", ())
    if getattr(endpoint, "positional", False):
        fields = [f.code for f in endpoint.records.get("entry", ())]
        spots = [fields.index(c) for c in ("JOU_CODE", "ECR_DATE", "ECR_PIECE") if c in fields]
        groups: list[list[int]] = []
        previous = None
        for n, line in enumerate(lines, start=1):
            if line[:1] in ("E", ">") and groups:  # due-date / analytic line: its entry's pièce
                groups[-1].append(n)
                continue
            values = split_fields(line, endpoint.separator or ",")
            key = tuple(values[p] if p < len(values) else "" for p in spots)
            if key != previous:
                groups.append([])
                previous = key
            groups[-1].append(n)
        return groups
    found = compute_groups(endpoint, getattr(batch, "header", None), lines)
    if found is None:
        return [[n] for n in range(1, len(lines) + 1)]
    return [[i + 1 for i in g] for g in found]


def _whole_pieces(outcome: BatchOutcome, endpoint: Any, batch: Any) -> int:
    """A pièce rejected because one of its lines depends on another sheet: all of it waits."""
    by_line = {r.line: i for i, r in enumerate(outcome.rows) if r.line is not None}
    changed = 0
    for group in _piece_lines(endpoint, batch):
        members = [outcome.rows[by_line[n]] for n in group if n in by_line]
        why = next((r.reasons[0] for r in members if r.state == RowState.UNTESTED
                    and r.reasons and r.reasons[0].startswith("dépend de")), None)
        if why is None:
            continue
        for r in members:
            if r.state == RowState.TEST_REJECTED:
                outcome.rows[by_line[r.line]] = RowOutcome(
                    r.row, RowState.UNTESTED, "", [f"sa pièce {why}"], r.warnings, NO_TEXTS, r.line)
                changed += 1
    return changed


def untested_summary(sheet: str, rows: Iterable[RowOutcome]) -> list[str]:
    """The run summary's explanation of this sheet's "Non vérifiable en test" rows."""
    reasons = [r.reasons[0] for r in rows if r.state == RowState.UNTESTED and r.reasons]
    if not reasons:
        return []
    sheets = sorted({r.split("feuille ", 1)[1].split(" (", 1)[0] for r in reasons
                     if "dépend de la feuille " in r})
    text = f"{sheet} : {len(reasons)} ligne(s) non vérifiable(s) en test"
    if sheets:
        text += (f" : elles dépendent de {', '.join(sheets)}, testée(s) mais pas importée(s). "
                 f"Importez d'abord {', '.join(sheets)}, puis testez {sheet}.")
    else:
        text += " : Gestimum n'a pas situé l'erreur de leur lot (voir #STATUT)."
    return [text]
