"""The package as the writer finds it before sending anything: workbook, relationships, content
types and styles parsed (defusedxml), each sheet to be written checked, its last row and tail
kept — a part the writer could not handle is refused here, in French, before any request."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from addin.core import layout
from addin.core.errors import WorkbookError
from addin.io import package_parts as parts
from addin.io import package_props as props
from addin.io.file_errors import mapped
from addin.io.package_zip import member_chunks
from addin.io.sheet_rewrite import shape

__all__ = ["Snapshot", "find_sheet", "new_part_name", "read_member", "read_snapshot", "file_stamp",
           "tables_of"]


@dataclass(slots=True)
class Snapshot:
    """The package as `prepare` found it: enough to plan every edit without re-reading."""

    stamp: tuple[int, int]
    book: parts.BookParts
    names: set[str]
    workbook: bytes
    rels: bytes
    types: bytes
    styles: bytes | None
    last_rows: dict[str, int] = field(default_factory=dict)  # worksheet part → last row
    tails: dict[str, bytes] = field(default_factory=dict)  # worksheet part → after sheetData
    custom: props.CustomProps | None = None  # None: the last-write stamp is skipped


def find_sheet(book: parts.BookParts, name: str) -> str | None:
    """The sheet called `name` (Excel compares sheet names without case)."""
    for existing in book.worksheets:
        if existing.casefold() == name.casefold():
            return existing
    return None


def new_part_name(names: set[str]) -> str:
    taken = {n.lower() for n in names}
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in taken:
        n += 1
    return f"xl/worksheets/sheet{n}.xml"


def file_stamp(path: Path) -> tuple[int, int]:
    with mapped(path):
        info = path.stat()
    return info.st_mtime_ns, info.st_size


def read_member(path: Path, member: str) -> bytes:
    with mapped(path), zipfile.ZipFile(path) as archive:
        return archive.read(member)


def tables_of(path: Path, part: str, names: set[str]) -> list[str]:
    rels = parts.rels_path(part)
    if rels not in names:
        return []
    with mapped(path):
        return [t for t in parts.table_parts(part, read_member(path, rels)) if t in names]


def read_snapshot(path: Path, sheets: set[str] | None) -> Snapshot:
    """Parse workbook, relationships, content types, styles and the sheets to be written."""
    stamp = file_stamp(path)
    with mapped(path), zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names) or any(i.flag_bits & 0x1 for i in infos):
            raise WorkbookError(
                f"Le classeur {path.name} contient des parties chiffrées ou en double : "
                "l'écriture des résultats n'est pas possible. Enregistrez-le à nouveau dans "
                "Excel (« Classeur Excel (.xlsx) ») puis relancez. Rien n'a été envoyé."
            )
        with refused(path, parts.WORKBOOK_PART):
            workbook = archive.read(parts.WORKBOOK_PART)
            rels = archive.read(parts.WORKBOOK_RELS)
            book = parts.read_book(workbook, rels)
        with refused(path, parts.CONTENT_TYPES):
            types = archive.read(parts.CONTENT_TYPES)
            ElementTree.fromstring(types)
        styles = archive.read(book.styles) if book.styles in names else None
        if styles is not None:
            with refused(path, book.styles or ""):
                parts.Styles(styles)
        for ledger in (layout.RESULTATS_SHEET, layout.JOURNAL_SHEET):
            if any(n.casefold() == ledger.casefold() for n in book.other_sheets):
                raise WorkbookError(
                    f"La feuille « {ledger} » du classeur {path.name} n'est pas une feuille de "
                    "calcul (graphique ?) : renommez-la, puis relancez. Rien n'a été envoyé."
                )
        snap = Snapshot(stamp, book, set(names), workbook, rels, types, styles)
        snap.custom = props.find_custom(
            archive.read(props.ROOT_RELS) if props.ROOT_RELS in snap.names else None,
            lambda part: archive.read(part) if part in snap.names else None, snap.names)
        ledgers = (layout.RESULTATS_SHEET, layout.JOURNAL_SHEET)
        wanted = {find_sheet(book, name) for name in ledgers}
        wanted |= set(book.worksheets) if sheets is None else sheets
        for sheet in wanted:
            part = book.worksheets.get(sheet or "")
            if part is None:
                continue
            if part not in snap.names:
                raise WorkbookError(f"Feuille « {sheet} » absente du fichier {path.name}.")
            with refused(path, part):
                found = shape(member_chunks(archive, part))
            snap.last_rows[part] = found.last_row
            snap.tails[part] = found.tail
    return snap


@contextmanager
def refused(path: Path, part: str) -> Iterator[None]:
    """A part the writer cannot parse: refused before sending, in French, saying what to do."""
    try:
        yield
    except WorkbookError:
        raise
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile) as exc:
        raise WorkbookError(
            f"Les résultats ne pourraient pas être écrits dans {path.name} (partie {part} "
            "illisible ou d'une forme non prise en charge). Rien n'a été envoyé : ouvrez le "
            "classeur dans Excel, enregistrez-le au format « Classeur Excel (.xlsx) » et relancez.",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
