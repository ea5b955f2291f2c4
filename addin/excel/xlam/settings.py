"""xlwings settings of the add-in: its built-in settings sheet and the per-user settings file.

The add-in's copy of xlwings' VBA (``GetConfig``, patched in
``xlwings_patch.XLWINGS_PATCHES``) looks a key up in the sheet ``gestimum.conf`` of the
add-in, then in the user file ``%USERPROFILE%\\.gestimum\\gestimum.conf``, then takes the
default. Stock xlwings would look in the active workbook's ``gestimum.conf`` sheet and in a
``gestimum.conf`` file next to it first: the patch removes both, so a workbook never chooses
the interpreter, Python's path, conda, the licence or the UDF modules. Pure data.
"""

from __future__ import annotations

from addin.excel.xlam.ribbon import PROJECT_NAME, UDF_MODULE

SHEET_NAME = PROJECT_NAME + ".conf"

# The add-in's own sheet: only values that are the same on every machine. A key present here
# hides the user file, so the interpreter path (known only at install time) is NOT here but
# in the user file written by ``gestimum-excel install-addin``; diagnostic switches (Show
# Console, Use UDF Server, Debug UDFs) stay out too, so a user can turn them on in that file.
SHEET_SETTINGS: tuple[tuple[str, str | bool], ...] = (
    ("UDF Modules", UDF_MODULE),
    # Stock xlwings would put the user's workbook folder first on sys.path (a stray httpx.py
    # next to a template would shadow the installed package). The patched VBA passes no
    # workbook path to Python at all; the setting stays FALSE as a second lock.
    ("ADD_WORKBOOK_TO_PYTHONPATH", False),
)

# The user settings file xlwings' VBA reads for PROJECT_NAME (``GetConfigFilePath``).
USER_SETTINGS_DIRNAME = "." + PROJECT_NAME
USER_SETTINGS_FILENAME = PROJECT_NAME + ".conf"

# Keys the installer writes into the user file (and removes again on uninstall). A conda
# environment gets CONDA PATH/CONDA ENV instead of INTERPRETER_WIN: xlwings then activates it
# before starting its python (its DLLs are found only in an activated environment).
INTERPRETER_KEY = "INTERPRETER_WIN"
UDF_MODULES_KEY = "UDF MODULES"
CONDA_PATH_KEY = "CONDA PATH"
CONDA_ENV_KEY = "CONDA ENV"

# Beside the user file: where install-addin put the add-in, its SHA-256 and the settings it
# wrote, so that --uninstall removes only what it installed.
INSTALL_RECORD_FILENAME = "installation.json"
