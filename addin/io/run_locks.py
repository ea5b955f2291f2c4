"""One import at a time per workbook and per company on this machine: locks kept in the run
journal, those of dead processes (or of a crashed ribbon action) cleared."""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import datetime

from addin.core.errors import RunLockedError

__all__ = ["activate", "deactivate", "take_locks"]

# Runs of this very process (the ribbon's Python lives as long as Excel): a lock it holds for a
# run that is no longer active was left by an action that crashed, not by a live import.
_ACTIVE: set[str] = set()


def activate(run_id: str) -> None:
    _ACTIVE.add(run_id)


def deactivate(run_id: str) -> None:
    _ACTIVE.discard(run_id)


def _shown(iso: str | None) -> str:
    try:
        return datetime.fromisoformat(iso or "").strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso or ""


def take_locks(db: sqlite3.Connection, run_id: str, scopes: dict[str, str], host: str,
               now: str) -> None:
    """Inside the caller's transaction: refuse while a live run holds one of `scopes`
    (scope → French label), clear stale locks, then take them all."""
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
                   (scope, run_id, os.getpid(), host, now, label))


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
