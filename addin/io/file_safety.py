"""Writing a workbook file safely: refused up front when it could not be written, replaced in one
step through a flushed temporary file, leftovers of an interrupted save removed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from addin.core.errors import WorkbookError
from addin.io.file_errors import mapped

__all__ = ["TEMP_PREFIX", "check_writable", "remove_leftovers", "write_atomically"]

TEMP_PREFIX = ".~gestimum-"


def write_atomically(target: Path, produce: Callable[[BinaryIO], None]) -> None:
    """Write a temporary file next to the target, flush it to disk, then replace the target."""
    with mapped(target, "enregistrer"):
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=".tmp",
                                        dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                produce(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():  # mkstemp files are 0600: keep the workbook's own permissions
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(target: Path) -> None:
    """Temporary files of an interrupted save of this workbook (one import at a time each)."""
    folder = target.parent if str(target.parent) else Path(".")
    for leftover in folder.glob(f"{TEMP_PREFIX}{target.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


def check_writable(target: Path) -> None:
    """Refuse before sending anything when the results could not be saved afterwards."""
    lock_files = (
        target.with_name(f"~${target.name}"),  # Excel
        target.with_name(f".~lock.{target.name}#"),  # LibreOffice
    )
    for lock in lock_files:
        if lock.exists():
            raise WorkbookError(
                f"Le classeur {target.name} est ouvert (fichier de verrouillage {lock.name}) : "
                "fermez-le avant l'import, ou écrivez les résultats dans une copie avec --out. "
                "S'il n'est ouvert nulle part, supprimez ce fichier de verrouillage."
            )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(f"Dossier de sortie introuvable : {folder}.")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise WorkbookError(
            f"Écriture impossible dans {target} (droits insuffisants ou fichier en lecture "
            "seule) : choisissez un autre emplacement avec --out."
        )

