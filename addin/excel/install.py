"""Install the ribbon add-in for the current Windows user: XLSTART copy + xlwings user settings.

The add-in file is copied into Excel's start-up folder (a trusted location, so its macros run),
and ``%USERPROFILE%\\.gestimum\\gestimum.conf`` gets the interpreter xlwings must start.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.resources
import os
import shutil
import sys
from pathlib import Path

from addin.excel.xlam.ribbon import ADDIN_FILENAME, UDF_MODULE
from addin.excel.xlam.settings import (
    INTERPRETER_KEY,
    UDF_MODULES_KEY,
    USER_SETTINGS_DIRNAME,
    USER_SETTINGS_FILENAME,
)
from addin.excel.xlam.vba import XLWINGS_VERSION

# VBA reads the settings file with Input #, i.e. in the ANSI code page of Windows.
_ANSI = "mbcs" if sys.platform == "win32" else "cp1252"


class InstallError(Exception):
    """The add-in could not be (un)installed; the message is French and says what to do."""


def addin_source() -> Path:
    """The built add-in shipped inside the package (``addin/data/gestimum.xlam``)."""
    path = Path(str(importlib.resources.files("addin").joinpath("data", ADDIN_FILENAME)))
    if not path.is_file():
        raise InstallError(
            f"Fichier {ADDIN_FILENAME} absent du paquet ({path}) : réinstallez gestimum-excel."
        )
    return path


def default_startup_dir() -> Path:
    """Excel's per-user start-up folder, ``%APPDATA%\\Microsoft\\Excel\\XLSTART``."""
    appdata = os.environ.get("APPDATA")
    if not appdata:
        raise InstallError(
            "Variable APPDATA absente : le complément Excel s'installe sous Windows, "
            "dans la session de l'utilisateur d'Excel."
        )
    return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"


def user_settings_path() -> Path:
    """The user settings file xlwings' VBA reads for this add-in (``GetConfigFilePath``)."""
    profile = os.environ.get("USERPROFILE")
    base = Path(profile) if profile else Path.home()
    return base / USER_SETTINGS_DIRNAME / USER_SETTINGS_FILENAME


def default_interpreter() -> Path:
    """This interpreter; on Windows its windowless twin ``pythonw.exe`` when present."""
    executable = Path(sys.executable)
    if sys.platform == "win32":
        windowless = executable.with_name("pythonw.exe")
        if windowless.is_file():
            return windowless
    return executable


def xlwings_dll_candidates(interpreter: Path) -> list[Path]:
    """Where xlwings' VBA looks for its DLL: next to the interpreter, then one folder up (venv)."""
    names = [f"xlwings64-{XLWINGS_VERSION}.dll", f"xlwings32-{XLWINGS_VERSION}.dll"]
    folders = [interpreter.parent, interpreter.parent.parent]
    return [folder / name for folder in folders for name in names]


def interpreter_warnings(interpreter: Path) -> list[str]:
    """French warnings about an interpreter that Excel will not be able to use."""
    warnings: list[str] = []
    if not interpreter.is_absolute():
        warnings.append(f"L'interpréteur {interpreter} n'est pas un chemin complet.")
    elif not interpreter.is_file():
        warnings.append(f"L'interpréteur {interpreter} n'existe pas.")
    if not any(path.is_file() for path in xlwings_dll_candidates(interpreter)):
        warnings.append(
            f"DLL xlwings64-{XLWINGS_VERSION}.dll introuvable dans {interpreter.parent} "
            f"ni dans {interpreter.parent.parent} : Excel affichera « File not found: "
            f"xlwings64-{XLWINGS_VERSION}.dll ». Installez gestimum-excel sans --user dans "
            "ce Python (ou dans un environnement virtuel) puis relancez install-addin."
        )
    return warnings


def _fields(line: bytes) -> tuple[str, str]:
    """Key and value of one line, read like VBA's ``Input #``: two comma-separated fields."""
    text = line.decode(_ANSI, errors="replace")
    fields = next(csv.reader([text], skipinitialspace=True), [])
    return (fields[0].strip() if fields else "", fields[1] if len(fields) > 1 else "")


