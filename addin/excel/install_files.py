"""Files install-addin reads and writes: the user settings file and its install record.

``%USERPROFILE%\\.gestimum\\gestimum.conf`` is the file xlwings' VBA reads for this add-in
(``GetConfigFilePath``), in the ``"KEY","value"`` lines of VBA's ``Write #``/``Input #``, in the
ANSI code page. ``installation.json`` beside it records what install-addin installed. The
installer's French errors live here, the lowest of its modules.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from addin.excel.xlam.settings import (
    INSTALL_RECORD_FILENAME,
    USER_SETTINGS_DIRNAME,
    USER_SETTINGS_FILENAME,
)

# VBA reads the settings file with Input #, i.e. in the ANSI code page of Windows.
_ANSI = "mbcs" if sys.platform == "win32" else "cp1252"


class InstallError(Exception):
    """The add-in could not be (un)installed; the message is French and says what to do."""

    exit_code = 1


class InstallRefused(InstallError):
    """This machine or this Python cannot run the add-in as is; nothing was changed."""

    exit_code = 2


def user_settings_path() -> Path:
    """The user settings file xlwings' VBA reads for this add-in (``GetConfigFilePath``)."""
    profile = os.environ.get("USERPROFILE")
    base = Path(profile) if profile else Path.home()
    return base / USER_SETTINGS_DIRNAME / USER_SETTINGS_FILENAME


def install_record_path() -> Path:
    """Where install-addin records what it installed (next to the user settings file)."""
    return user_settings_path().with_name(INSTALL_RECORD_FILENAME)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fields(line: bytes) -> tuple[str, str]:
    """Key and value of one line, read like VBA's ``Input #``: two comma-separated fields."""
    text = line.decode(_ANSI, errors="replace")
    fields = next(csv.reader([text], skipinitialspace=True), [])
    return (fields[0].strip() if fields else "", fields[1] if len(fields) > 1 else "")


def _read_lines(path: Path) -> list[bytes]:
    if not path.is_file():
        return []
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file, so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _setting_line(key: str, value: str) -> bytes:
    """One line as VBA's ``Write #`` writes it (the format ``Input #`` reads back)."""
    if '"' in value:
        raise InstallError(f"Valeur impossible à enregistrer pour {key} : {value}")
    try:
        return f'"{key}","{value}"'.encode(_ANSI)
    except UnicodeEncodeError as exc:
        raise InstallError(
            f"Le chemin {value} contient des caractères que VBA ne sait pas lire : installez "
            "Python dans un dossier dont le nom n'a que des caractères courants."
        ) from exc


def remove_empty_folder(folder: Path) -> None:
    # The folder was made for our files; leave it if something else lives there.
    with contextlib.suppress(OSError):
        folder.rmdir()


def update_user_settings(path: Path, values: Mapping[str, str | None]) -> None:
    """Set (or with ``None`` remove) keys in an xlwings settings file, keeping every other line."""
    ours = {key.lower() for key in values}
    kept = [line for line in _read_lines(path) if _fields(line)[0].lower() not in ours]
    added = [_setting_line(key, value) for key, value in values.items() if value is not None]
    lines = kept + added
    if lines:
        write_bytes(path, b"".join(line + b"\r\n" for line in lines))
    elif path.exists():
        path.unlink()
        remove_empty_folder(path.parent)


def read_user_settings(path: Path) -> dict[str, str]:
    """The keys (upper-cased) and values of an xlwings settings file; the first one wins."""
    settings: dict[str, str] = {}
    for line in _read_lines(path):
        key, value = _fields(line)
        settings.setdefault(key.upper(), value)
    return settings


def read_install_record(path: Path | None = None) -> dict[str, object] | None:
    """What the last install recorded (add-in path, SHA-256, settings), or None."""
    path = path or install_record_path()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
