"""Which sheets of a workbook to process and the endpoint each targets (DESIGN §3.1 order)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from addin.core.catalog import Endpoint, get_endpoint, normalise_name, resolve_endpoint
from addin.core.errors import WorkbookError
from addin.core.grid import Grid

__all__ = ["GridSource", "SheetPlan", "select_sheets"]


class GridSource(Protocol):
    """Read side of a workbook (openpyxl file or live Excel book)."""

    def sheet_names(self) -> list[str]: ...
    def table_names(self, sheet: str) -> list[str]: ...
    def grid(self, sheet: str) -> Grid: ...
    def connexion(self) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """A sheet and the endpoint it targets, with how that was decided (table, sheet, option)."""

    sheet: str
    endpoint: Endpoint
    resolved_by: str


_SERVICE_SHEETS = {"connexion", "resultats", "journal", "lisezmoi", "listes"}


def _data_sheet_endpoint(source: GridSource, sheet: str) -> tuple[Endpoint, str] | None:
    for table in source.table_names(sheet):
        found = resolve_endpoint(table)
        if found is not None:
            return found, "table"
    found = resolve_endpoint(sheet)
    return (found, "sheet") if found is not None else None


def select_sheets(
    source: GridSource,
    sheets: Iterable[str] | None = None,
    endpoint: str | None = None,
    *,
    all_sheets: bool = False,
) -> list[SheetPlan]:
    """The sheets to process, each with its endpoint (DESIGN §3.1 resolution order).

    Named sheets must exist and resolve (or `endpoint` is given); without names every sheet that
    resolves is taken, in dependency order.
    """
    names = source.sheet_names()
    forced = None
    if endpoint:
        try:
            forced = get_endpoint(endpoint)
        except KeyError:
            raise WorkbookError(
                f"Point d'entrée « {endpoint} » inconnu. "
                "La commande « gestimum-excel endpoints » donne la liste."
            ) from None
        if not forced.is_import:
            raise WorkbookError(f"« {endpoint} » n'est pas un point d'entrée d'import.")
    wanted = list(sheets or [])
    plans: list[SheetPlan] = []
    if wanted:
        by_lower = {n.casefold(): n for n in names}
        for name in wanted:
            real = by_lower.get(name.casefold())
            if real is None:
                raise WorkbookError(
                    f"Feuille « {name} » introuvable. Feuilles du classeur : {', '.join(names)}."
                )
            found = _data_sheet_endpoint(source, real)
            if forced is not None:
                plans.append(SheetPlan(real, forced, "option"))
            elif found is not None:
                plans.append(SheetPlan(real, *found))
            else:
                raise WorkbookError(
                    f"Feuille « {real} » : impossible de savoir vers quel point d'entrée Gestimum "
                    "l'envoyer. Nommez la feuille (ou son tableau Excel) d'après le point "
                    "d'entrée, par exemple « Clients », ou précisez --endpoint."
                )
        return plans
    for name in names:
        found = _data_sheet_endpoint(source, name)
        if found is not None:
            plans.append(SheetPlan(name, *found))
        elif forced is not None and normalise_name(name) not in _SERVICE_SHEETS:
            plans.append(SheetPlan(name, forced, "option"))
    if not plans:
        raise WorkbookError(
            "Aucune feuille de données reconnue dans ce classeur : nommez chaque feuille d'après "
            "son point d'entrée (par exemple « Clients ») ou utilisez --sheet et --endpoint."
        )
    if all_sheets or len(plans) > 1:
        plans.sort(key=lambda p: (p.endpoint.rank, names.index(p.sheet)))
    return plans
