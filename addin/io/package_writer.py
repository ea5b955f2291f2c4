"""The headless result sink: `#` columns, Résultats and Journal written into the .xlsx/.xlsm
package surgically, then the file replaced atomically.

Every zip member it does not change is copied byte for byte (compressed bytes included); a data
sheet is stream-rewritten cell by cell, so formulas keep their cached values and images, charts,
VBA, custom XML, Tables, filters and the rest survive. `prepare()` reads everything the writer
will touch before anything is sent: a file it could not write is refused up front.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from addin.core import cell_text, layout, status, versions
from addin.core.errors import WorkbookError, WriteBackError
from addin.core.grid import Grid
from addin.io import package_parts as parts
from addin.io import package_props as props
from addin.io import package_snapshot as snapshot
from addin.io.file_safety import check_writable, remove_leftovers, write_atomically
from addin.io.package_zip import copy_member, member_chunks
from addin.io.sheet_cells import CellStyles, Put
from addin.io.sheet_rewrite import (
    ColourRules,
    SheetEdit,
    has_colour_rules,
    new_sheet_xml,
    rewrite_sheet,
)

__all__ = ["PackageSink"]

# A text can only look like a formula when it starts with a trigger or a removed control char.
_FIRST_CHARS_TO_CHECK = frozenset("=+-@\t\r\n" + "".join(map(chr, range(32))))
# Rewritten parts only: level 2 takes a quarter of the time of zlib's default 6 (0.25 s against
# 0.9 s for a 100,000-row sheet) for ~20 % more bytes.
COMPRESS_LEVEL = 2
STATUS_WIDTH = 40.0
HIDDEN_WIDTH = 12.0


class _Source(Protocol):
    """What the sink needs of the workbook it writes back into (the calamine reader)."""

    path: Path

    def sheet_names(self) -> list[str]: ...
    def grid(self, sheet: str) -> Grid: ...
    def close(self) -> None: ...


@dataclass(slots=True)
class _Columns:
    data: Any
    values: dict[str, dict[int, object]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)


class PackageSink:
    """`ResultSink` that buffers statuses and ledger rows, then writes them in one save."""

    def __init__(self, source: _Source, out: Path | None) -> None:
        self.source = source
        self.target = out or source.path
        self._columns: dict[str, _Columns] = {}
        self._results: list[list[object]] = []
        self._journal: list[list[object]] = []
        # Sheets whose whole content is replaced (a state, e.g. Correspondances): name →
        # (new rows, previous rows).
        self._whole: dict[str, tuple[list[list[object]], list[list[object]]]] = {}
        self._snapshot: snapshot.Snapshot | None = None
        self._sheets: set[str] | None = set()
        self.fallback: Path | None = None
        check_writable(self.target)

    # -- before sending -------------------------------------------------------------------

    def prepare(self, sheets: Iterable[str] | None = None) -> None:
        """Read every part the writer will touch (the given data sheets, or all of them):
        refuses, before anything is sent, a file whose results could not be written."""
        check_writable(self.target)
        remove_leftovers(self.target)
        if sheets is None:
            self._sheets = None
        elif self._sheets is not None:
            self._sheets |= set(sheets)
        self._snapshot = snapshot.read_snapshot(self.source.path, self._sheets)

    # -- ResultSink ---------------------------------------------------------------------------

    def write_statuses(self, sheet: str, data: Any, rows: Sequence[Any]) -> None:
        """Buffer row texts; skipped rows keep their earlier status (and its pièce number)."""
        texts = {r.row: r.text for r in rows if r.state != status.RowState.SKIPPED}
        self.write_columns(sheet, data, {layout.STATUS_HEADER: texts})
        # The run journal's hidden #EMPREINTE: run id and content stamp of each row sent, so
        # that a saved copy opened on another machine still knows what was imported.
        stamps = {r.row: r.stamp for r in rows if getattr(r, "stamp", "")}
        if stamps:
            self.write_columns(sheet, data, {layout.STAMP_HEADER: stamps},
                               hidden=[layout.STAMP_HEADER])

    def write_columns(
        self,
        sheet: str,
        data: Any,
        columns: Mapping[str, Mapping[int, object]],
        *,
        hidden: Iterable[str] = (),
    ) -> None:
        """Buffer `#` column cells: header → {Excel row: value}; a missing header is created
        after the used columns (`hidden` ones hidden), as `#STATUT` is."""
        entry = self._columns.setdefault(sheet, _Columns(data))
        for header, values in columns.items():
            entry.values.setdefault(header.strip().upper(), {}).update(values)
        entry.hidden.update(h.strip().upper() for h in hidden)

    def write_sheet(self, name: str, rows: list[list[object]],
                    previous: Sequence[Sequence[object]] = ()) -> None:
        """Replace the values of sheet `name` (created if missing) with `rows`, from A1; the
        cells of `previous` (its current values) that `rows` does not cover are emptied."""
        blank = ("", None)
        self._whole[name] = ([[None if v in blank else v for v in r] for r in rows],
                             [list(r) for r in previous])

    def append_results(self, rows: list[list[object]]) -> None:
        self._results.extend(rows)

    def append_journal(self, rows: list[list[object]]) -> None:
        self._journal.extend(rows)

    def save(self) -> None:
        """Write everything buffered into the package, atomically (or into a fallback copy)."""
        if not self._pending() and self.target == self.source.path:
            return
        stamp = snapshot.file_stamp(self.source.path)
        snap = self._snapshot
        unread = self._sheets is not None and not set(self._columns) <= self._sheets
        if snap is None or snap.stamp != stamp or unread:  # changed, or sheets not prepared
            if self._sheets is not None:
                self._sheets |= set(self._columns)
            self._snapshot = snapshot.read_snapshot(self.source.path, self._sheets)
        plan = self._plan(self._snapshot)
        self.source.close()  # Windows cannot replace an open file
        try:
            write_atomically(self.target, lambda fh: _write_package(self.source.path, plan, fh))
        except WorkbookError as exc:
            self.fallback = _save_fallback(self.target, plan, self.source.path)
            where = f" Ils ont été enregistrés dans {self.fallback}." if self.fallback else ""
            raise WriteBackError(
                f"{exc.user_message} Les lignes ont été envoyées mais les résultats n'ont pas pu "
                f"être écrits dans {self.target.name}.{where}",
                detail=exc.detail,
            ) from exc
        self._columns.clear()
        self._whole.clear()
        self._results.clear()
        self._journal.clear()
        self._snapshot = None

    def _pending(self) -> bool:
        return bool(self._results or self._journal or self._whole or any(
            v for c in self._columns.values() for v in c.values.values()))

    # -- planning -----------------------------------------------------------------------------

    def _plan(self, snap: snapshot.Snapshot) -> _Plan:
        plan = _Plan(styles=parts.Styles(snap.styles or parts.MINIMAL_STYLES))
        plan.cells.date1904 = snap.book.date1904
        whole = [r for rows, _ in self._whole.values() for r in rows]
        texts = [v for c in self._columns.values() for col in c.values.values()
                 for v in col.values()] + [v for r in self._results + self._journal + whole
                                           for v in r]
        if any(isinstance(v, str) and v[:1] in _FIRST_CHARS_TO_CHECK
               and cell_text.looks_like_formula(cell_text.clean_text(v)) for v in texts):
            plan.cells.quote = plan.styles.cell_style(extra=b' quotePrefix="1"')
        if any(isinstance(v, datetime) for v in texts):
            fmt = plan.styles.number_format("dd/mm/yyyy hh:mm:ss")
            plan.cells.datetime = plan.styles.cell_style(number_format=fmt,
                                                         extra=b' applyNumberFormat="1"')
        if any(isinstance(v, date) and not isinstance(v, datetime) for v in texts):
            fmt = plan.styles.number_format("dd/mm/yyyy")
            plan.cells.date = plan.styles.cell_style(number_format=fmt,
                                                     extra=b' applyNumberFormat="1"')
        for sheet, columns in self._columns.items():
            self._plan_columns(snap, plan, sheet, columns)
        workbook, rels, types = snap.workbook, snap.rels, snap.types
        for name, headers, rows in (
            (layout.RESULTATS_SHEET, layout.RESULTATS_HEADERS, self._results),
            (layout.JOURNAL_SHEET, layout.JOURNAL_HEADERS, self._journal),
        ):
            if not rows:
                continue
            edit, last, (workbook, rels, types) = _sheet_edit(
                snap, plan, name, (workbook, rels, types))
            if last == 0:
                plan.cells.bold = plan.styles.cell_style(
                    font=plan.styles.bold_font(), extra=b' applyFont="1"')
                edit.new_rows[1] = (headers, plan.cells.bold)
                last = 1
            for offset, row in enumerate(rows, start=last + 1):
                edit.new_rows[offset] = (row, None)
        for name, (rows, previous) in self._whole.items():
            workbook, rels, types = self._plan_whole(snap, plan, name, rows, previous,
                                                     (workbook, rels, types))
        if snap.styles is None and plan.styles.changed:
            rels, types = parts.add_styles_part(rels, types, "xl/styles.xml")
            plan.new_parts["xl/styles.xml"] = plan.styles.xml
        elif plan.styles.changed and snap.book.styles:
            plan.replaced[snap.book.styles] = plan.styles.xml
        if self._pending():
            types = _plan_last_write(snap, plan, types)
        if workbook is not snap.workbook:
            plan.replaced.update({parts.WORKBOOK_PART: workbook, parts.WORKBOOK_RELS: rels})
        if types is not snap.types:
            plan.replaced[parts.CONTENT_TYPES] = types
        return plan

    def _plan_whole(
        self, snap: snapshot.Snapshot, plan: _Plan, name: str, rows: list[list[object]],
        previous: list[list[object]], book: tuple[bytes, bytes, bytes],
    ) -> tuple[bytes, bytes, bytes]:
        """A sheet rewritten as a whole: existing cells replaced, stale ones emptied."""
        edit, last, book = _sheet_edit(snap, plan, name, book)
        for r in range(1, max(len(rows), len(previous)) + 1):
            values = rows[r - 1] if r <= len(rows) else []
            if r > last:
                if values:
                    edit.new_rows[r] = (values, None)
                continue
            width = max(len(values), len(previous[r - 1]) if r <= len(previous) else 0)
            for c in range(1, width + 1):
                value = values[c - 1] if c <= len(values) else None
                edit.puts.setdefault(r, {})[c] = Put("" if value is None else value)
        return book

    def _plan_columns(
        self, snap: snapshot.Snapshot, plan: _Plan, sheet: str, columns: _Columns
    ) -> None:
        header_row = getattr(columns.data, "header_row", None)
        part = snap.book.worksheets.get(sheet)
        if header_row is None or part is None:  # no header: the sheet had no rows to report on
            return
        grid = self.source.grid(sheet) if sheet in self.source.sheet_names() else None
        found, next_col = _header_columns(grid, header_row)
        status_column = getattr(columns.data, "status_column", None)
        if status_column is not None and grid is not None:
            found[layout.STATUS_HEADER] = grid.first_col + status_column.index
        edit = plan.edits.setdefault(part, SheetEdit())
        tables = {t: plan.replaced.get(t) or snapshot.read_member(self.source.path, t)
                  for t in snapshot.tables_of(self.source.path, part, snap.names)}
        for header, values in columns.values.items():
            col = found.get(header)
            if col is None:
                col, next_col = next_col, next_col + 1
                edit.puts.setdefault(header_row, {})[col] = Put(header, left_style=True)
                hidden = header in columns.hidden
                edit.widths[col] = (HIDDEN_WIDTH, True) if hidden else (STATUS_WIDTH, False)
                for table, xml in tables.items():
                    grown = parts.extend_table(xml, header_row, col, header)
                    if grown is not None:
                        tables[table] = plan.replaced[table] = grown
            for row, value in values.items():
                if row != header_row:
                    edit.puts.setdefault(row, {})[col] = Put(value)
            if header == layout.STATUS_HEADER:
                rules = ColourRules(col, header_row + 1, {})
                if not has_colour_rules(snap.tails.get(part, b""), rules):
                    rules.dxf_ids = {label: plan.styles.fill_dxf(status.STATE_FILLS[state])
                                     for state, label in status.STATE_LABELS.items()}
                    edit.colours = rules


def _sheet_edit(
    snap: snapshot.Snapshot, plan: _Plan, name: str, book: tuple[bytes, bytes, bytes]
) -> tuple[SheetEdit, int, tuple[bytes, bytes, bytes]]:
    """The edit of sheet `name` (a new part when missing), its last used row, and the workbook,
    rels and content types updated for a new sheet."""
    existing = snapshot.find_sheet(snap.book, name)
    part = snap.book.worksheets.get(existing) if existing else None
    last = snap.last_rows.get(part, 0) if part else 0
    if part is None:
        part = snapshot.new_part_name(snap.names | set(plan.new_parts))
        plan.new_parts[part] = new_sheet_xml()
        book = parts.add_sheet(*book, name, part)
    return plan.edits.setdefault(part, SheetEdit()), last, book


@dataclass(slots=True)
class _Plan:
    """Every change of one save: parts replaced whole, parts rewritten, parts added."""

    styles: parts.Styles
    cells: CellStyles = field(default_factory=CellStyles)
    replaced: dict[str, bytes] = field(default_factory=dict)
    edits: dict[str, SheetEdit] = field(default_factory=dict)
    new_parts: dict[str, bytes] = field(default_factory=dict)


def _plan_last_write(snap: snapshot.Snapshot, plan: _Plan, types: bytes) -> bytes:
    """Record which gestimum-excel and catalog last wrote into the workbook (a custom document
    property); a package whose properties cannot be edited safely is written without it."""
    custom = snap.custom
    if custom is None:
        return types
    key, value = versions.LAST_WRITE_KEY, versions.last_write_stamp()
    try:
        if custom.xml is not None:
            plan.replaced[custom.part] = props.set_property(custom.xml, key, value)
            return types
        root_rels, new_types = props.add_relationship(custom.root_rels, types, custom.part)
    except (ValueError, WorkbookError):
        return types
    plan.new_parts[custom.part] = props.new_part(key, value)
    plan.replaced[props.ROOT_RELS] = root_rels
    return new_types


def _header_columns(grid: Grid | None, header_row: int) -> tuple[dict[str, int], int]:
    """`#` headers already on the header row (upper case → column), and the next free column."""
    if grid is None or not grid.values:
        return {}, 1
    found: dict[str, int] = {}
    index = header_row - grid.first_row
    if 0 <= index < len(grid.values):
        for offset, value in enumerate(grid.values[index]):
            if isinstance(value, str) and value.strip().startswith(layout.SKIP_PREFIX):
                found.setdefault(value.strip().upper(), grid.first_col + offset)
    return found, grid.first_col + max(len(r) for r in grid.values)


def _write_package(source: Path, plan: _Plan, fh: BinaryIO) -> None:
    """The new package: members in their order, changed ones rewritten, the rest raw-copied."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(fh, "w") as dst:
        for info in src.infolist():
            name = info.filename
            if name in plan.replaced:
                dst.writestr(_fresh(info), plan.replaced[name])
            elif name in plan.edits:
                with dst.open(_fresh(info), "w") as out:
                    rewrite_sheet(member_chunks(src, name), plan.edits[name], plan.cells, out.write)
            else:
                copy_member(dst, src, info)
        for name, xml in plan.new_parts.items():
            info = _fresh(zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6]))
            if name in plan.edits:
                with dst.open(info, "w") as out:
                    rewrite_sheet(iter((xml,)), plan.edits[name], plan.cells, out.write)
            else:
                dst.writestr(info, xml)


def _fresh(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = zipfile.ZIP_DEFLATED
    new._compresslevel = COMPRESS_LEVEL  # noqa: SLF001 - per-member level (3.11 has no setter)
    new.external_attr = info.external_attr
    return new


def _save_fallback(target: Path, plan: _Plan, source: Path) -> Path | None:
    """Keep the results somewhere when the target cannot be written (nothing may be lost)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{target.stem}.resultats-{stamp}{target.suffix}"
    for folder in (target.parent, Path(tempfile.gettempdir())):
        try:
            write_atomically(folder / name, lambda fh: _write_package(source, plan, fh))
            return folder / name
        except WorkbookError:
            continue
    return None
