"""The Excel side of trusted servers: a confirmation box before a password goes to a server
named only by the workbook, and the plain-http warning. Rules: `addin.core.trust`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from addin.core import trust
from addin.excel.runner import TITLE, Cancelled
from addin.io import user_config

if TYPE_CHECKING:
    from addin.core.target import Target
    from addin.excel.book import ExcelWorkbook

__all__ = ["confirm_server", "remember_typed"]


def confirm_server(excel: ExcelWorkbook, target: Target) -> str:
    """Ask once per server named only by the workbook (Cancelled on anything but "yes");
    returns the plain-http warning to show with the result ("" when none)."""
    warning = trust.http_warning(target.server)
    if trust.needs_confirmation(target.server, target.server_source,
                                user_config.known_servers()):
        text = trust.question(target.server, target.fichier, target.utilisateur)
        if warning:
            text += "\n\n" + warning
        if not excel.confirm(text + "\n\nFaire confiance à ce serveur ?",
                             f"{TITLE} — nouveau serveur"):
            raise Cancelled("Serveur non confirmé : rien n'a été envoyé. Vérifiez la ligne "
                            "« Serveur » de la feuille Connexion (bouton Paramètres).")
        user_config.remember_server(target.server)
    return warning


def remember_typed(server: str) -> None:
    """A server the user typed or validated in the Paramètres dialog is known from now on."""
    if not trust.is_loopback(server):
        user_config.remember_server(server)
