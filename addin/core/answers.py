"""Gestimum answers → per-row truth: statistics, journal messages, created pièces (stdlib only).

Line-level rejections never change `resultat` (documented): the truth is in the statistics and
the journal, whose `La ligne N …` messages count the DATA lines of the batch from 1.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

from addin.core.answer_journal import ParsedJournal, parse_journal, split_fields
from addin.core.errors import (
    CHECK_IN_GESTIMUM,
    ImportServerError,
    InvalidImportAnswerError,
    ServerError,
)
from addin.core.excel_rows import cite_excel_rows
from addin.core.missing_code import explain_missing_code
from addin.core.outcomes import (
    NO_TEXTS,
    BatchOutcome,
    RowOutcome,
    SharedList,
    blocked_row,
    numbered,
    refused_outcome,
    unknown_outcome,
)
from addin.core.status import RowState, status_text

__all__ = [
    "REFUSALS",
    "BatchOutcome",
    "RowOutcome",
    "RowState",
    "blocked_row",
    "parse_answer",
    "refusal_reason",
    "refused_outcome",
    "unknown_outcome",
]

NO_REASON = "motif non précisé par Gestimum"
UNIDENTIFIED = "rejet possible non identifié par le journal"
_OK_RESULTS = {"succes", "success", "ok", "termine", "reussi"}


def parse_answer(
    endpoint: Any,
    answer: Mapping[str, Any],
    batch: Any,
    *,
    test: bool | None = None,
    groups: Sequence[Sequence[int]] | None = None,
) -> BatchOutcome:
    """Turn one decoded answer into a `BatchOutcome` (rows in `batch.rows` order).

    `groups` (0-based line indexes per pièce) defaults to `batch.groups`, else is computed from
    the lines and `endpoint.grouping`; `test` defaults to `batch.test`.
    """
    if test is None:
        test = bool(getattr(batch, "test", False))
    rows: list[int] = list(batch.rows)
    body = _unwrap(answer)
    resultat = str(body.get("resultat", ""))
    server_message = str(body.get("message", ""))
    journal = _journal_lines(body.get("journal"))
    stats = _statistics(body.get("statistiques"))
    parsed = parse_journal(journal, list(getattr(batch, "lines", []) or []), endpoint, len(rows))

    imported_n, rejected_n = _counts(stats, parsed)
    sent = len(rows)
    doubt = _doubt(imported_n, rejected_n, sent, parsed, positional=bool(
        getattr(endpoint, "positional", False)))
    if doubt and not parsed.rejected:
        if imported_n is None and resultat and _normalise(resultat) not in _OK_RESULTS:
            doubt = f"Gestimum a répondu « {resultat} » {server_message}".strip()
        return unknown_outcome(batch, doubt, test=test, journal=journal, resultat=resultat)

    identified = {n: r for n, r in parsed.rejected.items() if 1 <= n <= sent}
    remaining = sent - len(identified)
    # imported counts decide what happened to the rows the journal does not name.
    if doubt or imported_n is None:
        rest = "unknown"
    elif imported_n >= remaining:
        rest = "ok"
    elif imported_n == 0:
        rest = "rejected"
    else:
        rest = "unknown"

    ok_state = RowState.TESTED if test else RowState.IMPORTED
    bad_state = RowState.TEST_REJECTED if test else RowState.REJECTED
    outcomes: list[RowOutcome] = []
    kinds: list[str] = []
    # Rows with nothing particular share their lists and status text, made once per batch.
    no_reason, unidentified = SharedList((NO_REASON,)), SharedList((UNIDENTIFIED,))
    shared: dict[tuple[str, int], str] = {}
    for n, excel_row in numbered(rows):
        found = parsed.warnings.get(n)
        warnings = [cite_excel_rows(w, rows) for w in found] if found else NO_TEXTS
        if n in identified:
            kind = "rejected"
            line = batch.lines[n - 1] if n <= len(getattr(batch, "lines", ())) else ""
            reasons = [cite_excel_rows(explain_missing_code(r, endpoint, batch.header, line),
                                       rows) for r in identified[n]] or no_reason
        else:
            kind, reasons = rest, (no_reason if rest == "rejected" else NO_TEXTS)
        kinds.append(kind)
        if kind == "ok":
            state = RowState.WARNING if warnings and not test else ok_state
        elif kind == "rejected":
            state = bad_state
        else:
            state, reasons = RowState.UNKNOWN, unidentified
        text = ""  # made by RowOutcome
        if warnings is NO_TEXTS and reasons.__class__ is SharedList:
            key = (state, id(reasons))
            text = shared.get(key) or shared.setdefault(key, status_text(state, reasons))
        outcomes.append(RowOutcome(excel_row, state, text, reasons, warnings, NO_TEXTS, n))

    pieces_by_row = _attribute_pieces(parsed.pieces, kinds, _groups(batch, endpoint, groups))
    texts: dict[tuple[str, int], str] = {}  # the status of a pièce's plain rows, made once
    for outcome in outcomes:
        pieces = pieces_by_row.get(outcome.line)  # type: ignore[arg-type]
        if pieces is None:
            continue
        outcome.pieces = pieces
        if outcome.reasons or outcome.warnings:
            outcome.text = status_text(outcome.state, outcome.reasons, outcome.warnings, pieces)
        else:
            key = (outcome.state, id(pieces))
            if key not in texts:
                texts[key] = status_text(outcome.state, pieces=pieces)
            outcome.text = texts[key]

    locate = rest == "unknown" and bool(getattr(endpoint, "test_mode", False))
    extra = max((rejected_n or 0) - len(identified), 0) if rest == "unknown" else 0
    return _summarise(
        outcomes, parsed, locate, extra, test=test, journal=journal, statistics=stats,
        resultat=resultat, server_message=server_message,
    )  # fmt: skip


# Request-level refusals that happen before Gestimum processes any line: nothing was imported.
# Matched on the folded message, because DataSnap may answer them all with HTTP 500.
REFUSALS: tuple[tuple[str, str], ...] = (
    ("motdepasse", "mot de passe refusé par Gestimum"),
    ("inconnuoumotdepasse", "utilisateur ou mot de passe refusé par Gestimum"),
    ("fichierdeconnexion", "société introuvable sur le serveur"),
    ("societeinconnue", "société introuvable sur le serveur"),
    ("modeexclusif", "société occupée (mode exclusif)"),
    ("dejaconnecte", "utilisateur déjà connecté à la société"),
    ("occupeeparuneautretache", "société occupée par une autre tâche"),
    ("licence", "licence refusée par Gestimum"),
)
_MALFORMED_STATUSES = {400, 404, 405, 411, 413}


def refusal_reason(status: int | None, message: str) -> str | None:
    """Why Gestimum refused a request before processing it, or None when it may have imported.

    After an import POST, only a recognised refusal proves that nothing was imported; any other
    error (a 5xx above all) leaves the outcome unknown.
    """
    key = _normalise(message)
    for needle, reason in REFUSALS:
        if needle in key:
            return reason
    if status is not None and (status in _MALFORMED_STATUSES or status in (403, 409)):
        return "requête refusée par Gestimum avant tout traitement"
    return None


def compute_groups(
    endpoint: Any, header: str | None, lines: Sequence[str]
) -> list[list[int]] | None:
    """0-based line indexes per pièce: a new pièce starts when a grouping field changes."""
    grouping = getattr(endpoint, "grouping", None)
    if not grouping or not header:
        return None
    separator = getattr(endpoint, "separator", None) or ";"
    codes = [c.strip().upper() for c in split_fields(header, separator)]
    positions = [codes.index(g) for g in grouping if g in codes]
    groups: list[list[int]] = []
    previous: tuple[str, ...] | None = None
    for i, line in enumerate(lines):
        values = split_fields(line, separator)
        current = tuple(values[p].strip() if p < len(values) else "" for p in positions)
        if current != previous:
            groups.append([])
            previous = current
        groups[-1].append(i)
    return groups


# -- answer shape -------------------------------------------------------------------------


def _unwrap(answer: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object inside `{"result": [ … ]}`; tolerates the bare object too."""
    if not isinstance(answer, Mapping):
        raise InvalidImportAnswerError(detail=f"type {type(answer).__name__}")
    if "error" in answer:
        message = str(answer["error"])
        reason = refusal_reason(None, message)
        if reason is None:  # after the POST, an error that does not prove nothing was imported
            raise ImportServerError(
                f"Gestimum a répondu par une erreur pendant l'import ({message}) : "
                f"{CHECK_IN_GESTIMUM}.", server_message=message)
        raise ServerError(f"{reason} : {message}", server_message=message)
    result = answer.get("result", answer)
    if isinstance(result, list):
        result = next((item for item in result if isinstance(item, Mapping)), None)
    if not isinstance(result, Mapping) or not (
        {"resultat", "statistiques", "journal", "message"} & set(result)
    ):
        raise InvalidImportAnswerError(detail="ni result, ni resultat, ni statistiques")
    return result


