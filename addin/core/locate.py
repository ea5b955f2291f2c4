"""Find the rows Gestimum rejected when its journal does not name them, in its test mode.

The batch is split in halves (never inside a document or an accounting entry) and each half is
re-sent with `tester: Oui`, which writes nothing, until every rejected pièce stands alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from addin.core.answers import compute_groups, parse_answer
from addin.core.catalog import Endpoint
from addin.core.errors import AddinError
from addin.core.lines import Batch, Options, build_body
from addin.core.outcomes import NO_TEXTS, BatchOutcome, RowOutcome
from addin.core.status import RowState

__all__ = ["MAX_PROBES", "apply_located", "locate_rejections"]

# Each probe costs a company opening on the real server (~5 s): stay well below a minute or two
# of extra requests for one batch.
MAX_PROBES = 24

Sender = Callable[[Endpoint, dict[str, Any]], dict[str, Any]]
_BAD = {RowState.REJECTED, RowState.TEST_REJECTED, RowState.UNKNOWN}


def _units(endpoint: Endpoint, batch: Batch) -> list[list[int]]:
    """0-based line indexes per document or accounting entry; single lines otherwise."""
    if endpoint.positional:
        units: list[list[int]] = []
        previous_key: tuple[str, ...] | None = None
        for i, line in enumerate(batch.lines):
            if line[:1] in ("E", ">") and units:
                units[-1].append(i)  # due-date and analytic lines belong to their entry line
                continue
            fields = line.split(",")
            key = tuple(fields[k] if k < len(fields) else "" for k in (1, 2, 6))
            if key != previous_key or not units:
                units.append([])
                previous_key = key
            units[-1].append(i)
        return units
    groups = compute_groups(endpoint, batch.header, batch.lines)
    return groups if groups else [[i] for i in range(len(batch.lines))]


def _sub_batch(batch: Batch, indexes: list[int]) -> Batch:
    return Batch(batch.index, batch.total, batch.header,
                 [batch.lines[i] for i in indexes], [batch.rows[i] for i in indexes],
                 batch.secrets)


def locate_rejections(
    endpoint: Endpoint, batch: Batch, sender: Sender, options: Options
) -> dict[int, list[str]] | None:
    """Excel row → reasons of the rows the test mode rejects; None when it could not finish."""
    if not endpoint.test_mode:
        return None
    test_options = replace(options, test=True)
    found: dict[int, list[str]] = {}
    probes = 0

    def probe(units: list[list[int]]) -> bool:
        nonlocal probes
        if probes >= MAX_PROBES:
            return False
        probes += 1
        sub = _sub_batch(batch, [i for unit in units for i in unit])
        try:
            answer = sender(endpoint, build_body(endpoint, sub, test_options))
        except AddinError:
            return False
        outcome = parse_answer(endpoint, answer, sub, test=True)
        bad = [r for r in outcome.rows if r.state in _BAD]
        if not bad:
            return True
        named = [r for r in bad if r.state != RowState.UNKNOWN]
        if len(units) == 1 or named and len(named) == len(bad):
            for r in bad:
                found[r.row] = r.reasons if r.state != RowState.UNKNOWN else []
            return True
        middle = len(units) // 2
        return probe(units[:middle]) and probe(units[middle:])

    return found if probe(_units(endpoint, batch)) else None


def apply_located(outcome: BatchOutcome, found: dict[int, list[str]]) -> BatchOutcome:
    """Replace the unidentified rows of a real import by what the test mode found.

    Rows the test rejects become rejected; the others were accepted by the same checks, so they
    are imported when the count of rejected rows then matches Gestimum's statistics.
    """
    unknown = [r for r in outcome.rows if r.state == RowState.UNKNOWN]
    expected = outcome.rejected + len([r for r in unknown if r.row in found])
    rejected_stat = _rejected_statistic(outcome)
    settle = rejected_stat is not None and rejected_stat == expected
    rows: list[RowOutcome] = []
    for r in outcome.rows:
        if r.state != RowState.UNKNOWN:
            rows.append(r)
        elif r.row in found:
            reasons = found[r.row] or ["rejet localisé en mode test"]
            rows.append(RowOutcome(r.row, RowState.REJECTED, "", reasons, NO_TEXTS, NO_TEXTS,
                                   r.line))
        elif settle:
            rows.append(RowOutcome(r.row, RowState.IMPORTED, "", NO_TEXTS, NO_TEXTS, r.pieces,
                                   r.line))
        else:
            rows.append(r)
    outcome.rows = rows
    outcome.rejected = sum(r.state == RowState.REJECTED for r in rows)
    outcome.imported = sum(r.state in (RowState.IMPORTED, RowState.WARNING) for r in rows)
    outcome.unknown = sum(r.state == RowState.UNKNOWN for r in rows)
    outcome.locate_in_test = False
    outcome.message += f" — localisation en mode test : {len(found)} ligne(s) rejetée(s)"
    if outcome.unknown == 0:
        outcome.state = "partial" if outcome.imported else "rejected"
    return outcome


def _rejected_statistic(outcome: BatchOutcome) -> int | None:
    for key, value in outcome.statistics.items():
        if "non_importees" in key or "ecritures_rejetees" in key:
            return value
    return None