def _read_lines(path: Path) -> list[bytes]:
    if not path.is_file():
        return []
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def _write_lines(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(b"".join(line + b"\r\n" for line in lines))
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


def update_user_settings(path: Path, values: dict[str, str | None]) -> None:
    """Set (or with ``None`` remove) keys in an xlwings settings file, keeping every other line."""
    ours = {key.lower() for key in values}
    kept = [line for line in _read_lines(path) if _fields(line)[0].lower() not in ours]
    added = [_setting_line(key, value) for key, value in values.items() if value is not None]
    lines = kept + added
    if lines:
        _write_lines(path, lines)
    elif path.exists():
        path.unlink()
        # The folder was made for this file; leave it only if something else lives there.
        with contextlib.suppress(OSError):
            path.parent.rmdir()


def read_user_settings(path: Path) -> dict[str, str]:
    """The keys (upper-cased) and values of an xlwings settings file; the first one wins."""
    settings: dict[str, str] = {}
    for line in _read_lines(path):
        key, value = _fields(line)
        settings.setdefault(key.upper(), value)
    return settings


def install_addin(
    uninstall: bool = False,
    *,
    startup_dir: Path | None = None,
    interpreter: Path | None = None,
) -> Path:
    """Install (or remove) the add-in and its user settings; return the add-in's installed path."""
    folder = Path(startup_dir) if startup_dir is not None else default_startup_dir()
    target = folder / ADDIN_FILENAME
    settings = user_settings_path()
    try:
        if uninstall:
            if target.exists():
                target.unlink()
            update_user_settings(settings, {INTERPRETER_KEY: None, UDF_MODULES_KEY: None})
            return target
        python = Path(interpreter) if interpreter is not None else default_interpreter()
        source = addin_source()
        folder.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        try:
            shutil.copyfile(source, temporary)
            temporary.replace(target)
        finally:
            # Excel opens every file of XLSTART at start-up: never leave a half copy there.
            with contextlib.suppress(OSError):
                temporary.unlink()
        update_user_settings(settings, {INTERPRETER_KEY: str(python), UDF_MODULES_KEY: UDF_MODULE})
    except PermissionError as exc:
        raise InstallError(
            f"Accès refusé à {exc.filename} : fermez Excel (qui garde le complément ouvert) "
            "puis relancez la commande."
        ) from exc
    except OSError as exc:
        raise InstallError(f"Échec sur {exc.filename} : {exc.strerror}") from exc
    return target


def main_install(uninstall: bool) -> int:
    """``gestimum-excel install-addin [--uninstall]``: do it, print what was done in French."""
    try:
        interpreter = default_interpreter()
        path = install_addin(uninstall, interpreter=interpreter)
    except InstallError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    settings = user_settings_path()
    if uninstall:
        print(f"Complément retiré : {path}")
        print(f"Réglages retirés de : {settings}")
        print("Redémarrez Excel : l'onglet Gestimum disparaît.")
        return 0
    print(f"Complément installé : {path}")
    print(f"Réglages xlwings : {settings}")
    print(f"  {INTERPRETER_KEY} = {interpreter}")
    print(f"  {UDF_MODULES_KEY} = {UDF_MODULE}")
    for warning in interpreter_warnings(interpreter):
        print(f"Attention : {warning}", file=sys.stderr)
    print("Étapes suivantes :")
    print("  1. Fermez puis rouvrez Excel : l'onglet « Gestimum » apparaît dans le ruban.")
    print(
        "  2. Si l'onglet n'apparaît pas : Fichier > Options > Compléments > Gérer : "
        "Éléments désactivés > Atteindre, réactivez gestimum.xlam ; si vos macros sont "
        "bloquées, voyez la section Dépannage du README."
    )
    print(
        "  3. Inutile de cocher « Faire confiance à l'accès au modèle d'objet du projet VBA » : "
        "les fonctions GESTIMUM_* sont déjà dans le complément."
    )
    print("Après une mise à jour de gestimum-excel, relancez : gestimum-excel install-addin")
    return 0
