"""The run journal (sqlite3): what was sent, durably recorded before each POST and after it.

It is the source of truth for re-runs (see core/rerun.py): an intent without an answer is
"unknown". WAL + synchronous FULL, so that a committed intent survives a killed process or a
power cut. It never holds the ERP password nor any line: only keyed fingerprints, Excel rows,
states and pièce numbers. It also holds the locks that allow one import at a time per workbook
and per company from this machine.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from addin.core.errors import JournalError, RunLockedError
from addin.core.outcomes import BatchOutcome
from addin.core.rerun import Intent, Known, RunInfo, Scope

__all__ = ["ENV_VAR", "RunJournal", "RunInfo", "default_path", "open_journal"]

ENV_VAR = "GESTIMUM_JOURNAL"
FILENAME = "journal.sqlite3"
_CHUNK = 500  # fingerprints per IN (…) query: well below SQLite's variable limit
_LIVE = ("imported", "warning", "pending", "unknown")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
    run_id TEXT PRIMARY KEY, started TEXT, ended TEXT, server TEXT, fichier TEXT,
    utilisateur TEXT, workbook TEXT, os_user TEXT, host TEXT, pid INTEGER, test INTEGER,
    state TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS batches(
    run_id TEXT, sheet TEXT, endpoint TEXT, batch_index INTEGER, batch_total INTEGER,
    digest TEXT, test INTEGER, sent_at TEXT, answered_at TEXT, state TEXT, message TEXT,
    PRIMARY KEY (run_id, sheet, batch_index));
CREATE TABLE IF NOT EXISTS rows(
    run_id TEXT, sheet TEXT, batch_index INTEGER, line INTEGER, excel_row INTEGER,
    server TEXT, fichier TEXT, endpoint TEXT, test INTEGER, fp TEXT, piece TEXT, key TEXT,
    state TEXT, pieces TEXT, sent_at TEXT,
    PRIMARY KEY (run_id, sheet, batch_index, line));
CREATE INDEX IF NOT EXISTS rows_fp ON rows(fp);
CREATE INDEX IF NOT EXISTS rows_key ON rows(key);
CREATE TABLE IF NOT EXISTS locks(
    scope TEXT PRIMARY KEY, run_id TEXT, pid INTEGER, host TEXT, started TEXT, label TEXT);
"""
# Runs of this very process (the ribbon's Python lives as long as Excel): a lock it holds for a
# run that is no longer active was left by an action that crashed, not by a live import.
_ACTIVE: set[str] = set()


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


