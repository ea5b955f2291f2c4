"""Install the ribbon add-in for the current Windows user: XLSTART copy + xlwings user settings.

The add-in file is copied into Excel's start-up folder (a trusted location, so its macros run),
and ``%USERPROFILE%\\.gestimum\\gestimum.conf`` gets what xlwings must start: the interpreter,
or for a conda environment the conda settings xlwings activates it with. A record next to it
(``installation.json``) keeps where the add-in went and its SHA-256, so that ``--uninstall``
removes only a file this command installed.

Refused with a French explanation (exit code 2), because the add-in could not work: the
Microsoft Store Python, a conda installation xlwings cannot activate, and an ``%APPDATA%`` on
the network (redirected folders), where XLSTART is not a trusted location.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib.resources
import json
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from addin.excel.xlam.ribbon import ADDIN_FILENAME, UDF_MODULE
from addin.excel.xlam.settings import (
    CONDA_ENV_KEY,
    CONDA_PATH_KEY,
    INSTALL_RECORD_FILENAME,
    INTERPRETER_KEY,
    UDF_MODULES_KEY,
    USER_SETTINGS_DIRNAME,
    USER_SETTINGS_FILENAME,
)
from addin.excel.xlam.vba import XLWINGS_VERSION

# VBA reads the settings file with Input #, i.e. in the ANSI code page of Windows.
_ANSI = "mbcs" if sys.platform == "win32" else "cp1252"
# What an installation without a record (an older gestimum-excel) wrote.
_LEGACY_KEYS = (INTERPRETER_KEY, UDF_MODULES_KEY)
_PYTHON_ORG = (
    "Installez Python depuis https://www.python.org (cochez « Add python.exe to PATH »), "
    "créez l'environnement dédié, installez-y gestimum-excel et relancez "
    "« gestimum-excel install-addin » depuis cet environnement (voir le README)."
)


class InstallError(Exception):
    """The add-in could not be (un)installed; the message is French and says what to do."""

    exit_code = 1


class InstallRefused(InstallError):
    """This machine or this Python cannot run the add-in as is; nothing was changed."""

    exit_code = 2


@dataclass(frozen=True)
class PythonSetup:
    """What Excel must start: an interpreter, or a conda environment that xlwings activates."""

    interpreter: Path
    conda_root: Path | None = None
    conda_env: str | None = None

    def settings(self) -> dict[str, str | None]:
        """The user-file keys to write (``None``: remove a key a previous install wrote)."""
        if self.conda_root is not None and self.conda_env is not None:
            # No INTERPRETER_WIN: xlwings activates conda only with the plain "python(w)".
            return {INTERPRETER_KEY: None, CONDA_PATH_KEY: str(self.conda_root),
                    CONDA_ENV_KEY: self.conda_env, UDF_MODULES_KEY: UDF_MODULE}
        return {INTERPRETER_KEY: str(self.interpreter), CONDA_PATH_KEY: None,
                CONDA_ENV_KEY: None, UDF_MODULES_KEY: UDF_MODULE}


@dataclass
class InstallReport:
    """What an (un)install did: the add-in's path and what to tell the user."""

    path: Path
    settings_file: Path
    settings: dict[str, str] = field(default_factory=dict)  # keys written
    removed: bool = False  # uninstall: the add-in file was deleted
    kept: bool = False  # uninstall: a file is there, but not the one this command installed
    replaced: Path | None = None  # install: an earlier copy elsewhere, removed
    warnings: list[str] = field(default_factory=list)


def addin_source() -> Path:
    """The built add-in shipped inside the package (``addin/data/gestimum.xlam``)."""
    path = Path(str(importlib.resources.files("addin").joinpath("data", ADDIN_FILENAME)))
    if not path.is_file():
        raise InstallError(
            f"Fichier {ADDIN_FILENAME} absent du paquet ({path}) : réinstallez gestimum-excel."
        )
    return path


def _appdata() -> str:
    appdata = os.environ.get("APPDATA")
    if not appdata:
        raise InstallError(
            "Variable APPDATA absente : le complément Excel s'installe sous Windows, "
            "dans la session de l'utilisateur d'Excel."
        )
    return appdata


def default_startup_dir() -> Path:
    """Excel's per-user start-up folder, ``%APPDATA%\\Microsoft\\Excel\\XLSTART``."""
    return Path(_appdata()) / "Microsoft" / "Excel" / "XLSTART"


