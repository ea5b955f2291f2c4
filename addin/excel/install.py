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
import importlib.resources
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from addin.excel.install_check import check_addin_matches
from addin.excel.install_files import (
    InstallError,
    InstallRefused,
    install_record_path,
    read_install_record,
    read_user_settings,
    remove_empty_folder,
    sha256,
    update_user_settings,
    user_settings_path,
    write_bytes,
)
from addin.excel.install_python import PythonSetup, current_python, setup_warnings
from addin.excel.xlam.ribbon import ADDIN_FILENAME
from addin.excel.xlam.settings import INTERPRETER_KEY, UDF_MODULES_KEY

# What an installation without a record (an older gestimum-excel) wrote.
_LEGACY_KEYS = (INTERPRETER_KEY, UDF_MODULES_KEY)


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
    check_addin_matches(source)
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
    write_bytes(install_record_path(),
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
        remove_empty_folder(record_path.parent)
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
