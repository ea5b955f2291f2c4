"""gestimum-excel: load Excel workbooks into Gestimum ERP through its Web Service 2 importers.

Importing `addin` stays headless and fast: it never imports xlwings, httpx or openpyxl.
"""

from addin.core.versions import __version__

__all__ = ["__version__"]
