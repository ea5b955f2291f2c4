"""The package's custom document properties (``docProps/custom.xml``), edited surgically: one
property set or replaced, every other one kept byte for byte; the part, its relationship in
``_rels/.rels`` and its content type created when the workbook has none."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException, ElementTree

from addin.io import package_parts as parts

__all__ = ["CustomProps", "add_relationship", "find_custom", "new_part", "set_property"]

ROOT_RELS = "_rels/.rels"
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = f"{parts.NS_REL}/custom-properties"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every user-defined property carries (ECMA-376 part 1, 22.3.2.2).
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


@dataclass(slots=True)
class CustomProps:
    """Where the custom properties are: the package relationships, the part (None: to create)."""

    root_rels: bytes
    part: str
    xml: bytes | None


def find_custom(root_rels: bytes | None, read: Callable[[str], bytes | None],
                names: set[str]) -> CustomProps | None:
    """The custom properties of a package, or None when they cannot be edited safely (no or
    unreadable package relationships, a dangling or malformed part): the stamp is then skipped,
    an import is never refused for it. ``read``: a member's bytes, None when absent."""
    if root_rels is None:
        return None
    try:
        rels = ElementTree.fromstring(root_rels)
        targets = [parts.part_path("", r.get("Target", ""))
                   for r in rels.iter(f"{{{parts.NS_PKG_REL}}}Relationship")
                   if r.get("Type") == CUSTOM_TYPE and r.get("TargetMode") != "External"]
        if not targets:
            # a part nobody points to would be overwritten by ours: leave such a package alone
            return None if CUSTOM_PART in names else CustomProps(root_rels, CUSTOM_PART, None)
        part = targets[0]
        xml = read(part)
        if len(targets) > 1 or xml is None:
            return None
        root = ElementTree.fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError):
        return None
    if root.tag != f"{{{NS_CUSTOM}}}Properties":
        return None
    return CustomProps(root_rels, part, xml)


def new_part(name: str, value: str) -> bytes:
    """A ``docProps/custom.xml`` holding one text property."""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            + f'<Properties xmlns="{NS_CUSTOM}" xmlns:vt="{NS_VT}">'.encode()
            + _property(b"", 2, name, value) + b"</Properties>")


def set_property(xml: bytes, name: str, value: str) -> bytes:
    """``xml`` (a custom properties part) with text property ``name`` set to ``value``: the
    property replaced in place when present (its pid kept), else appended; the rest untouched.
    Raises ValueError when the part's elements cannot be located safely."""
    props = ElementTree.fromstring(xml).findall(f"{{{NS_CUSTOM}}}property")
    prefix = parts.prefix_of(xml, b"Properties")
    vt = _binds_vt(xml)
    p = re.escape(prefix)
    found = list(re.finditer(rb"<%sproperty\b[^>]*?(?:/>|>.*?</%sproperty>)" % (p, p), xml,
                             re.DOTALL))
    if len(found) != len(props):  # a comment or CDATA that looks like one: do not guess
        raise ValueError("custom properties part of an unexpected form")
    for element, match in zip(props, found, strict=True):
        if element.get("name") == name:
            new = _property(prefix, int(element.get("pid", "0") or 0), name, value, vt)
            return xml[: match.start()] + new + xml[match.end() :]
    pids = [int(e.get("pid", "0") or 0) for e in props]
    new = _property(prefix, max([1, *pids]) + 1, name, value, vt)  # pid 0 and 1 are reserved
    return parts.insert_before_close(xml, b"Properties", new)


def add_relationship(root_rels: bytes, types: bytes, part: str) -> tuple[bytes, bytes]:
    """The package relationship and content type of a custom properties part just created."""
    rel_ids = set(re.findall(rb"""\bId=["']([^"']+)""", root_rels))
    n = 1
    while b"rId%d" % n in rel_ids:
        n += 1
    relation = f'<Relationship Id="rId{n}" Type="{CUSTOM_TYPE}" Target="{part}"/>'.encode()
    override = f'<Override PartName="/{part}" ContentType="{CUSTOM_CT}"/>'.encode()
    return (parts.insert_before_close(root_rels, b"Relationships", relation),
            parts.insert_before_close(types, b"Types", override))


def _property(prefix: bytes, pid: int, name: str, value: str, declared: bool = True) -> bytes:
    # vt declared on the value itself when the part binds that namespace to another prefix
    declare = b"" if declared else b' xmlns:vt="%s"' % NS_VT.encode()
    return (b'<%sproperty fmtid="%s" pid="%d" name=%s><vt:lpwstr%s>%s</vt:lpwstr>'
            b"</%sproperty>" % (prefix, FMTID.encode(), pid, quoteattr(name).encode(),
                                declare, escape(value).encode(), prefix))


def _binds_vt(xml: bytes) -> bool:
    """Whether the part's root binds the ``vt`` prefix to the variant types namespace."""
    root = re.search(rb"<(?:\w+:)?Properties\b[^>]*>", xml)
    return root is not None and re.search(
        rb"""\sxmlns:vt=["']%s["']""" % re.escape(NS_VT.encode()), root.group()) is not None

