"""Which Python Excel must start, the way xlwings' VBA starts it; what cannot work is refused.

A python.org interpreter or a venv: its ``pythonw.exe``. A conda environment: the conda
settings xlwings activates it with. The Microsoft Store Python, and conda installations xlwings
cannot activate: refused with a French explanation.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from addin.excel.install_files import InstallRefused
from addin.excel.xlam.ribbon import UDF_MODULE
from addin.excel.xlam.settings import (
    CONDA_ENV_KEY,
    CONDA_PATH_KEY,
    INTERPRETER_KEY,
    UDF_MODULES_KEY,
)
from addin.excel.xlam.xlwings_patch import XLWINGS_VERSION

_PYTHON_ORG = (
    "Installez Python depuis https://www.python.org (cochez « Add python.exe to PATH »), "
    "créez l'environnement dédié, installez-y gestimum-excel et relancez "
    "« gestimum-excel install-addin » depuis cet environnement (voir le README)."
)


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
