"""Which sheets of a workbook to process and the endpoint each targets (DESIGN §3.1 order)."""

from __future__ import annotations

import unicodedata
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
    def sheet_visibility(self, sheet: str) -> str: ...  # "visible", "hidden", "veryHidden"
    def table_names(self, sheet: str) -> list[str]: ...
    def grid(self, sheet: str) -> Grid: ...
    def connexion(self) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """A sheet and the endpoint it targets, with how that was decided (table, sheet, option)."""

    sheet: str
    endpoint: Endpoint
    resolved_by: str


_SERVICE_SHEETS = {"connexion", "resultats", "journal", "lisezmoi", "listes", "correspondances"}


def _data_sheet_endpoint(source: GridSource, sheet: str) -> tuple[Endpoint, str] | None:
    for table in source.table_names(sheet):
        found = resolve_endpoint(table)
        if found is not None:
            return found, "table"
    found = resolve_endpoint(sheet)
    return (found, "sheet") if found is not None else None


_HIDDEN = {"hidden": "masquée", "veryHidden": "très masquée"}


def _find_sheet(names: list[str], wanted: str) -> str | None:
    """The sheet `wanted` designates: the exact name first, else the one name equal to it
    ignoring case and Unicode form (NFC/NFD); several such names without an exact one: error."""
    if wanted in names:
        return wanted
    folded = unicodedata.normalize("NFC", wanted).casefold()
    close = [n for n in names if unicodedata.normalize("NFC", n).casefold() == folded]
    exact = [n for n in close if unicodedata.normalize("NFC", n) == unicodedata.normalize(
        "NFC", wanted)]
    if len(exact) == 1:
        return exact[0]
    if len(close) > 1:
        raise WorkbookError(
            f"Plusieurs feuilles correspondent à « {wanted} » ({', '.join(close)}) : donnez le "
            "nom exact, majuscules comprises."
        )
    return close[0] if close else None


def _visibility(source: GridSource, sheet: str) -> str:
    return source.sheet_visibility(sheet) if hasattr(source, "sheet_visibility") else "visible"


def _has_rows(source: GridSource, sheet: str, endpoint: Endpoint) -> bool:
    """True when the sheet has at least one data row under its header (or no header at all,
    which the check then reports); looks at the top of the sheet first, as rows usually are."""
    from addin.core.sheet import HEADER_SEARCH_ROWS, read_sheet

    values = source.grid(sheet).values
    top = values[: HEADER_SEARCH_ROWS + 50]
    data = read_sheet(top, endpoint, sheet=sheet)
    if data.header_row is None:
        return any(v not in (None, "") for row in values for v in row)
    if data.rows or len(top) == len(values):
        return bool(data.rows)
    return bool(read_sheet(values, endpoint, sheet=sheet).rows)


def select_sheets(
    source: GridSource,
    sheets: Iterable[str] | None = None,
    endpoint: str | None = None,
    *,
    all_sheets: bool = False,
    notes: list[str] | None = None,
) -> list[SheetPlan]:
    """The sheets to process, each with its endpoint (DESIGN §3.1 resolution order).

    Named sheets must exist and resolve (or `endpoint` is given); an exact name wins over a
    case-insensitive match. Without names every visible sheet that resolves is taken, in
    dependency order; hidden and very hidden data sheets are skipped, each with a French line
    appended to `notes` (they are read only when named explicitly).
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
        for name in wanted:
            real = _find_sheet(names, name)
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
    skipped: list[str] = []
    empty: list[SheetPlan] = []
    for name in names:
        found = _data_sheet_endpoint(source, name)
        if found is None and (forced is None or normalise_name(name) in _SERVICE_SHEETS):
            continue
        hidden = _HIDDEN.get(_visibility(source, name))
        if hidden is not None:
            skipped.append(
                f"Feuille « {name} » {hidden} : ignorée. Pour l'importer, affichez-la (clic "
                f"droit sur un onglet > Afficher) ou désignez-la explicitement (en ligne de "
                f"commande : --sheet \"{name}\")."
            )
            continue
        plan = SheetPlan(name, *found) if found else SheetPlan(name, forced, "option")
        # A template's sheets left empty are not data sheets ("import Classeur.xlsx" works),
        # unless no sheet has rows: then the check says "0 ligne(s)" for each.
        (plans if _has_rows(source, name, plan.endpoint) else empty).append(plan)
    if empty and plans:
        skipped.append(f"Feuille(s) sans ligne ignorée(s) : {', '.join(p.sheet for p in empty)}.")
    plans = plans or empty
    if notes is not None:
        notes.extend(skipped)
    if not plans:
        raise WorkbookError(
            "Aucune feuille de données reconnue dans ce classeur : nommez chaque feuille d'après "
            "son point d'entrée (par exemple « Clients ») ou utilisez --sheet et --endpoint."
            + ("".join(" " + s for s in skipped))
        )
    if all_sheets or len(plans) > 1:
        plans.sort(key=lambda p: (p.endpoint.rank, names.index(p.sheet)))
    return plans
