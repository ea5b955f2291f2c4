"""Builds the ribbon add-in ``addin/data/gestimum.xlam`` deterministically, on any OS.

``ribbon`` holds the one table of buttons and UDFs (pure data, importable at runtime);
building (``python -m addin.excel.xlam``) needs the ``test`` extra (ms-ovba).
"""

from addin.excel.xlam.ribbon import BUTTONS, MACROS, UDFS, Button, Udf

__all__ = ["BUTTONS", "MACROS", "UDFS", "Button", "Udf"]