def _pid_alive(pid: int) -> bool:
    """Whether process `pid` still runs on this machine (never signals it on Windows)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFO
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


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
            self._db.executescript(_SCHEMA)
            self.salt = self._salt()
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(
                f"Le journal des exécutions ({self.path}) est inaccessible : {exc}. Rien n'a été "
                f"envoyé. Vérifiez le dossier, ou choisissez-en un autre (variable {ENV_VAR} ou "
                "option --journal).", detail=str(exc),
            ) from exc

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

    def _salt(self) -> bytes:
        row = self._db.execute("SELECT value FROM meta WHERE key='salt'").fetchone()
        if row is None:
            with self._write() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)",
                           (secrets.token_hex(32),))
            row = self._db.execute("SELECT value FROM meta WHERE key='salt'").fetchone()
        return bytes.fromhex(row[0])

    # -- runs and locks ----------------------------------------------------------------------

    def begin(self, run: RunInfo) -> None:
        """Record the run and take its locks (workbook, company); refuse while another holds one."""
        scopes = {
            f"classeur:{os.path.normcase(run.workbook)}": f"le classeur {Path(run.workbook).name}",
            f"société:{run.server}|{run.fichier.casefold()}": f"la société {run.fichier}",
        }
        host = socket.gethostname()
        with self._write() as db:
            for scope, label in scopes.items():
                held = db.execute(
                    "SELECT run_id, pid, host, started FROM locks WHERE scope=?", (scope,)
                ).fetchone()
                if held is None:
                    continue
                other, pid, other_host, started = held
                stale = other_host == host and (
                    not _pid_alive(pid) or (pid == os.getpid() and other not in _ACTIVE)
                )
                if not stale:
                    raise RunLockedError(
                        f"Un autre import vers {label} est en cours sur ce poste (exécution "
                        f"{other}, démarrée le {_shown(started)}) : attendez qu'il se termine, "
                        "puis relancez. Rien n'a été envoyé."
                    )
                db.execute("DELETE FROM locks WHERE scope=?", (scope,))
            for scope, label in scopes.items():
                db.execute("INSERT INTO locks VALUES (?,?,?,?,?,?)",
                           (scope, run.run_id, os.getpid(), host, _now(), label))
            db.execute(
                "INSERT INTO runs VALUES (?,?,NULL,?,?,?,?,?,?,?,?,'en cours','')",
                (run.run_id, _now(), run.server, run.fichier, run.utilisateur, run.workbook,
                 run.os_user, host, os.getpid(), int(run.test)),
            )
        _ACTIVE.add(run.run_id)

    def end(self, run_id: str, state: str, message: str = "") -> None:
        """Close the run and release its locks (also after a failure)."""
        _ACTIVE.discard(run_id)
        with self._write() as db:
            db.execute("UPDATE runs SET ended=?, state=?, message=? WHERE run_id=?",
                       (_now(), state, message[:500], run_id))
            db.execute("DELETE FROM locks WHERE run_id=?", (run_id,))

    # -- what the pipeline records -----------------------------------------------------------

    def record_intent(self, intent: Intent) -> None:
        """Before the POST: the batch and each of its rows, as "pending" (unknown if no answer)."""
        now = _now()
        s = intent.scope
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO batches VALUES (?,?,?,?,?,?,?,?,NULL,'pending','')",
                (intent.run_id, intent.sheet, s.endpoint, intent.batch_index, intent.batch_total,
                 intent.digest, int(intent.test), now),
            )
            db.executemany(
                "INSERT OR REPLACE INTO rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'pending','',?)",
                [(intent.run_id, intent.sheet, intent.batch_index, n, p.row, s.server, s.fichier,
                  s.endpoint, int(intent.test), p.fp, p.piece, p.key, now)
                 for n, p in enumerate(intent.prints, start=1)],
            )

    def record_outcome(self, intent: Intent, outcome: BatchOutcome) -> None:
        """After the answer: each row's outcome and pièce numbers."""
        by_line = {r.line: r for r in outcome.rows if r.line is not None}
        by_row = {r.row: r for r in outcome.rows}
        values = []
        for n, p in enumerate(intent.prints, start=1):
            r = by_line.get(n) or by_row.get(p.row)
            state = _journal_state(r.state if r is not None else "unknown")
            pieces = ",".join(r.pieces) if r is not None else ""
            values.append((state, pieces, intent.run_id, intent.sheet, intent.batch_index, n))
        with self._write() as db:
            db.executemany(
                "UPDATE rows SET state=?, pieces=? "
                "WHERE run_id=? AND sheet=? AND batch_index=? AND line=?", values)
            db.execute(
                "UPDATE batches SET answered_at=?, state=?, message=? "
                "WHERE run_id=? AND sheet=? AND batch_index=?",
                (_now(), outcome.state, outcome.message[:500], intent.run_id, intent.sheet,
                 intent.batch_index),
            )

    # -- what re-runs consult ----------------------------------------------------------------

    def lookup(self, scope: Scope, fps: Iterable[str]) -> dict[str, Known]:
        """For each fingerprint imported or sent without a sure outcome (real runs only)."""
        found: dict[str, tuple[int, str, Known]] = {}
        wanted = list(dict.fromkeys(fps))
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for fp, state, sent_at, run_id, pieces in self._db.execute(
                f"SELECT fp, state, sent_at, run_id, pieces FROM rows WHERE fp IN ({marks}) "
                "AND test=0 AND server=? AND fichier=? AND endpoint=? "
                f"AND state IN ({','.join('?' * len(_LIVE))})",
                (*chunk, scope.server, scope.fichier, scope.endpoint, *_LIVE),
            ):
                imported = state in ("imported", "warning")
                rank = (2 if imported else 1, sent_at or "")
                previous = found.get(fp)
                if previous is None or rank > (previous[0], previous[1]):
                    known = Known("imported" if imported else "unknown", _shown(sent_at), run_id,
                                  tuple(p for p in (pieces or "").split(",") if p))
                    found[fp] = (rank[0], rank[1], known)
        return {fp: known for fp, (_, _, known) in found.items()}

    def imported_keys(self, scope: Scope, keys: Iterable[str]) -> set[str]:
        """The update keys (fingerprints) already imported into this scope."""
        wanted = [k for k in dict.fromkeys(keys) if k]
        out: set[str] = set()
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            out.update(k for (k,) in self._db.execute(
                f"SELECT DISTINCT key FROM rows WHERE key IN ({marks}) AND test=0 AND server=? "
                "AND fichier=? AND endpoint=? AND state IN ('imported','warning')",
                (*chunk, scope.server, scope.fichier, scope.endpoint),
            ))
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
            item["rows"] = dict(self._db.execute(
                "SELECT state, COUNT(*) FROM rows WHERE run_id=? GROUP BY state", (r[0],)
            ).fetchall())
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
        item["batches"] = [
            dict(zip(("sheet", "endpoint", "batch_index", "batch_total", "sent_at", "answered_at",
                      "state", "message"), b, strict=True))
            for b in self._db.execute(
                "SELECT sheet, endpoint, batch_index, batch_total, sent_at, answered_at, state, "
                "message FROM batches WHERE run_id=? ORDER BY sheet, batch_index", (full,))
        ]
        item["row_states"] = [
            dict(zip(("sheet", "excel_row", "state", "pieces"), r, strict=True))
            for r in self._db.execute(
                "SELECT sheet, excel_row, state, pieces FROM rows WHERE run_id=? "
                "ORDER BY sheet, batch_index, line", (full,))
        ]
        return item


def _journal_state(state: str) -> str:
    """A row state as the journal keeps it: a refused or never-sent row imported nothing."""
    return {"blocked": "not-sent"}.get(str(state), str(state))


def open_journal(path: str | os.PathLike[str] | None = None) -> RunJournal:
    """The journal at `path`, else `GESTIMUM_JOURNAL`, else the user's data folder."""
    return RunJournal(Path(path) if path else None)
