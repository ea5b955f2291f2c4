"""Fixture of the sandbox tests: a fresh running sandbox per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from addin.sandbox import SandboxHandle, running_sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A fresh sandbox (seeded demo company) per test; faults may be injected."""
    with running_sandbox(tmp_path / "data", faults=True) as handle:
        yield handle
