"""A workbook's document properties (creator, custom properties) read from its package.

python-calamine reads values only; the template stamp lives in ``docProps/custom.xml``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def _part(archive: zipfile.ZipFile, name: str):  # type: ignore[no-untyped-def]
    try:
        return SafeET.fromstring(archive.read(name))
    except (KeyError, ParseError, DefusedXmlException):
        return None


def read_doc_props(path: Path) -> tuple[dict[str, str], str]:
    """(custom properties as text, core creator); ({}, "") for anything unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            custom_root = _part(archive, "docProps/custom.xml")
            core_root = _part(archive, "docProps/core.xml")
    except (OSError, zipfile.BadZipFile):
        return {}, ""
    custom: dict[str, str] = {}
    if custom_root is not None:
        for prop in custom_root.iter(_CUSTOM_NS + "property"):
            value = next(iter(prop), None)
            custom[prop.get("name", "")] = (value.text or "") if value is not None else ""
    creator = ""
    if core_root is not None:
        found = core_root.find(_DC_CREATOR)
        creator = (found.text or "") if found is not None else ""
    return custom, creator
