"""Which servers may receive a password without asking: pure rules, no I/O (DESIGN §4).

A shared workbook names its server in its `Connexion` sheet, so it could send the user's
password anywhere. A server is trusted when the user typed it (`--server`, Paramètres), when it
is on this machine (loopback), or when the user confirmed it once on this machine (the known
servers kept by `addin.io.user_config`). Plain `http://` to another machine is allowed (Gestimum
Web Service 2 often runs on a LAN without TLS) but always said out loud.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from addin.core.report_rows import safe_url

__all__ = [
    "Source",
    "http_warning",
    "is_loopback",
    "is_plain_http_remote",
    "needs_confirmation",
    "origin",
    "refusal_message",
    "question",
]


class Source:
    """Where a run's server came from (`Target.server_source`)."""

    TYPED = "saisi"  # --server on the command line; a server the user typed in Excel
    WORKBOOK = "classeur"  # the workbook's Connexion sheet
    DEFAULT = "défaut"  # nothing said: http://localhost:8080


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """`scheme://host:port`, lower case, default port explicit: what decides who gets the data.

    The path is left out (it does not change which machine receives the password); the scheme
    is kept, so that a server known over https is confirmed again before plain http.
    """
    parts = urlsplit((url or "").strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:  # a non-numeric port: keep the text, the client will refuse it
        return (url or "").strip().lower().rstrip("/")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def _host(url: str) -> str:
    try:
        return (urlsplit((url or "").strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def is_loopback(url: str) -> bool:
    """Whether the server is this machine (localhost, 127.0.0.0/8, ::1): nothing leaves it."""
    host = _host(url)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_http_remote(url: str) -> bool:
    """Plain `http://` to another machine: the password and the data cross the network in clear."""
    return urlsplit((url or "").strip()).scheme.lower() == "http" and not is_loopback(url)


def needs_confirmation(url: str, source: str, known: set[str] | frozenset[str]) -> bool:
    """True for a server named only by a workbook, not on loopback, never confirmed here."""
    if source != Source.WORKBOOK or is_loopback(url):
        return False
    return origin(url) not in known


def http_warning(url: str) -> str:
    """The visible warning for plain http to another machine (empty when not needed)."""
    if not is_plain_http_remote(url):
        return ""
    return (f"Attention : connexion non chiffrée (http://) à {origin(url)} : le mot de passe et "
            "les données circulent en clair sur le réseau. Préférez https:// si le serveur "
            "Gestimum le permet.")


def question(url: str, fichier: str, utilisateur: str) -> str:
    """The confirmation asked the first time a workbook sends to a server (French)."""
    return (f"Ce classeur envoie les données et le mot de passe de {utilisateur} (société "
            f"{fichier}) au serveur {origin(url)}, jamais utilisé sur ce poste.\n"
            "Ne confirmez que si ce serveur est bien celui de votre Gestimum : un classeur reçu "
            "par messagerie peut désigner n'importe quel serveur.")


def refusal_message(url: str) -> str:
    """Why nothing was sent when no one could confirm (CLI without a terminal)."""
    return (f"Le classeur désigne le serveur {origin(url)}, jamais utilisé sur ce poste : rien "
            "n'a été envoyé. S'il s'agit bien de votre serveur Gestimum, relancez avec "
            f"--faire-confiance (ou indiquez-le vous-même : --server {safe_url(url)}) ; il sera "
            "ensuite reconnu.")