def _journal_lines(raw: object) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [line for line in raw.splitlines() if line.strip()]
    if isinstance(raw, list | tuple):
        return [str(line) for line in raw if line is not None and str(line).strip()]
    return [str(raw)]


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() or c == "_").lower()


def _statistics(raw: object) -> dict[str, int]:
    """Statistics with accent-free lower-case keys and int values (strings in the docs)."""
    if isinstance(raw, str):  # the Statistiques.txt INI text itself
        raw = dict(
            line.split("=", 1) for line in raw.splitlines() if "=" in line and "[" not in line
        )
    if not isinstance(raw, Mapping):
        return {}
    stats: dict[str, int] = {}
    for key, value in raw.items():
        number = _to_int(value)
        if number is not None:
            stats[_normalise(str(key))] = number
    return stats


def _to_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = re.fullmatch(r"\s*(\d+)(?:[.,]0+)?\s*", str(value))
    return int(match.group(1)) if match else None


def _counts(stats: dict[str, int], parsed: ParsedJournal) -> tuple[int | None, int | None]:
    """(imported, rejected) from the statistics, else from the journal's own counts."""
    if "nombre_lignes_importees" in stats or "nombre_lignes_non_importees" in stats:
        return stats.get("nombre_lignes_importees"), stats.get("nombre_lignes_non_importees")
    imported = [v for k, v in stats.items() if k.startswith("nombre_lignes_") and "import" in k]
    rejected = [v for k, v in stats.items() if k.startswith("nombre_lignes_") and "rejet" in k]
    if imported or rejected:  # Ecritures: entries, due dates and analytic lines all count
        return sum(imported), sum(rejected)
    return parsed.imported, parsed.not_imported


