"""The run journal (sqlite3): what was sent, durably recorded before each POST and after it.

It is the source of truth for re-runs (see core/rerun.py): an intent without an answer is
"unknown". WAL + synchronous FULL, so that a committed intent survives a killed process or a
power cut. It never holds the ERP password nor any line: only keyed fingerprints, Excel rows,
states, pièce numbers, and the codes real imports created in reference endpoints (accounts,
third parties, articles… never a secret field). It also holds the locks that allow one import
at a time per workbook and per company from this machine.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from addin.core.errors import JournalError
from addin.core.outcomes import BatchOutcome
from addin.core.rerun import Intent, Known, RunInfo, Scope
from addin.io.run_locks import activate, deactivate, take_locks

__all__ = ["ENV_VAR", "RunJournal", "RunInfo", "default_path", "open_journal"]

ENV_VAR = "GESTIMUM_JOURNAL"
SCHEMA_VERSION = 2  # PRAGMA user_version of the layout below (2: codes; 1 is upgraded in place)
FILENAME = "journal.sqlite3"
# One character per row in `row_states`: a batch is one database row (fingerprints as packed
# 128-bit blobs), so that recording 100,000 rows costs a few hundred inserts, not 100,000.
_CODE = {"pending": "p", "imported": "i", "warning": "w", "rejected": "r", "unknown": "u",
         "not-sent": "n", "tested": "t", "test-rejected": "x", "blocked": "n"}
_STATE = {code: state for state, code in _CODE.items() if state != "blocked"}
# Codes a batch created, one database row per batch (one insert: the journal stays cheap).
_SEP = "\x1f"
_FP = 16  # bytes kept of each fingerprint: collisions out of reach, blobs small
_NO_KEY = "0" * 2 * _FP  # the blob of a row without an update key: 16 zero bytes
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
    run_id TEXT PRIMARY KEY, started TEXT, ended TEXT, server TEXT, fichier TEXT,
    utilisateur TEXT, workbook TEXT, os_user TEXT, host TEXT, pid INTEGER, test INTEGER,
    state TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS scopes(
    id INTEGER PRIMARY KEY, server TEXT, fichier TEXT, endpoint TEXT,
    UNIQUE (server, fichier, endpoint));
CREATE TABLE IF NOT EXISTS batches(
    id INTEGER PRIMARY KEY, run_id TEXT, sheet TEXT, batch_index INTEGER, batch_total INTEGER,
    scope INTEGER, test INTEGER, digest TEXT, sent_at TEXT, answered_at TEXT, state TEXT,
    message TEXT,
    excel_rows BLOB, fps BLOB, keys BLOB, piece_fps BLOB, row_states TEXT, row_pieces TEXT,
    UNIQUE (run_id, sheet, batch_index));
CREATE INDEX IF NOT EXISTS batches_scope ON batches(scope, test);
CREATE TABLE IF NOT EXISTS locks(
    scope TEXT PRIMARY KEY, run_id TEXT, pid INTEGER, host TEXT, started TEXT, label TEXT);
CREATE TABLE IF NOT EXISTS codes(scope INTEGER, codes TEXT);
"""
def default_path() -> Path:
    """`GESTIMUM_JOURNAL` if set, else the user's data folder (%LOCALAPPDATA% on Windows)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("gestimum-excel", appauthor=False)) / FILENAME


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _shown(iso: str | None) -> str:
    """`2026-11-30T10:02:11` → `30/11/2026 10:02` (how statuses show the date)."""
    try:
        return datetime.fromisoformat(iso or "").strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso or ""


class RunJournal:
    """The sqlite journal of one user: intents, outcomes, runs and locks."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            if new and os.name == "posix":
                os.chmod(self.path, 0o600)  # the user's own record, nobody else's
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._check_version(new)
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.salt = bytes.fromhex(self._meta_once("salt", lambda: secrets.token_hex(32)))
            self.codes_since = self._meta_once("codes_since", _now)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(
                f"Le journal des exécutions ({self.path}) est inaccessible : {exc}. Rien n'a été "
                f"envoyé. Vérifiez le dossier, ou choisissez-en un autre (variable {ENV_VAR} ou "
                "option --journal).", detail=str(exc),
            ) from exc

    def _check_version(self, new: bool) -> None:
        """Refuse a journal written by a newer gestimum-excel (its records would be misread)."""
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"Le journal des exécutions ({self.path}) a été écrit par une version plus récente "
                "de gestimum-excel : mettez le complément à jour. Rien n'a été envoyé."
            )
        tables = {name for (name,) in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        if not new and version == 0 and tables - {"meta"}:
            # A pre-release layout: never mixed with the current one, never silently dropped.
            raise JournalError(
                f"Le journal des exécutions ({self.path}) a un format d'essai antérieur à la "
                "version 0.2 : renommez-le (ou choisissez un autre fichier avec la variable "
                f"{ENV_VAR} ou l'option --journal). Rien n'a été envoyé."
            )

    # -- plumbing ----------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RunJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One durable transaction; any sqlite failure becomes a French JournalError."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(
                f"Écriture impossible dans le journal des exécutions ({self.path}) : {exc}.",
                detail=str(exc),
            ) from exc

    def _meta_once(self, key: str, make: Any) -> str:
        """A meta value set once (the first writer wins), e.g. the salt."""
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        if row is None:
            with self._write() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, make()))
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0])

    # -- runs and locks ----------------------------------------------------------------------

    def begin(self, run: RunInfo) -> None:
        """Record the run and take its locks (workbook, company); refuse while another holds one."""
        scopes = {
            f"classeur:{os.path.normcase(run.workbook)}": f"le classeur {Path(run.workbook).name}",
            f"société:{run.server}|{run.fichier.casefold()}": f"la société {run.fichier}",
        }
        host = socket.gethostname()
        with self._write() as db:
            take_locks(db, run.run_id, scopes, host, _now())
            db.execute(
                "INSERT INTO runs VALUES (?,?,NULL,?,?,?,?,?,?,?,?,'en cours','')",
                (run.run_id, _now(), run.server, run.fichier, run.utilisateur, run.workbook,
                 run.os_user, host, os.getpid(), int(run.test)),
            )
        activate(run.run_id)

    def end(self, run_id: str, state: str, message: str = "") -> None:
        """Close the run and release its locks (also after a failure)."""
        deactivate(run_id)
        with self._write() as db:
            db.execute("UPDATE runs SET ended=?, state=?, message=? WHERE run_id=?",
                       (_now(), state, message[:500], run_id))
            db.execute("DELETE FROM locks WHERE run_id=?", (run_id,))

    # -- what the pipeline records -----------------------------------------------------------

    def _scope_id(self, db: sqlite3.Connection, scope: Scope, *, create: bool) -> int | None:
        if create:
            db.execute("INSERT OR IGNORE INTO scopes(server, fichier, endpoint) VALUES (?,?,?)",
                       (scope.server, scope.fichier, scope.endpoint))
        row = db.execute("SELECT id FROM scopes WHERE server=? AND fichier=? AND endpoint=?",
                         (scope.server, scope.fichier, scope.endpoint)).fetchone()
        return row[0] if row else None

    def record_intent(self, intent: Intent) -> None:
        """Before the POST: the batch with each row's Excel row and fingerprints, and each
        pièce's, every row "pending" (that is, unknown until the answer is recorded)."""
        prints = intent.prints
        pieces, last = [], None
        for p in prints:
            if p.group != last:
                pieces.append(p.piece)
                last = p.group
        with self._write() as db:
            scope = self._scope_id(db, intent.scope, create=True)
            db.execute(
                "INSERT OR REPLACE INTO batches(run_id, sheet, batch_index, batch_total, scope, "
                "test, digest, sent_at, state, message, excel_rows, fps, keys, piece_fps, "
                "row_states, row_pieces) VALUES (?,?,?,?,?,?,?,?,'pending','',?,?,?,?,?,'')",
                (intent.run_id, intent.sheet, intent.batch_index, intent.batch_total, scope,
                 int(intent.test), intent.digest, _now(),
                 array("I", (p.row for p in prints)).tobytes(),
                 _blobs(p.fp for p in prints),
                 _blobs(p.key or _NO_KEY for p in prints),
                 _blobs(pieces), "p" * len(prints)),
            )

    def record_outcome(self, intent: Intent, outcome: BatchOutcome) -> None:
        """After the answer: each row's outcome and pièce numbers."""
        rows = outcome.rows
        if len(rows) == len(intent.prints) and all(  # the usual answer: rows in line order
            r.line == n and r.row == p.row
            for n, (r, p) in enumerate(zip(rows, intent.prints, strict=True), start=1)
        ):
            in_order: list[Any] = list(rows)
        else:
            by_line = {r.line: r for r in rows if r.line is not None}
            by_row = {r.row: r for r in rows}
            in_order = [by_line.get(n) or by_row.get(p.row)
                        for n, p in enumerate(intent.prints, start=1)]
        codes = _CODE.get  # states are str enums: they find their code as they are
        states = [codes(r.state, "u") if r is not None else "u" for r in in_order]
        pieces = {n: r.pieces for n, r in enumerate(in_order, start=1)
                  if r is not None and r.pieces}
        # The codes real imports created in reference endpoints: what `check` knows later.
        created = [] if intent.test else [
            intent.codes[p.row] for p, code in zip(intent.prints, states, strict=True)
            if code in "iw" and p.row in intent.codes]
        with self._write() as db:
            db.execute(
                "UPDATE batches SET answered_at=?, state=?, message=?, row_states=?, "
                "row_pieces=? WHERE run_id=? AND sheet=? AND batch_index=?",
                (_now(), outcome.state, outcome.message[:500], "".join(states),
                 json.dumps(pieces) if pieces else "", intent.run_id, intent.sheet,
                 intent.batch_index),
            )
            if created:
                scope = self._scope_id(db, intent.scope, create=True)
                db.execute("INSERT INTO codes VALUES (?,?)", (scope, _SEP.join(created)))

    # -- what re-runs consult ----------------------------------------------------------------

    def _live_rows(self, scope: Scope, column: str) -> Iterator[tuple[bytes, str, str, str, str]]:
        """(fingerprint or key, state code, sent_at, run id, pièces) of every real row sent
        into `scope` whose content may be in Gestimum (imported, or outcome unknown)."""
        scope_id = self._scope_id(self._db, scope, create=False)
        if scope_id is None:  # nothing ever sent there: the first import pays nothing
            return
        for blob, states, sent_at, run_id, row_pieces in self._db.execute(
            f"SELECT {column}, row_states, sent_at, run_id, row_pieces FROM batches "
            "WHERE scope=? AND test=0", (scope_id,)
        ):
            if not any(c in states for c in "iwpu"):
                continue
            pieces = json.loads(row_pieces) if row_pieces else {}
            for n, code in enumerate(states, start=1):
                if code in "iwpu":
                    yield (blob[(n - 1) * _FP:n * _FP], code, sent_at or "", run_id,
                           ",".join(pieces.get(str(n), ())))

    def lookup(self, scope: Scope, fps: Iterable[str]) -> dict[str, Known]:
        """For each fingerprint imported or sent without a sure outcome (real runs only)."""
        if self._scope_id(self._db, scope, create=False) is None:
            return {}  # nothing ever sent there: the first import pays nothing
        by_blob = {_blob(fp): fp for fp in fps}
        found: dict[bytes, tuple[int, str, Known]] = {}
        for fp, code, sent_at, run_id, pieces in self._live_rows(scope, "fps"):
            if fp not in by_blob:
                continue
            imported = code in "iw"
            rank = (2 if imported else 1, sent_at)
            previous = found.get(fp)
            if previous is None or rank > (previous[0], previous[1]):
                known = Known("imported" if imported else "unknown", _shown(sent_at), run_id,
                              tuple(p for p in pieces.split(",") if p))
                found[fp] = (rank[0], rank[1], known)
        return {by_blob[fp]: known for fp, (_, _, known) in found.items()}

    def imported_keys(self, scope: Scope, keys: Iterable[str]) -> set[str]:
        """The update keys (fingerprints) already imported into this scope."""
        if self._scope_id(self._db, scope, create=False) is None:
            return set()
        by_blob = {_blob(k): k for k in keys if k}
        return {by_blob[key] for key, code, *_ in self._live_rows(scope, "keys")
                if code in "iw" and key in by_blob}

    def known_codes(self, server: str, fichier: str,
                    endpoints: Iterable[str]) -> dict[str, set[str]] | None:
        """Endpoint → upper-cased codes real imports from this machine created in that company;
        None if incomplete: no import there, or imports made before codes were recorded."""
        names = sorted(set(endpoints))
        rows = self._db.execute(
            "SELECT s.endpoint, b.sent_at FROM batches b JOIN scopes s ON b.scope=s.id "
            "WHERE s.server=? AND s.fichier=? AND b.test=0 "
            "AND (instr(b.row_states, 'i') OR instr(b.row_states, 'w'))",
            (server, fichier)).fetchall()
        if not rows or any(e in names and (at or "") < self.codes_since for e, at in rows):
            return None
        out: dict[str, set[str]] = {name: set() for name in names}
        for endpoint, codes in self._db.execute(
            "SELECT s.endpoint, c.codes FROM codes c JOIN scopes s ON c.scope=s.id "
            "WHERE s.server=? AND s.fichier=?", (server, fichier)):
            out.setdefault(endpoint, set()).update(codes.upper().split(_SEP))
        return out

    # -- what users list ---------------------------------------------------------------------

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first, with their row counts by state."""
        runs = self._db.execute(
            "SELECT run_id, started, ended, server, fichier, utilisateur, workbook, test, state, "
            "message FROM runs ORDER BY started DESC, run_id DESC LIMIT ?", (limit,)
        ).fetchall()
        out = []
        for r in runs:
            item = dict(zip(("run_id", "started", "ended", "server", "fichier", "utilisateur",
                             "workbook", "test", "state", "message"), r, strict=True))
            counts: dict[str, int] = {}
            for (states,) in self._db.execute(
                "SELECT row_states FROM batches WHERE run_id=?", (r[0],)
            ):
                for code in states:
                    counts[_STATE[code]] = counts.get(_STATE[code], 0) + 1
            item["rows"] = counts
            out.append(item)
        return out

    def run(self, run_id: str) -> dict[str, Any] | None:
        """One run (an id or a unique prefix): its batches and each row's outcome."""
        matches = self._db.execute(
            "SELECT run_id FROM runs WHERE run_id LIKE ? ORDER BY run_id", (run_id + "%",)
        ).fetchall()
        if len(matches) != 1:
            return None
        full = matches[0][0]
        item = next(r for r in self.runs(limit=1_000_000) if r["run_id"] == full)
        item["batches"], item["row_states"] = [], []
        for sheet, index, total, sent_at, answered_at, state, message, rows, states, pieces in (
            self._db.execute(
                "SELECT sheet, batch_index, batch_total, sent_at, answered_at, state, message, "
                "excel_rows, row_states, row_pieces FROM batches WHERE run_id=? "
                "ORDER BY sheet, batch_index", (full,))
        ):
            item["batches"].append({
                "sheet": sheet, "batch_index": index, "batch_total": total, "sent_at": sent_at,
                "answered_at": answered_at, "state": state, "message": message,
            })
            by_line = json.loads(pieces) if pieces else {}
            for n, (row, code) in enumerate(zip(array("I", rows), states, strict=True), 1):
                item["row_states"].append({"sheet": sheet, "excel_row": row,
                                           "state": _STATE[code],
                                           "pieces": ",".join(by_line.get(str(n), ()))})
        return item


def _blobs(fingerprints: Iterable[str]) -> bytes:
    """`_blob` of each fingerprint, end to end: one C call for a whole batch."""
    hexes = list(fingerprints)
    if set(map(len, hexes)) != {2 * _FP}:  # longer or shorter ones: one at a time, as before
        return b"".join(_blob(h) for h in hexes)
    return bytes.fromhex("".join(hexes))


def _blob(fingerprint: str) -> bytes:
    """The first 128 bits of a hex fingerprint: collisions stay out of reach, blobs small."""
    return bytes.fromhex(fingerprint[: 2 * _FP])


def open_journal(path: str | os.PathLike[str] | None = None) -> RunJournal:
    """The journal at `path`, else `GESTIMUM_JOURNAL`, else the user's data folder."""
    return RunJournal(Path(path) if path else None)
