"""Stopping errors of the add-in, each with a French `user_message` saying what to do next.

Validation problems are *data* (`issues.Issue`), never exceptions. Adapters map their library's
exceptions once, into this tree (`raise … from exc`); nothing above them catches `httpx.*` or
`openpyxl.*`.

```
AddinError                        .user_message  .exit_code (CLI, DESIGN §3.2)
├── ConfigError              (2)  bad URL, missing setting
├── RunLockedError           (2)  another import of this workbook or company runs on this machine
├── JournalError             (2)  the run journal cannot be opened or written (nothing sent)
├── WorkbookError            (2)  file missing / not .xlsx / locked / sheet missing
│   └── WriteBackError       (3)  results could not be written after sending (kept elsewhere)
├── ServerUnreachableError   (3)  nothing was sent: DNS, connection refused, connect timeout
│   └── TLSError             (3)  certificate or TLS handshake refused (nothing sent)
├── ServerError              (3)  the server refused the request: {"error": …} or an HTTP error
├── InvalidAnswerError       (3)  the answer is not JSON or not the documented shape
└── OutcomeUnknownError      (3)  the import POST may have reached Gestimum: never re-send blindly
    ├── ImportServerError         (also ServerError) HTTP 5xx without an error body after a POST
    └── InvalidImportAnswerError  (also InvalidAnswerError) unreadable answer to a POST
```
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AddinError",
    "ConfigError",
    "JournalError",
    "RunLockedError",
    "ImportServerError",
    "InvalidAnswerError",
    "InvalidImportAnswerError",
    "OutcomeUnknownError",
    "ServerError",
    "ServerUnreachableError",
    "TLSError",
    "WorkbookError",
    "WriteBackError",
]

CHECK_IN_GESTIMUM = "résultat inconnu — vérifier dans Gestimum avant de relancer"


class AddinError(Exception):
    """Base of every stopping error: `user_message` is shown as is to the user."""

    exit_code: ClassVar[int] = 3
    default_message: ClassVar[str] = "Une erreur est survenue."
    # True when the request certainly never reached the server (safe to re-run).
    nothing_sent: ClassVar[bool] = False

    def __init__(self, user_message: str | None = None, *, detail: str = "") -> None:
        self.user_message = user_message or self.default_message
        self.detail = detail  # technical detail for logs (never a password)
        super().__init__(self.user_message)


class ConfigError(AddinError):
    """A setting is missing or invalid (server URL, company file, user…)."""

    exit_code = 2
    default_message = "Paramètres de connexion invalides : vérifiez la feuille Connexion."
    nothing_sent = True


class RunLockedError(AddinError):
    """Another import of the same workbook, or into the same company, runs on this machine."""

    exit_code = 2
    default_message = "Un autre import est en cours sur ce poste : attendez qu'il se termine."
    nothing_sent = True


class JournalError(AddinError):
    """The run journal cannot be opened or written: nothing is sent without it."""

    exit_code = 2
    default_message = "Le journal des exécutions est inaccessible : rien n'a été envoyé."
    nothing_sent = True


class WorkbookError(AddinError):
    """The workbook cannot be read or written (missing, not .xlsx, locked, sheet missing…)."""

    exit_code = 2
    default_message = "Le classeur ne peut pas être lu ou enregistré."
    nothing_sent = True


class WriteBackError(WorkbookError):
    """Lines were sent but the workbook could not be saved; results were kept in another file."""

    exit_code = 3
    default_message = "Les résultats n'ont pas pu être enregistrés dans le classeur."
    nothing_sent = False


class ServerUnreachableError(AddinError):
    """The server could not be reached; nothing was sent, so running again is safe."""

    default_message = (
        "Serveur Gestimum injoignable (rien n'a été envoyé) : vérifiez l'adresse du serveur, "
        "qu'il est démarré et que le pare-feu l'autorise, puis relancez."
    )
    nothing_sent = True


class TLSError(ServerUnreachableError):
    """The TLS handshake failed (certificate not trusted, wrong protocol); nothing was sent."""

    default_message = (
        "Connexion sécurisée refusée (certificat non reconnu) : rien n'a été envoyé. "
        "Vérifiez l'adresse https du serveur. Si votre entreprise a sa propre autorité de "
        "certification, faites-la installer dans Windows ou indiquez son fichier .pem dans la "
        "ligne « Certificat CA » de la feuille Connexion."
    )


class ServerError(AddinError):
    """The server answered with an error (`{"error": …}` body or an HTTP error status)."""

    default_message = "Le serveur Gestimum a refusé la requête."

    def __init__(
        self,
        user_message: str | None = None,
        *,
        status: int | None = None,
        server_message: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(user_message, detail=detail)
        self.status = status
        self.server_message = server_message


class InvalidAnswerError(AddinError):
    """The answer is not JSON or does not have the documented `{"result": [...]}` shape."""

    default_message = (
        "Réponse du serveur illisible : vérifiez que l'adresse désigne bien le Web Service 2 "
        "de Gestimum."
    )


class OutcomeUnknownError(AddinError):
    """The import request may have reached Gestimum; its outcome is unknown. Never retried."""

    default_message = (
        f"Connexion interrompue après l'envoi : {CHECK_IN_GESTIMUM} "
        "(les lignes ont peut-être été importées)."
    )


class ImportServerError(ServerError, OutcomeUnknownError):
    """An HTTP 5xx without an `{"error": …}` body after an import POST (e.g. a gateway page)."""

    default_message = f"Erreur du serveur pendant l'import : {CHECK_IN_GESTIMUM}."


class InvalidImportAnswerError(InvalidAnswerError, OutcomeUnknownError):
    """An unreadable answer to an import POST: the lines may have been imported."""

    default_message = f"Réponse illisible après l'envoi de l'import : {CHECK_IN_GESTIMUM}."
