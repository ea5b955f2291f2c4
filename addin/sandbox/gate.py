"""Who has a company open: one task at a time, the `exclusif` and same-user rules.

Gestimum opens the company for each call; a second request waits for the running task (up to
`QUEUE_SECONDS`), unless a documented option says it must be refused (docs/SANDBOX.md §10).
"""

from __future__ import annotations

import threading

from .errors import RequestError

QUEUE_SECONDS = 120.0  # how long a request waits for the company's running task


class Gate:
    """Who has the company open: one task at a time, `exclusif` and same-user rules."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.user: str | None = None
        self.exclusive = False

    def enter(self, user: str, exclusive: bool, deconnecter: bool, stop: threading.Event) -> None:
        with self.cond:
            if self.user is not None:
                if self.exclusive:
                    raise RequestError(
                        409, f"La société est ouverte en mode exclusif par l'utilisateur "
                        f"{self.user} : réessayez quand sa tâche sera terminée.",
                    )
                if self.user == user and not deconnecter:
                    raise RequestError(
                        409, f"L'utilisateur {user} est déjà connecté à la société. Envoyez "
                        "« deconnecter » = Oui pour fermer sa session.",
                    )
                if exclusive:
                    raise RequestError(
                        409, "Impossible d'ouvrir la société en mode exclusif : l'utilisateur "
                        f"{self.user} est connecté.",
                    )
            waited = 0.0
            while self.user is not None:
                if stop.is_set():
                    raise RequestError(503, "Le bac à sable est en cours d'arrêt.")
                if waited >= QUEUE_SECONDS:
                    raise RequestError(
                        409, "La société est occupée par une autre tâche : réessayez plus tard."
                    )
                self.cond.wait(0.1)
                waited += 0.1
            self.user, self.exclusive = user, exclusive

    def leave(self) -> None:
        with self.cond:
            self.user, self.exclusive = None, False
            self.cond.notify_all()
