"""Fixtures of the Excel tests: a sandbox, books on the counting stand-in, a memory keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from addin.sandbox import running_sandbox

from .fakexw import FakeBook

PROSPECT_CODES = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"]
PROSPECT_LABELS = ["Code prospect *", "Compte", "Raison sociale *", "Rue", "Code postal", "Ville"]


def prospect(i: int) -> list[Any]:
    """One valid Prospects row (the documented example, numbered)."""
    return [f"P{i}", f"411P{i}", f"Société {i}", "6 rue de la paix", "78120", "RAMBOUILLET"]


class MemoryKeyring(KeyringBackend):
    """An OS credential store stand-in: keeps passwords in a dict for one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def sandbox() -> Iterator[Any]:
    """A fresh sandbox per test (0.2 s): no test sees another's imports or faults."""
    with running_sandbox(faults=True) as handle:
        yield handle


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def empty_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo company's password is empty; tests of the prompt path remove the variable."""
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")


BookFactory = Callable[..., FakeBook]


@pytest.fixture
def make_book(sandbox: Any) -> BookFactory:
    """A book with a Connexion sheet aimed at the sandbox and an active Prospects sheet."""

    def make(
        n: int = 10,
        *,
        server: str | None = None,
        batch_size: int = 500,
        environment: str = "recette",
        fichier: str = "DEMO.Gestimum",
        rows: list[list[Any]] | None = None,
        start: int = 0,
        windows: bool = True,
    ) -> FakeBook:
        book = FakeBook(windows=windows)
        book.add_sheet("Connexion", [
            ["Paramètre", "Valeur"],
            ["Serveur", server or sandbox.url],
            ["Fichier société", fichier],
            ["Utilisateur", "DEMO"],
            ["Taille des lots", batch_size],
            ["Type de serveur", environment],
        ])
        data = rows if rows is not None else [prospect(start + i) for i in range(n)]
        book.add_sheet("Prospects", [PROSPECT_LABELS, PROSPECT_CODES, *data])
        book.activate("Prospects")
        return book

    return make
