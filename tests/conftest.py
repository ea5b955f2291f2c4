"""Every test gets a run journal and user folders of its own: none reads or writes the
user's real journal, known servers or saved Excel state. Subprocesses inherit them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_run_journal(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.mktemp("journal") / "journal.sqlite3"
    monkeypatch.setenv("GESTIMUM_JOURNAL", str(path))
    return path


@pytest.fixture(autouse=True)
def user_folders(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("user")
    folders = {name: base / name for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    for name, path in folders.items():
        monkeypatch.setenv(name, str(path))
    return folders


@pytest.fixture(scope="module")
def sandbox() -> Iterator[object]:
    """The real sandbox on loopback, one per test module (modules needing fault injection or a
    fresh company per test define their own)."""
    from addin.sandbox import running_sandbox

    with running_sandbox() as sb:
        yield sb


@pytest.fixture
def no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """No password prompt: the sandbox's demonstration company has none."""
    monkeypatch.setenv("GESTIMUM_MOT_PASSE", "")
