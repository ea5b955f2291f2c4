"""What a task produced (`Outcome`) and the journal it is told in (`Journal`).

Shared by the standard line engine and the Ecritures importer, which both sit above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class Journal:
    """Journal lines prefixed `dd/mm/yyyy hh:mm:ss ` at the time they are written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *texts: str) -> None:
        stamp = datetime.now().strftime("%d/%m/%Y %H:%M:%S ")
        self.lines.extend(stamp + t for t in texts)


@dataclass
class Outcome:
    """What a task produced, before it is shaped into the answer."""

    imported: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)  # lines after the counts
    stats: dict[str, str] | None = None
    body: list[str] | None = None  # Ecritures: its own report replaces the standard lines
