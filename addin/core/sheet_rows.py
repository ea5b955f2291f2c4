"""A sheet's data rows: kept column by column as read, a `SheetRow` made only when asked for.

100,000 rows read as 100,000 small objects cost more than formatting them: every object the
cyclic garbage collector tracks is rescanned by each full collection. `Rows` keeps the raw values
in one list per sent column (what formatting reads) and makes a row's `SheetRow` on first access
by index or iteration; that object is then kept, so edits to it (`row.values[...] = …`) are seen
by everything read afterwards, exactly as with a plain list of rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

__all__ = ["Rows", "SheetRow", "row_numbers"]


class SheetRow:
    """One non-blank data row: its Excel row number and raw values by field code.

    `read_sheet` stores the raw cells as a tuple (in `SheetData.columns` order) and builds the
    `values` dict only when asked: 100,000 dicts would cost more than the whole validation.
    """

    __slots__ = ("row", "status", "stamp", "cells", "_codes", "_values")

    def __init__(
        self,
        row: int,
        values: dict[str, object] | None = None,
        status: object = None,
        cells: tuple[object, ...] | None = None,
        codes: tuple[str, ...] = (),
        stamp: object = None,
    ) -> None:
        self.row = row
        self.status = status
        self.stamp = stamp  # #EMPREINTE: run id and content stamp of its last import
        self.cells = cells
        self._codes = codes
        self._values = values if values is not None or cells is not None else {}

    @property
    def values(self) -> dict[str, object]:
        """Raw cell values by field code (a real dict: edits are seen by validation)."""
        if self._values is None:
            self._values = dict(zip(self._codes, self.cells or (), strict=True))
        return self._values

    @values.setter
    def values(self, values: dict[str, object]) -> None:
        self._values = values

    @property
    def untouched(self) -> bool:
        """True while `cells` are still the raw values (no `values` dict handed out)."""
        return self._values is None

    def cells_for(self, codes: tuple[str, ...]) -> tuple[object, ...]:
        """The raw values of these columns, in this order (fast when untouched since reading)."""
        if self._values is None and self._codes is codes:
            return self.cells  # type: ignore[return-value]
        values = self.values
        return tuple(values.get(c) for c in codes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SheetRow):
            return NotImplemented
        return (self.row, self.values, self.status) == (other.row, other.values, other.status)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"SheetRow(row={self.row!r}, values={self.values!r}, status={self.status!r})"


class Rows(Sequence[SheetRow]):
    """The rows of a sheet as read: Excel row numbers, one list of raw values per sent column
    (in `codes` order), the #STATUT and #EMPREINTE cells; `SheetRow`s made on demand."""

    __slots__ = ("numbers", "columns", "statuses", "stamps", "codes", "_made", "_all")

    def __init__(
        self,
        numbers: Sequence[int],
        columns: list[Sequence[object]],
        statuses: list[object],
        stamps: list[object],
        codes: tuple[str, ...],
    ) -> None:
        self.numbers = numbers
        self.columns = columns
        self.statuses = statuses
        self.stamps = stamps
        self.codes = codes
        self._made: dict[int, SheetRow] = {}
        self._all: list[SheetRow] | None = None

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, i: int) -> SheetRow: ...

    @overload
    def __getitem__(self, i: slice) -> list[SheetRow]: ...

    def __getitem__(self, i: int | slice) -> SheetRow | list[SheetRow]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if self._all is not None:
            return self._all[i]
        n = len(self.numbers)
        k = i + n if i < 0 else i
        if not 0 <= k < n:
            raise IndexError("row index out of range")
        row = self._made.get(k)
        if row is None:
            row = self._made[k] = SheetRow(
                self.numbers[k], None, self.statuses[k], tuple(c[k] for c in self.columns),
                self.codes, self.stamps[k],
            )
        return row

    def __iter__(self) -> Iterator[SheetRow]:
        return iter(self._every())

    def _every(self) -> list[SheetRow]:
        """Every row as a `SheetRow` (made once; rows already handed out are kept)."""
        if self._all is None:
            made, codes = self._made, self.codes
            cells = zip(*self.columns, strict=True) if self.columns else (() for _ in self.numbers)
            self._all = [
                made.get(k) or SheetRow(number, None, status, row, codes, stamp)
                for k, (number, status, stamp, row) in enumerate(
                    zip(self.numbers, self.statuses, self.stamps, cells, strict=True))
            ]
            self._made = {}
        return self._all

    def raw_columns(self, codes: tuple[str, ...]) -> list[Sequence[object]] | None:
        """Each column's raw values (read-only), edits made through rows included; None when
        `codes` are not the columns read (then ask each row)."""
        if codes is not self.codes:
            return None
        pairs = self._made.items() if self._all is None else enumerate(self._all)
        edited = [(k, r) for k, r in pairs if not (r.untouched and r._codes is codes)]
        if not edited:
            return self.columns  # type: ignore[return-value]
        columns = [list(c) for c in self.columns]
        for k, row in edited:
            for column, value in zip(columns, row.cells_for(codes), strict=True):
                column[k] = value
        return columns  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._every())


def row_marks(rows: Sequence[SheetRow]) -> tuple[Sequence[object], Sequence[object]]:
    """Each row's `#STATUT` and `#EMPREINTE` values (read-only), without making a `SheetRow`
    per row; rows already handed out (maybe changed) are read as they are now."""
    if not isinstance(rows, Rows) or rows._all is not None:
        return [r.status for r in rows], [getattr(r, "stamp", None) for r in rows]
    if not rows._made:
        return rows.statuses, rows.stamps
    statuses, stamps = list(rows.statuses), list(rows.stamps)
    for k, row in rows._made.items():
        statuses[k], stamps[k] = row.status, row.stamp
    return statuses, stamps


def row_numbers(rows: Sequence[SheetRow]) -> Sequence[int]:
    """The Excel row number of each row (read-only), without making a `SheetRow` per row."""
    if isinstance(rows, Rows):
        return rows.numbers
    return [r.row for r in rows]
