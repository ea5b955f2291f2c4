"""The user's own files (platformdirs): servers confirmed on this machine, Excel's saved state.

Known servers live in a plain text file, one server per line (`#` starts a comment), so that an
IT department can deploy it; lines are compared by origin (`addin.core.trust.origin`). Nothing a
workbook says is written here without the user's say-so.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from addin.core import trust

__all__ = [
    "KNOWN_SERVERS_FILE",
    "clear_state",
    "config_dir",
    "known_servers",
    "known_servers_path",
    "read_state",
    "remember_server",
    "write_state",
]

log = logging.getLogger(__name__)

APP = "gestimum-excel"
KNOWN_SERVERS_FILE = "serveurs-connus.txt"
_STATE_FILE = "excel-en-cours.json"
_HEADER = (
    "# Serveurs Gestimum reconnus sur ce poste (un par ligne). Un classeur qui en désigne un\n"
    "# autre demande une confirmation avant d'envoyer le mot de passe.\n"
)


def config_dir() -> Path:
    """The user's configuration folder (e.g. %LOCALAPPDATA%\\gestimum-excel on Windows)."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def _state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def known_servers_path() -> Path:
    return config_dir() / KNOWN_SERVERS_FILE


def known_servers() -> frozenset[str]:
    """Origins of the servers confirmed (or typed) on this machine; empty if none or unreadable."""
    try:
        text = known_servers_path().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(trust.origin(line) for line in lines if line)


def remember_server(url: str) -> bool:
    """Add a server to the known ones (no-op when already there); False if it cannot be saved.

    Failing to save only means the user is asked again next time: never a reason to stop a run.
    """
    entry = trust.origin(url)
    if entry in known_servers():
        return True
    path = known_servers_path()
    try:
        current = path.read_text(encoding="utf-8") if path.exists() else _HEADER
        if current and not current.endswith("\n"):
            current += "\n"
        _atomic_write(path, current + entry + "\n")
    except OSError:
        log.warning("could not save the known servers in %s", path, exc_info=True)
        return False
    return True


def write_state(state: dict[str, Any]) -> None:
    """Keep what an Excel action changed in the application, until it restores it."""
    try:
        _atomic_write(_state_dir() / _STATE_FILE, json.dumps(state))
    except OSError:
        log.warning("could not save Excel's settings", exc_info=True)


def read_state() -> dict[str, Any] | None:
    """What an action that did not finish (process killed) left changed in Excel, if anything."""
    try:
        data = json.loads((_state_dir() / _STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clear_state() -> None:
    try:
        (_state_dir() / _STATE_FILE).unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove Excel's saved settings", exc_info=True)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
