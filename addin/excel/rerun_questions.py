"""The two questions the ribbon asks before a real import, only when the run journal gives a
reason: re-send rows of unknown outcome, and create again pièces changed after their import.

Both default to No: sending again is an explicit choice, never the side effect of a click.
"""

from __future__ import annotations

from typing import Any

from addin.core import pipeline
from addin.excel.runner import TITLE

__all__ = ["ask_rerun_choices"]


def ask_rerun_choices(excel: Any, checks: list[pipeline.SheetCheck], journal: Any,
                      target: dict[str, str], settings: pipeline.RunSettings) -> None:
    """Set `settings.resend_unknown` and `settings.send_changed` from the user's answers."""
    plans = pipeline.plan_sheets(checks, journal, target).values()
    held = sum(plan.held_unknown for plan in plans)
    if held:
        settings.resend_unknown = excel.confirm(
            f"{held} ligne(s) ont déjà été envoyées sans réponse sûre de Gestimum (statut « À "
            "vérifier »).\n\nAvez-vous vérifié dans Gestimum qu'elles n'y sont PAS ?\n"
            "Oui : les renvoyer.\nNon : les laisser de côté (conseillé si vous n'avez pas "
            "vérifié).", f"{TITLE} — lignes à vérifier")
    pieces = sum(plan.changed_pieces for plan in plans)
    if pieces:
        settings.send_changed = excel.confirm(
            f"{pieces} pièce(s) (documents ou écritures) déjà importée(s) ont été modifiée(s) "
            f"depuis leur import.\n\nLes envoyer créerait {pieces} nouvelle(s) pièce(s) dans "
            "Gestimum, EN DOUBLE des premières (qui resteraient à corriger ou supprimer dans "
            "Gestimum).\n\nOui : créer ces pièces une seconde fois.\nNon : les laisser de côté "
            "(conseillé).", f"{TITLE} — doublons")