def user_settings_path() -> Path:
    """The user settings file xlwings' VBA reads for this add-in (``GetConfigFilePath``)."""
    profile = os.environ.get("USERPROFILE")
    base = Path(profile) if profile else Path.home()
    return base / USER_SETTINGS_DIRNAME / USER_SETTINGS_FILENAME


def install_record_path() -> Path:
    """Where install-addin records what it installed (next to the user settings file)."""
    return user_settings_path().with_name(INSTALL_RECORD_FILENAME)


# ── the Python that Excel will start ───────────────────────────────────────────────────────


def default_interpreter(executable: str | None = None) -> Path:
    """This interpreter; on Windows its windowless twin ``pythonw.exe`` when present."""
    path = Path(executable or sys.executable)
    if sys.platform == "win32":
        windowless = path.with_name("pythonw.exe")
        if windowless.is_file():
            return windowless
    return path


def is_microsoft_store_python(*paths: str) -> bool:
    """True when one of the interpreter's paths is a Microsoft Store (MSIX) Python's."""
    for path in paths:
        text = path.replace("/", "\\").casefold()
        if "\\windowsapps\\" in text or "pythonsoftwarefoundation.python." in text:
            return True
    return False


def _conda_setup(prefix: Path, environ: Mapping[str, str]) -> PythonSetup:
    """CONDA PATH/CONDA ENV for the conda environment at ``prefix``, or a clear refusal."""
    if prefix.parent.name.casefold() == "envs":
        root, env = prefix.parent.parent, prefix.name
    elif (prefix / "condabin").is_dir():
        root, env = prefix, "base"
    else:
        # An environment outside <conda>\envs: xlwings accepts its full path (GH 2655).
        conda_exe = environ.get("CONDA_EXE", "")
        if not conda_exe:
            raise InstallRefused(
                f"Environnement conda hors du dossier envs de conda ({prefix}) et conda "
                "introuvable : lancez la commande depuis une « Anaconda Prompt » où cet "
                "environnement est activé (la variable CONDA_EXE indique où est conda)."
            )
        root, env = Path(conda_exe).parent.parent, str(prefix)
    if not (root / "condabin" / "conda.bat").is_file():
        raise InstallRefused(
            f"conda introuvable ou trop ancien dans {root} (pas de condabin\\conda.bat) : "
            "xlwings ne saurait pas activer l'environnement. Mettez conda à jour "
            "(conda update conda), ou utilisez un environnement venv d'un Python de python.org."
        )
    if " " in env:
        raise InstallRefused(
            f"Le chemin de l'environnement conda contient une espace ({env}) : xlwings ne sait "
            "pas l'activer. Créez l'environnement dans le dossier envs de conda "
            "(conda create -n gestimum python=3.12) et relancez la commande depuis celui-ci."
        )
    return PythonSetup(prefix / "pythonw.exe", conda_root=root, conda_env=env)


