"""The CLI side of trusted servers and certificates: before any password leaves this machine.

A server named only by the workbook is confirmed once at a terminal (or with
`--faire-confiance`); without a terminal nothing is sent. Rules: `addin.core.trust`.
"""

from __future__ import annotations

import argparse
import sys

from addin.commands.console import err
from addin.core import trust
from addin.core.target import Target, with_ca_folder

__all__ = ["client_options", "server_confirmed"]

_YES = ("oui", "o", "yes", "y")


def server_confirmed(target: Target, args: argparse.Namespace) -> bool:
    """Warn about plain http; True when the password may go to `target.server`."""
    from addin.io import user_config

    warning = trust.http_warning(target.server)
    if warning:
        err.print(warning, markup=False, style="bold yellow")
    if target.server_source == trust.Source.TYPED:
        if not trust.is_loopback(target.server):  # typed by the user: known from now on
            user_config.remember_server(target.server)
        return True
    if not trust.needs_confirmation(
        target.server, target.server_source, user_config.known_servers()
    ):
        return True
    if getattr(args, "faire_confiance", False):
        user_config.remember_server(target.server)
        return True
    if not sys.stdin.isatty():  # a piped "oui" is not a person reading the question
        err.print(trust.refusal_message(target.server), markup=False)
        return False
    err.print(trust.question(target.server, target.fichier, target.utilisateur), markup=False)
    answer = input("Faire confiance à ce serveur ? Tapez « oui » pour confirmer : ")
    if answer.strip().lower() not in _YES:
        err.print("Serveur non confirmé : rien n'a été envoyé.", markup=False)
        return False
    user_config.remember_server(target.server)
    return True


def client_options(target: Target, args: argparse.Namespace) -> dict[str, object]:
    """`GestimumClient` keyword arguments: the OS trust store plus the workbook's CA bundle,
    or no verification at all with `--insecure` (said out loud)."""
    if getattr(args, "insecure", False):
        err.print("Attention : --insecure, le certificat du serveur n'est pas vérifié.",
                  markup=False, style="bold yellow")
        return {"verify": False}
    if getattr(args, "certificat_ca", None):  # typed: relative to the current folder
        return {"ca_bundle": target.ca_bundle}
    workbook = getattr(args, "workbook", None)  # the Connexion sheet's: relative to the workbook
    folder = str(workbook.resolve().parent) if workbook is not None else None
    return {"ca_bundle": with_ca_folder(target, folder).ca_bundle}
