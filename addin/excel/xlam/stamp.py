"""The add-in's version stamp: custom document properties naming what the .xlam was built for.

``install-addin`` reads them back to refuse an add-in built for another gestimum-excel or
xlwings version (the VBA module and the xlwings DLL must come from the same release). They also
show in Excel under Fichier > Informations > Propriétés > Propriétés avancées > Personnalisation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET

from addin.core.versions import __version__
from addin.excel.xlam.xlwings_patch import XLWINGS_VERSION

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
CUSTOM_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The one format id every user-defined property carries (ECMA-376 part 1, 22.3.2.2).
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

ADDIN_VERSION_KEY = "GestimumExcelVersion"
XLWINGS_VERSION_KEY = "XlwingsVersion"


def stamp() -> dict[str, str]:
    """What this build records: the package version and the xlwings its VBA module is from."""
    return {ADDIN_VERSION_KEY: __version__, XLWINGS_VERSION_KEY: XLWINGS_VERSION}


def custom_xml(properties: dict[str, str]) -> bytes:
    """``docProps/custom.xml`` holding ``properties`` as text properties, in the given order."""
    ET.register_namespace("", _NS)
    ET.register_namespace("vt", _VT)
    root = ET.Element("{" + _NS + "}Properties")
    for pid, (name, value) in enumerate(properties.items(), start=2):  # pid 0, 1 are reserved
        prop = ET.SubElement(root, "{" + _NS + "}property",
                             {"fmtid": _FMTID, "pid": str(pid), "name": name})
        ET.SubElement(prop, "{" + _VT + "}lpwstr").text = value
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text + "\n").encode()


def read_stamp(path: Path) -> dict[str, str]:
    """The text custom properties of an Open XML file; {} when it has none (an older build)."""
    with zipfile.ZipFile(path) as archive:
        try:
            data = archive.read(CUSTOM_PART)
        except KeyError:
            return {}
    root = SafeET.fromstring(data)
    found: dict[str, str] = {}
    for prop in root.iter("{" + _NS + "}property"):
        value = prop.find("{" + _VT + "}lpwstr")
        found[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return found
