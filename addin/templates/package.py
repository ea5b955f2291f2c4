"""Byte-for-byte reproducible .xlsx files: fixed document dates and zip entry metadata."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

__all__ = ["FIXED_DATE", "save_deterministic"]

FIXED_DATE = datetime(2024, 1, 1)
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"
_STAMP = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")


def save_deterministic(wb: Workbook, path: Path) -> Path:
    """Save `wb` so that the same workbook always gives the same bytes, then return `path`.

    openpyxl stamps docProps/core.xml with the save time and each zip entry with the current
    time; both are replaced by a constant, entries keep openpyxl's (stable) order.
    """
    wb.properties.creator = "gestimum-excel"
    wb.properties.lastModifiedBy = "gestimum-excel"
    wb.properties.created = FIXED_DATE
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == _CORE:
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _STAMP.encode() + rb"\g<3>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data, compresslevel=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)  # never leave a half-written template behind
    return path
