"""How a ribbon action runs: the caller's book, Excel in batch mode, every failure in French.

Each failure becomes a message box plus a `Résultats` row, so that it leaves a trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from addin.core import cell_text, layout, report_rows
from addin.core.connexion import DEFAULTS
from addin.core.errors import AddinError
from addin.core.gc_pause import collector_paused
from addin.core.issues import Issue
from addin.excel.book import ExcelWorkbook

if TYPE_CHECKING:
    from addin.core.run_report import RunReport

__all__ = ["TITLE", "Cancelled", "MacroResult", "caller_book", "run_action"]

log = logging.getLogger("addin.macros")

TITLE = "Gestimum"


@dataclass(slots=True)
class MacroResult:
    """What a ribbon action did (the VBA ignores it; tests and scripts read it)."""

    action: str
    ok: bool
    message: str
    report: RunReport | None = None
    issues: list[Issue] = field(default_factory=list)


class Cancelled(Exception):
    """The user said no or closed a prompt: nothing happened, nothing to log as an error."""


def caller_book(book: Any | None) -> Any:
    if book is not None:
        return book
    import xlwings as xw  # only here: the UDF server and the tests never need Book.caller()

    return xw.Book.caller()


Body = Callable[[ExcelWorkbook], "MacroResult"]


def run_action(book: Any | None, action: str, body: Body) -> MacroResult:
    """Run one action with Excel in batch mode; every failure becomes a message + ledger row."""
    excel = ExcelWorkbook(caller_book(book))
    try:
        with excel.busy(), collector_paused():  # Excel's Python lives on: paused, not off
            result = body(excel)
    except Cancelled as exc:
        result = MacroResult(action, False, str(exc))
        excel.alert(result.message, TITLE)
        return result
    except AddinError as exc:
        log.warning("%s: %s %s", action, exc.user_message, exc.detail)
        return _failure(excel, action, exc.user_message)
    except Exception as exc:  # a bug must still end in a French message, never a traceback
        log.exception("unexpected error in %s", action)
        return _failure(excel, action, (
            "Erreur inattendue du complément Gestimum. Consultez la feuille Résultats (les lots "
            "déjà envoyés y figurent) avant de relancer, et transmettez ce message au support. "
            f"Détails : {type(exc).__name__} : {exc}"))
    excel.alert(result.message, TITLE, critical=not result.ok)
    return result


def _failure(excel: ExcelWorkbook, action: str, message: str) -> MacroResult:
    """French critical message box, plus a `Résultats` row so the failure leaves a trace."""
    try:
        excel.flush()  # ledger rows of batches sent before the failure come first
        excel.append_results([_error_row(excel, action, message)])
        excel.flush()
    except Exception:  # the message box below must be shown even if the ledger cannot be
        log.exception("could not write the error to %s", layout.RESULTATS_SHEET)
    excel.alert(message, f"{TITLE} — erreur", critical=True)
    return MacroResult(action, False, message)


def _error_row(excel: ExcelWorkbook, action: str, message: str) -> list[object]:
    """A `Résultats` row for a run that failed outside any batch (filled by header name)."""
    target = _target_or_defaults(excel)
    by_header: dict[str, object] = {
        "Date": datetime.now().replace(microsecond=0),
        "Utilisateur (OS)": report_rows.os_user(),
        "Serveur": report_rows.safe_url(target.get("server", "")),
        "Société": target.get("fichier", ""),
        "Utilisateur Gestimum": target.get("utilisateur", ""),
        "Feuille": _active_or_blank(excel),
        "Mode (test/réel)": "test" if action == "tester" else "réel",
        "Lignes envoyées": 0,
        "Résultat": cell_text.clean_text(f"Erreur ({action}) : {message}"),
    }
    return [by_header.get(header, "") for header in layout.RESULTATS_HEADERS]


def _target_or_defaults(excel: ExcelWorkbook) -> dict[str, str]:
    try:
        return {**DEFAULTS, **excel.connexion()}
    except Exception:  # the error being reported may be an unreadable Connexion sheet
        return dict(DEFAULTS)


def _active_or_blank(excel: ExcelWorkbook) -> str:
    try:
        return excel.active_sheet()
    except Exception:
        return ""
