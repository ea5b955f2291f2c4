"""Excel Tables (ListObjects): a sheet holding one is read by the Table's header and data body,
so that its totals row, and whatever lies below it, is never taken for data (pure, stdlib only).

Documented choices:
* The Table named after the endpoint is read; else the sheet's only Table when the sheet's
  header row is that Table's header row with every field code inside it (a small helper
  Table beside the data is not the data). Several Tables of which none (or more than one)
  names the endpoint: blocking `several-tables`, naming them.
* Filled rows below the Table (past its totals row) are not read: an `outside-table` warning
  names the first of them, so that rows typed under a Table that did not grow are not lost
  without a word.
* Rows are cut to the Table (header row, then data body; the totals row is left out); columns
  are kept, so that a `#STATUT` column written next to the Table is still read back.
* A Table without header row is read with the rows above it, where its field codes then are.
"""

from __future__ import annotations

from dataclasses import replace

from addin.core import issues as ic
from addin.core.catalog import Endpoint, resolve_endpoint
from addin.core.grid import Grid, TableExtent
from addin.core.issues import Issue, Severity
from addin.core.sheet import header_index

__all__ = ["table_view"]


def table_view(grid: Grid, sheet: str, endpoint: Endpoint) -> tuple[Grid, list[Issue]]:
    """The part of `grid` the sheet's rows are read from, and issues about its Tables."""
    if not grid.tables:
        return grid, []
    named = [t for t in grid.tables if resolve_endpoint(t.name) == endpoint]
    if len(named) == 1:
        table = named[0]
    elif len(grid.tables) == 1 and not named:
        table = grid.tables[0]
        if not _holds_header(grid, table, endpoint):
            return grid, []  # the data is not in this Table: read the sheet as a plain one
    else:
        return grid, [_several(sheet, endpoint, named or list(grid.tables))]
    return _cut(grid, table), _below(grid, table, sheet)


def _holds_header(grid: Grid, table: TableExtent, endpoint: Endpoint) -> bool:
    """Whether the sheet's header row is this Table's, with every field code inside it."""
    if not table.header_rows:
        return True
    h = header_index(grid.values, endpoint)
    if h is None or grid.first_row + h != table.first_row:
        return False
    for i, cell in enumerate(grid.values[h]):
        col = grid.first_col + i
        if isinstance(cell, str) and endpoint.field(cell.strip()) is not None and not (
            table.first_col <= col <= table.last_col
        ):
            return False
    return True


def _below(grid: Grid, table: TableExtent, sheet: str) -> list[Issue]:
    """A warning for the first filled row under the Table, in the Table's columns."""
    start = table.last_row + 1 - grid.first_row
    left, right = table.first_col - grid.first_col, table.last_col - grid.first_col
    for offset, row in enumerate(grid.values[max(start, 0):]):
        cells = row[max(left, 0):right + 1]
        if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            excel_row = grid.first_row + max(start, 0) + offset
            return [Issue(
                ic.OUTSIDE_TABLE, Severity.WARNING,
                f"La ligne {excel_row} est sous le tableau « {table.name} » (qui s'arrête "
                f"ligne {table.last_row}) : elle n'est pas importée, ni les suivantes. Si ce "
                f"sont des données, agrandissez le tableau (poignée en bas à droite) pour les "
                f"y inclure.",
                sheet, excel_row,
            )]
    return []


def _cut(grid: Grid, table: TableExtent) -> Grid:
    top = table.first_row if table.header_rows else grid.first_row
    _, bottom = table.body
    start = max(top - grid.first_row, 0)
    stop = max(bottom - grid.first_row + 1, start)
    values = grid.values[start:stop]
    first = grid.first_row + start
    last = first + len(values) - 1

    def inside(row: int) -> bool:
        return first <= row <= last

    return replace(
        grid,
        values=values,
        first_row=first,
        formula_cells=frozenset(c for c in grid.formula_cells if inside(c[0])),
        hidden_rows=frozenset(r for r in grid.hidden_rows if inside(r)),
        percent_cells=frozenset(c for c in grid.percent_cells if inside(c[0])),
        tables=(table,),
    )


def _several(sheet: str, endpoint: Endpoint, tables: list[TableExtent]) -> Issue:
    names = ", ".join(f"« {t.name} »" for t in tables)
    return Issue(
        ic.SEVERAL_TABLES, Severity.BLOCKING,
        f"La feuille « {sheet} » contient plusieurs tableaux Excel ({names}) : le complément "
        f"n'en lit qu'un par feuille. Placez chaque tableau sur sa propre feuille, ou nommez "
        f"« {endpoint.name} » celui à importer (Création de tableau > Nom du tableau).",
        sheet,
    )