def current_python(
    executable: str | None = None,
    prefix: str | None = None,
    base_prefix: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> PythonSetup:
    """How Excel must start the Python running this command (defaults: this interpreter)."""
    executable = executable or sys.executable
    prefix = prefix or sys.prefix
    base_prefix = base_prefix or sys.base_prefix
    environ = os.environ if environ is None else environ
    if is_microsoft_store_python(executable, prefix, base_prefix):
        raise InstallRefused(
            f"Ce Python vient du Microsoft Store ({executable}) : Excel ne peut pas s'en servir "
            "(il est installé dans un dossier protégé de Windows, et ses écritures dans AppData "
            "peuvent être redirigées vers un dossier privé qu'Excel ne voit pas). " + _PYTHON_ORG
        )
    if (Path(prefix) / "conda-meta").is_dir():
        return _conda_setup(Path(prefix), environ)
    return PythonSetup(default_interpreter(executable))


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


def setup_warnings(python: PythonSetup, base_prefix: str | None = None) -> list[str]:
    """French warnings about the Python setup Excel will start (never blocking)."""
    if python.conda_root is not None:
        # The DLL sits at the environment's root, where its python.exe is.
        return [w for w in interpreter_warnings(python.interpreter) if "DLL" in w]
    warnings = interpreter_warnings(python.interpreter)
    base = Path(base_prefix or sys.base_prefix)
    if (base / "conda-meta").is_dir():
        warnings.append(
            f"Cet environnement virtuel repose sur le Python de conda ({base}) : lancé par Excel "
            "sans activation, il peut ne pas trouver ses DLL. Préférez un environnement conda "
            "(conda create -n gestimum python=3.12) ou un Python de python.org."
        )
    return warnings


# ── where the add-in goes ──────────────────────────────────────────────────────────────────


def _drive_is_remote(drive: str) -> bool:
    """A drive letter mapped to a network share (Windows ``GetDriveTypeW`` = DRIVE_REMOTE)."""
    if sys.platform != "win32":
        return False
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # type: ignore[attr-defined]


def is_network_path(path: str) -> bool:
    """A UNC path (``\\\\serveur\\partage``) or one on a network drive letter."""
    text = path.replace("/", "\\")
    if text.casefold().startswith("\\\\?\\unc\\"):
        return True
    text = text.removeprefix("\\\\?\\")  # extended-length form of a local path
    if text.startswith("\\\\"):
        return True
    drive = PureWindowsPath(text).drive
    return bool(drive) and _drive_is_remote(drive)


def _refuse_network_appdata(appdata: str) -> None:
    raise InstallRefused(
        f"Votre dossier AppData est sur le réseau ({appdata}, dossiers redirigés) : Excel ne "
        "fait pas confiance à son dossier XLSTART, les macros du complément y seraient "
        "bloquées. Au choix :\n"
        "  1. installez le complément dans un dossier local : gestimum-excel install-addin "
        "--dossier C:\\Gestimum\\Excel, puis dans Excel ajoutez ce dossier aux emplacements "
        "approuvés (Fichier > Options > Centre de gestion de la confidentialité > Paramètres "
        "du Centre de gestion de la confidentialité > Emplacements approuvés > Ajouter un "
        "emplacement) et chargez-le (Fichier > Options > Compléments > Gérer : Compléments "
        "Excel > Atteindre > Parcourir) ;\n"
        "  2. ou demandez au service informatique d'autoriser les emplacements approuvés sur "
        "le réseau (stratégie Office « Allow Trusted Locations on the network ») ou "
        "d'approuver ce dossier XLSTART, puis relancez la commande avec --forcer."
    )


# ── files ──────────────────────────────────────────────────────────────────────────────────


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


def _write_bytes(path: Path, data: bytes) -> None:
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


def _remove_empty_folder(folder: Path) -> None:
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
        _write_bytes(path, b"".join(line + b"\r\n" for line in lines))
    elif path.exists():
        path.unlink()
        _remove_empty_folder(path.parent)


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


def _copy_addin(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    try:
        shutil.copyfile(source, temporary)
        temporary.replace(target)
    finally:
        # Excel opens every file of XLSTART at start-up: never leave a half copy there.
        with contextlib.suppress(OSError):
            temporary.unlink()


# ── install / uninstall ────────────────────────────────────────────────────────────────────


def _install(folder: Path | None, python: PythonSetup, force: bool) -> InstallReport:
    if folder is None:
        appdata = _appdata()
        if is_network_path(appdata) and not force:
            _refuse_network_appdata(appdata)
        folder = default_startup_dir()
    target = Path(folder) / ADDIN_FILENAME
    source = addin_source()
    report = InstallReport(target, user_settings_path())
    if is_network_path(str(folder)):
        report.warnings.append(
            f"{folder} est sur le réseau : Excel n'y approuve aucun emplacement sans une "
            "stratégie de l'entreprise ; préférez un dossier local."
        )
    previous = read_install_record()
    _copy_addin(source, target)
    values = python.settings()
    update_user_settings(report.settings_file, values)
    report.settings = {key: value for key, value in values.items() if value is not None}
    # An earlier install elsewhere (--dossier, then XLSTART): two copies would both load.
    if previous and previous.get("addin") and Path(str(previous["addin"])) != target:
        old = Path(str(previous["addin"]))
        if old.is_file() and sha256(old) == previous.get("sha256"):
            old.unlink()
            report.replaced = old
    record = {"addin": str(target), "sha256": sha256(target), "settings": report.settings}
    _write_bytes(install_record_path(),
                 json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
    return report


def _uninstall(folder: Path | None) -> InstallReport:
    record = read_install_record() or {}
    if folder is not None:
        target = Path(folder) / ADDIN_FILENAME
    elif record.get("addin"):
        target = Path(str(record["addin"]))
    else:
        target = default_startup_dir() / ADDIN_FILENAME
    report = InstallReport(target, user_settings_path())
    if target.is_file():
        ours = {sha256(addin_source())}
        if record.get("sha256") and Path(str(record.get("addin"))) == target:
            ours.add(str(record["sha256"]))
        if sha256(target) in ours:
            target.unlink()
            report.removed = True
        else:
            report.kept = True
    # Settings: the keys the install recorded, each only if it still holds what was written.
    written = record.get("settings")
    if isinstance(written, dict):
        current = read_user_settings(report.settings_file)
        keys = [k for k, v in written.items() if current.get(str(k).upper()) == v]
    else:
        keys = list(_LEGACY_KEYS)
    update_user_settings(report.settings_file, dict.fromkeys(keys))
    record_path = install_record_path()
    if record_path.exists():
        record_path.unlink()
        _remove_empty_folder(record_path.parent)
    return report


def install_addin(
    uninstall: bool = False,
    *,
    startup_dir: Path | None = None,
    interpreter: Path | None = None,
    python: PythonSetup | None = None,
    force: bool = False,
) -> InstallReport:
    """Install (or remove) the add-in and its user settings.

    ``startup_dir``: install into this folder instead of XLSTART. ``interpreter``/``python``:
    what Excel must start (default: the Python running this). ``force``: install into XLSTART
    even when ``%APPDATA%`` is on the network.
    """
    try:
        if uninstall:
            return _uninstall(startup_dir)
        if python is None:
            python = PythonSetup(Path(interpreter)) if interpreter else current_python()
        return _install(startup_dir, python, force)
    except PermissionError as exc:
        raise InstallError(
            f"Accès refusé à {exc.filename} : fermez Excel (qui garde le complément ouvert) "
            "puis relancez la commande."
        ) from exc
    except OSError as exc:
        raise InstallError(f"Échec sur {exc.filename} : {exc.strerror}") from exc


def _print_next_steps(report: InstallReport, in_xlstart: bool) -> None:
    print("Étapes suivantes :")
    if in_xlstart:
        print("  1. Fermez puis rouvrez Excel : l'onglet « Gestimum » apparaît dans le ruban.")
        print(
            "  2. Si l'onglet n'apparaît pas : Fichier > Options > Compléments > Gérer : "
            "Éléments désactivés > Atteindre, réactivez gestimum.xlam ; si vos macros sont "
            "bloquées, voyez la section Dépannage du README."
        )
    else:
        print(
            f"  1. Dans Excel, ajoutez {report.path.parent} aux emplacements approuvés "
            "(Fichier > Options > Centre de gestion de la confidentialité > Paramètres du "
            "Centre de gestion de la confidentialité > Emplacements approuvés)."
        )
        print(
            f"  2. Chargez {report.path} : Fichier > Options > Compléments > Gérer : "
            "Compléments Excel > Atteindre > Parcourir."
        )
    print(
        "  3. Inutile de cocher « Faire confiance à l'accès au modèle d'objet du projet VBA » : "
        "les fonctions GESTIMUM_* sont déjà dans le complément."
    )
    print("Après une mise à jour de gestimum-excel, relancez : gestimum-excel install-addin")


def main_install(
    uninstall: bool = False,
    *,
    folder: Path | None = None,
    force: bool = False,
    quiet: bool = False,
) -> int:
    """``gestimum-excel install-addin``: do it, say what was done in French; never prompts.

    Exit codes: 0 done, 1 failed (file locked, disk…), 2 refused (this Python or this profile
    cannot run the add-in; nothing changed). ``quiet``: only warnings and errors, on stderr.
    """
    try:
        python = None if uninstall else current_python()
        report = install_addin(uninstall, startup_dir=folder, python=python, force=force)
    except InstallError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    if uninstall:
        if report.kept:
            print(
                f"Attention : {report.path} n'est pas le fichier installé par cette commande "
                "(autre version ou fichier modifié) : il est laissé en place. Supprimez-le "
                "vous-même si c'est bien un complément Gestimum dont vous ne voulez plus.",
                file=sys.stderr,
            )
        if not quiet:
            if report.removed:
                print(f"Complément retiré : {report.path}")
            print(f"Réglages retirés de : {report.settings_file}")
            print("Redémarrez Excel : l'onglet Gestimum disparaît.")
        return 0
    assert python is not None
    for warning in [*report.warnings, *setup_warnings(python)]:
        print(f"Attention : {warning}", file=sys.stderr)
    if quiet:
        return 0
    print(f"Complément installé : {report.path}")
    if report.replaced:
        print(f"Ancienne copie retirée : {report.replaced}")
    print(f"Réglages xlwings : {report.settings_file}")
    for key, value in report.settings.items():
        print(f"  {key} = {value}")
    _print_next_steps(report, in_xlstart=folder is None)
    return 0
