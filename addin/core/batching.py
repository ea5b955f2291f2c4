"""How many lines go in each request: a fixed override, or "auto" — as few calls as a per-request
budget allows, learnt from the time the server took on the calls already made.

The real Gestimum spends about 5 s opening the company on every call, whatever its size: 10,000
rows in fixed batches of 500 are 20 calls, ≈ 95 % of them spent opening the company. "auto"
sizes each request so that its expected duration stays well below the client's read timeout
(a request cut off by a time-out has an unknown outcome), and never over the line and byte caps.

Documented choices:
* Before any call, the server is assumed to cost `PRIOR_CALL_SECONDS` per call plus
  `PRIOR_LINE_SECONDS` per line (pessimistic: measured ≈ 5 s and a few ms); after one call its
  whole duration is charged to its lines (an upper bound) on top of the prior fixed cost; after
  two calls of different sizes, a straight line (fixed cost + cost per line) is fitted to every
  call measured, never more optimistic than the slowest call seen.
* The budget per request is `BUDGET_SECONDS` (120 s, against a 900 s read timeout).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BUDGET_SECONDS",
    "MAX_BYTES",
    "MAX_LINES",
    "BatchSizer",
    "parse_batch_size",
]

BUDGET_SECONDS = 120.0
MAX_LINES = 10_000
MAX_BYTES = 4_000_000  # lines' UTF-8 size per request body
PRIOR_CALL_SECONDS = 5.0
PRIOR_LINE_SECONDS = 0.02
AUTO_WORDS = ("", "auto", "automatique")


def parse_batch_size(raw: object) -> int | None:
    """A batch size as typed (flag or Connexion sheet): a positive whole number, or None for
    "auto" (also empty); ValueError otherwise."""
    text = str(raw if raw is not None else "").strip().lower()
    if text in AUTO_WORDS:
        return None
    size = float(text.replace(",", "."))
    if size != int(size) or size < 1:
        raise ValueError(text)
    return int(size)


@dataclass(slots=True)
class BatchSizer:
    """Lines per request for the next call, from the calls measured so far in this run."""

    fixed: int | None = None
    budget: float = BUDGET_SECONDS
    max_lines: int = MAX_LINES
    max_bytes: int = MAX_BYTES
    samples: list[tuple[int, float]] = field(default_factory=list)

    @property
    def byte_cap(self) -> int | None:
        """Bytes per request: capped only under "auto" (an explicit size is obeyed)."""
        return None if self.fixed is not None else self.max_bytes

    def observe(self, lines: int, seconds: float) -> None:
        """Record how long the server took for a request of `lines` lines."""
        if lines > 0 and seconds >= 0:
            self.samples.append((lines, seconds))

    def next_lines(self) -> int:
        """How many lines the next request may hold."""
        if self.fixed is not None:
            return self.fixed
        call, per_line = self._model()
        if per_line <= 0:
            return self.max_lines
        room = max(self.budget - call, self.budget / 4)
        return max(1, min(self.max_lines, int(room / per_line)))

    def expected_calls(self, lines: int) -> int:
        """Calls expected for `lines` more lines at the current size (for progress display)."""
        size = self.next_lines()
        return max(1, -(-lines // size)) if lines else 0

    def _model(self) -> tuple[float, float]:
        """(seconds per call, seconds per line) as far as the calls measured tell."""
        if not self.samples:
            return PRIOR_CALL_SECONDS, PRIOR_LINE_SECONDS
        sizes = {n for n, _ in self.samples}
        if len(sizes) == 1:
            n = sum(n for n, _ in self.samples) / len(self.samples)
            t = max(t for _, t in self.samples)
            # Both bounds pessimistic: the whole time charged to the lines, and a fixed cost too.
            return min(PRIOR_CALL_SECONDS, t), t / n
        count = len(self.samples)
        mean_n = sum(n for n, _ in self.samples) / count
        mean_t = sum(t for _, t in self.samples) / count
        var = sum((n - mean_n) ** 2 for n, _ in self.samples)
        cov = sum((n - mean_n) * (t - mean_t) for n, t in self.samples)
        slope = max(cov / var, 0.0)
        call = max(mean_t - slope * mean_n, 0.0)
        # Never trust a fit more optimistic than the slowest call seen, per line, would allow
        # after its fixed cost: a noisy fit must not produce a request that runs into a time-out.
        worst = max((t - call) / n for n, t in self.samples)
        return call, max(slope, worst, 0.0)
