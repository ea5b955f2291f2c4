"""Where the Gestimum password comes from: environment, OS credential store, or a prompt.

The password is never written to a workbook, ledger, journal or log; this module is the only
place that reads or stores it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from addin.core import trust
from addin.core.report_rows import safe_url

__all__ = [
    "ENV_VAR", "SERVICE", "delete_password", "get_password", "prompt_text", "store_password",
]

ENV_VAR = "GESTIMUM_MOT_PASSE"
SERVICE = "gestimum-excel"


def _account(server: str, fichier: str, utilisateur: str) -> str:
    # One entry per server, company file and user: the same user may have other passwords on
    # another company or server. The server by origin, so "HTTP://Srv:8080/" is "http://srv:8080"
    # and a password kept for https is never handed to plain http on the same host.
    return f"{utilisateur}@{fichier}@{trust.origin(server)}"


def prompt_text(server: str, fichier: str, utilisateur: str) -> str:
    """The password question: it names the server and the company, so the user sees where the
    password goes before typing it."""
    return (f"Mot de passe Gestimum de {utilisateur}, société {fichier}, sur le serveur "
            f"{safe_url(server)} : ")


def _keyring():  # noqa: ANN202 - keyring has no public type for its module
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a declared dependency
        return None, Exception
    return keyring, KeyringError


def stored_password(server: str, fichier: str, utilisateur: str) -> str | None:
    """The password kept in the OS credential store, or None (no entry or no usable store)."""
    keyring, keyring_error = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(SERVICE, _account(server, fichier, utilisateur))
    except (keyring_error, RuntimeError, OSError):
        return None


def store_password(server: str, fichier: str, utilisateur: str, password: str) -> bool:
    """Keep the password in the OS credential store; False when no store is usable here."""
    keyring, keyring_error = _keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(SERVICE, _account(server, fichier, utilisateur), password)
    except (keyring_error, RuntimeError, OSError):
        return False
    return True


def delete_password(server: str, fichier: str, utilisateur: str) -> bool:
    """Forget the stored password; False when there was none or no store is usable."""
    keyring, keyring_error = _keyring()
    if keyring is None:
        return False
    try:
        keyring.delete_password(SERVICE, _account(server, fichier, utilisateur))
    except (keyring_error, RuntimeError, OSError):
        return False
    return True


def get_password(
    server: str,
    fichier: str,
    utilisateur: str,
    *,
    prompt: Callable[[str], str] | None = None,
    environ: dict[str, str] | None = None,
) -> str:
    """`GESTIMUM_MOT_PASSE` if set (even empty), else the credential store, else `prompt`.

    Without a prompt (no terminal, CI) and nothing found, the password is empty, which is what
    the demo company expects.
    """
    env = os.environ if environ is None else environ
    if ENV_VAR in env:
        return env[ENV_VAR]
    found = stored_password(server, fichier, utilisateur)
    if found is not None:
        return found
    if prompt is None:
        return ""
    return prompt(prompt_text(server, fichier, utilisateur))