def _doubt(
    imported: int | None, rejected: int | None, sent: int, parsed: ParsedJournal, *,
    positional: bool,
) -> str | None:
    """Why the answer does not prove what happened to the rows it does not name, or None."""
    if imported is None:
        return "la réponse ne dit pas combien de lignes ont été importées"
    if imported > sent:
        return f"Gestimum annonce {imported} lignes importées pour {sent} envoyées"
    if imported == 0 and parsed.pieces:
        return "les statistiques disent 0 ligne importée mais le journal cite des pièces créées"
    if not positional and rejected is not None and imported + rejected != sent:
        return (f"les statistiques ({imported} importée(s), {rejected} rejetée(s)) ne "
                f"correspondent pas aux {sent} lignes envoyées")
    return None


def _groups(
    batch: Any, endpoint: Any, groups: Sequence[Sequence[int]] | None
) -> list[list[int]] | None:
    if groups is None:
        groups = getattr(batch, "groups", None)
    if groups is not None:
        return [list(g) for g in groups]
    return compute_groups(endpoint, getattr(batch, "header", None), list(batch.lines))


def _attribute_pieces(
    pieces: list[str], kinds: list[str], groups: list[list[int]] | None
) -> dict[int, list[str]]:
    """Line number → pièces: the k-th pièce created belongs to the k-th document not rejected."""
    if not pieces or not groups:
        return {}
    created = [g for g in groups if any(kinds[i] == "ok" for i in g if i < len(kinds))]
    if any(kinds[i] == "unknown" for g in groups for i in g if i < len(kinds)):
        return {}  # cannot tell which documents were created
    if len(created) != len(pieces):
        return {}  # journal and documents disagree: keep the pièces at batch level only
    return {i + 1: shared for group, piece in zip(created, pieces, strict=True)
            for shared in (SharedList((piece,)),) for i in group}  # one list per pièce


def _summarise(
    rows: list[RowOutcome], parsed: ParsedJournal, locate: bool, extra: int, **fields: Any
) -> BatchOutcome:
    ok = {RowState.IMPORTED, RowState.WARNING, RowState.TESTED}
    states = Counter(map(attrgetter("state"), rows))
    n_ok = sum(states[s] for s in ok)
    n_bad = states[RowState.REJECTED] + states[RowState.TEST_REJECTED]
    n_unknown = states[RowState.UNKNOWN]
    n_warned = sum(1 for r in rows if r.warnings and r.state in ok)
    state = "unknown" if n_unknown else "ok" if not n_bad else "rejected" if not n_ok else "partial"
    message = _message(state, fields["test"], len(rows), n_ok, n_bad, n_unknown, n_warned, extra)
    if parsed.pieces:
        label = "pièce créée" if len(parsed.pieces) == 1 else "pièces créées"
        message += f" — {label} : {', '.join(parsed.pieces)}"
    if locate:
        message += " ; le mode test peut les localiser en découpant le lot"
    return BatchOutcome(
        state, n_ok, n_bad, n_warned, list(parsed.pieces), fields.pop("journal"), rows, message,
        sent=len(rows), unknown=n_unknown, warnings=list(parsed.free_warnings),
        locate_in_test=locate, **fields,
    )  # fmt: skip


def _s(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _message(
    state: str, test: bool, sent: int, ok: int, bad: int, unknown: int, warned: int, extra: int
) -> str:
    """French summary of a batch for the Résultats sheet."""
    warn = f", {_s(warned, 'ligne')} avec avertissement" if warned else ""
    nothing = " (rien importé)" if test else ""
    if state == "ok":
        valid = "valides" if sent > 1 else "valide"
        return (
            f"Test OK : {_s(sent, 'ligne')} {valid}{warn}{nothing}"
            if test
            else (f"Importé : {_s(sent, 'ligne')}{warn}")
        )
    rejected = f"{_s(bad, 'ligne')} {'rejetées' if bad > 1 else 'rejetée'} sur {sent}"
    if state == "unknown":
        head = f"À vérifier : {_s(unknown, 'ligne')} sur {sent} ({extra} rejet(s) non identifié(s)"
        head += f" par le journal{'; ' + rejected if bad else ''})"
    elif test:
        head = f"Test : {rejected}"
    elif state == "rejected":
        head = f"Rejeté : {rejected}"
    else:
        head = f"Import partiel : {ok} sur {sent} {'importées' if ok > 1 else 'importée'}, {bad}"
        head += f" {'rejetées' if bad > 1 else 'rejetée'}"
    return head + nothing + warn
