"""Secret fields (passwords): masked in every output, scrubbed from what a server echoes, and
fingerprinted with a keyed hash so that a cleared value cannot be guessed back (stdlib only).

Which fields are secret comes from the catalog (`Field.is_secret`: `USR_PASSWD` and any field
documented as a password), never from a hard-coded name here.
"""

from __future__ import annotations

import hashlib
import hmac
import operator
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace

from addin.core.outcomes import BatchOutcome, RowOutcome

__all__ = ["MASK", "RUN_KEY", "Scrubber", "keyed_digest", "mask_text"]

MASK = "********"
# Key of the fingerprints of lines holding secrets: random per process and never stored, so the
# `Résultats` column proves two batches in one run differ without letting anyone test guesses.
RUN_KEY = secrets.token_bytes(32)
# A secret this short would match inside ordinary words: it is only replaced as a whole token.
_SHORT = 4


def keyed_digest(lines: Sequence[str], key: bytes = RUN_KEY) -> str:
    """HMAC-SHA-256 (hex) of the lines joined by newlines, keyed with a random salt."""
    return hmac.new(key, "\n".join(lines).encode("utf-8"), hashlib.sha256).hexdigest()


def mask_text(value: str) -> str:
    """What a secret value shows as: the mask when set, empty when empty."""
    return MASK if value else ""


class Scrubber:
    """Replaces known secret values (field values, the ERP password) by the mask in texts."""

    def __init__(self, values: Iterable[str], *extra: str) -> None:
        found = {v for v in (*values, *extra) if v and v.strip()}
        # Longest first, so that a secret holding another one is masked whole.
        ordered = sorted(found, key=len, reverse=True)
        parts = [
            re.escape(v) if len(v) >= _SHORT else rf"(?<![\w]){re.escape(v)}(?![\w])"
            for v in ordered
        ]
        self._pattern = re.compile("|".join(parts)) if parts else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def texts(self, texts: Iterable[str]) -> list[str]:
        return [self(t) for t in texts]

    def _kept(self, texts: list[str]) -> list[str]:
        """`texts` scrubbed: the same list (possibly shared) when no secret is in it."""
        out = self.texts(texts)
        return texts if all(map(operator.is_, out, texts)) else out

    def outcome(self, outcome: BatchOutcome) -> BatchOutcome:
        """The outcome with every journal line, reason, warning and status text scrubbed."""
        if self._pattern is None:
            return outcome
        outcome.journal = self.texts(outcome.journal)
        outcome.message = self(outcome.message)
        outcome.warnings = self.texts(outcome.warnings)
        outcome.server_message = self(outcome.server_message)
        outcome.resultat = self(outcome.resultat)
        outcome.rows = [self._row(r) for r in outcome.rows]
        return outcome

    def _row(self, row: RowOutcome) -> RowOutcome:
        """The row scrubbed; the row itself when no secret is in it (nearly always)."""
        text, reasons, warnings = self(row.text), self._kept(row.reasons), self._kept(row.warnings)
        if text is row.text and reasons is row.reasons and warnings is row.warnings:
            return row
        return replace(row, text=text, reasons=reasons, warnings=warnings)
