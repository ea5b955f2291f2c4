"""Excel Tables (ListObjects): a sheet holding one is read by the Table's header and data body,
so that its totals row, and whatever lies below it, is never taken for data (pure, stdlib only).

Documented choices:
* The Table named after the endpoint is read; else the sheet's only Table. Several Tables of
  which none (or more than one) names the endpoint: blocking `several-tables`, naming them.
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
    else:
        return grid, [_several(sheet, endpoint, named or list(grid.tables))]
    return _cut(grid, table), []


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
