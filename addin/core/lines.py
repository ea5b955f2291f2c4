"""Validated rows → import lines, batches and the exact JSON bodies POSTed to Gestimum.

Documented choices:
* Header line: the field codes sent, in sheet column order, leaving out columns empty on every
  row to be sent. Trailing empty fields of a line are trimmed, as the documented Comptes and
  GrillesTarifs examples do (`411JOHNDOE;John Doe;C;JOHNDOE` under a 5-field header).
* A batch holds at most `batch_size` data lines (or, under "auto", what `core/batching.py`
  allows) but never splits a document or a pièce; a larger group travels whole, alone.
* `tester` is sent as "Oui" when testing, and left out otherwise on the endpoints that have it
  (as their documented examples do); Ecritures always sends it, as its examples do. Asking to
  test an endpoint without test mode raises ValueError: it must never import for real.
* The masked password is "********", or "" when there is none; with `mask_secrets`, values of
  secret fields (`USR_PASSWD`…, see `secret_fields`) show as "********" in the lines too.
* `line_digest` is the SHA-256 of the file lines sent (header included), joined by "\\n".
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter, sub
from typing import Any

from addin.core.batching import BatchSizer
from addin.core.catalog import Endpoint
from addin.core.entries import entry_groups, entry_lines
from addin.core.formatted import Formatted, format_rows, group_keys, group_starts
from addin.core.secret_fields import MASK, keyed_digest
from addin.core.sheet import SheetData
from addin.core.sheet_rows import row_numbers

__all__ = [
    "MASK", "Batch", "Options", "SheetLines", "build_batches", "build_body", "line_digest",
    "sheet_lines",
]

ECRITURES_FORMAT = "GestimumComptaVariable"
_ECRITURES_OPTIONAL = ("simulation", "creer_sections_analytiques", "plan_analytique")


@dataclass(slots=True)
class Options:
    """Connection and request options of a run (defaults follow the documented examples)."""

    fichier: str = "DEMO.Gestimum"
    utilisateur: str = "DEMO"
    mot_passe: str = ""
    batch_size: int | None = None  # None: "auto", sized by time (core/batching.py)
    test: bool = False
    deconnecter: str = "Non"
    exclusif: str = "Non"
    journal: str = "Oui"
    statistiques: str = "Oui"
    identificateur_texte: str = ""
    params: dict[str, str] = field(default_factory=dict)  # endpoint-specific, by name


@dataclass(slots=True)
class Batch:
    """One request's worth of lines; `rows` gives the Excel row of each data line."""

    index: int
    total: int
    header: str | None
    lines: list[str]
    rows: list[int]
    # Values of secret fields in these lines (never shown): to scrub answers, key the digest.
    secrets: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def file_lines(self) -> list[str]:
        """The array sent as `fichier_…`: header line first when there is one."""
        return [self.header, *self.lines] if self.header is not None else list(self.lines)


def _group_sizes(data: SheetData, fs: Formatted, keep: Sequence[int]) -> list[int]:
    """Sizes, in `keep` order, of the runs of rows that must travel in the same batch."""
    if data.endpoint.positional:
        wanted = set(keep)
        sizes = [sum(1 for rp in range(s, e) if rp in wanted) for s, e in entry_groups(data, fs)]
        return [n for n in sizes if n]
    starts = group_starts(data, fs)
    if starts is None:
        return [1] * len(keep)
    if len(keep) == fs.n_rows:  # every row: the runs found once for validation
        return list(map(sub, [*starts[1:], fs.n_rows], starts))
    keys = group_keys(data, fs) or []
    sizes: list[int] = []
    last = None
    for rp in keep:
        key = keys[rp]
        if sizes and key == last:
            sizes[-1] += 1
        else:
            sizes.append(1)
            last = key
    return sizes


class SheetLines:
    """Every line a sheet will send, in groups that travel together (a document, an entry),
    cut into batches on demand so that each request can be sized from the previous ones.

    Lines are made a window at a time, as batches need them: memory holds about one request's
    worth, not the whole sheet's (25 MB at 100,000 rows)."""

    _CHUNK = 4096  # lines made at once when the window grows

    def __init__(
        self, data: SheetData, fs: Formatted, keep: Sequence[int], *,
        mask_secrets: bool = False,
    ) -> None:
        self._data, self._fs, self._keep = data, fs, keep
        numbers = row_numbers(data.rows)
        self.excel_rows: Sequence[int] = (
            numbers if len(keep) == len(numbers) else [numbers[rp] for rp in keep])
        self.group_ends = list(accumulate(_group_sizes(data, fs, keep)))
        self._secret = _secret_columns(data)
        self.header: str | None = None
        self._maker: _LineMaker | None = None
        if not data.endpoint.positional:
            self._maker = _LineMaker(data, fs, keep, self._secret if mask_secrets else ())
            self.header = self._maker.header
        self._first = 0  # kept position of the window's first line
        self._window: list[str] = []
        self._sizes: list[int] = [0]  # bytes up to each window line (JSON quotes, comma)
        self.done = 0  # rows already cut into batches
        self.index = 0

    @property
    def rows(self) -> int:
        return len(self.excel_rows)

    @property
    def remaining(self) -> int:
        return self.rows - self.done

    def next_range(self, max_rows: int, max_bytes: int | None = None) -> tuple[int, int]:
        """The next (start, end) rows: whole groups, at most `max_rows` rows and `max_bytes`
        bytes, but always at least one group (a group bigger than the caps travels alone)."""
        start = self.done
        limit = start + max_rows
        if max_bytes is not None and self._maker is not None:
            self._window_from(start)
            while (self._last < min(limit, self.rows)
                   and self._sizes[-1] - self._sizes[start - self._first] <= max_bytes):
                self._grow(self._last + self._CHUNK)
            budget = self._sizes[start - self._first] + max_bytes
            limit = min(limit, self._first + bisect_right(self._sizes, budget) - 1)
        first = bisect_right(self.group_ends, start)  # the group that starts at `start`
        cut = bisect_right(self.group_ends, limit) - 1
        end = self.group_ends[cut] if cut >= first else self.group_ends[first]
        return start, end

    def take(self, start: int, end: int, total: int) -> Batch:
        """The batch of rows [start, end); `total` is the number of batches expected."""
        self.index += 1
        self.done = end
        rps = self._keep[start:end]
        if self._maker is None:
            lines = entry_lines(self._data, self._fs, rps)
        else:
            self._window_from(start)
            self._grow(end)
            lines = self._window[start - self._first : end - self._first]
            self._window_from(end)  # sent lines are let go
        return Batch(self.index, max(total, self.index), self.header, lines,
                     list(self.excel_rows[start:end]), _secrets(self._fs, self._secret, rps))

    @property
    def _last(self) -> int:
        return self._first + len(self._window)

    def _window_from(self, start: int) -> None:
        """Make the window begin at kept position `start` (lines before it are dropped)."""
        if not self._first <= start <= self._last:
            self._first, self._window, self._sizes = start, [], [0]
        elif start > self._first:
            cut = start - self._first
            base = self._sizes[cut]
            self._window = self._window[cut:]
            self._sizes = [size - base for size in self._sizes[cut:]]
            self._first = start

    def _grow(self, end: int) -> None:
        """Make the window reach kept position `end` (or the last row)."""
        assert self._maker is not None
        end = min(end, self.rows)
        if end <= self._last:
            return
        more = self._maker.lines(self._last, end)
        self._window += more
        sizes = accumulate((len(line.encode()) + 3 for line in more), initial=self._sizes[-1])
        next(sizes)  # the initial value, already the window's last
        self._sizes += sizes


class _LineMaker:
    """Import lines of kept rows, made on demand: header of the columns not empty on every
    kept row, fields joined by the separator, trailing empty fields trimmed."""

    def __init__(
        self, data: SheetData, fs: Formatted, keep: Sequence[int], masked: tuple[int, ...] = ()
    ) -> None:
        cols = fs.cols
        if masked:
            cols = [[MASK if t else "" for t in c] if j in masked else c
                    for j, c in enumerate(cols)]
        if len(keep) != fs.n_rows:
            if not keep:
                cols = [[] for _ in cols]
            else:
                pick = itemgetter(*keep)
                cols = [list(pick(c)) if len(keep) > 1 else [c[keep[0]]] for c in cols]
        used = [j for j, c in enumerate(cols) if any(c)]
        self.sep = data.endpoint.separator or ";"
        self.header = self.sep.join(data.columns[j].code for j in used)
        self._cols = [cols[j] for j in used]
        # Trailing empty fields are trimmed, as the documented examples do; none to trim
        # (checked at C speed) when the last column's texts are never empty nor end with the
        # separator.
        last = self._cols[-1] if used else []
        self._trim = "" in last or f"{self.sep}\n" in "\n".join(last) + "\n"

    def lines(self, start: int, end: int) -> list[str]:
        """The lines of kept positions [start, end)."""
        joined = map(self.sep.join, zip(*(c[start:end] for c in self._cols), strict=True))
        if self._trim:
            return [line.rstrip(self.sep) for line in joined]
        return list(joined) if self._cols else [""] * (end - start)


def sheet_lines(
    data: SheetData, options: Options, *, skip_rows: Iterable[int] = frozenset(),
    mask_secrets: bool = False,
) -> SheetLines:
    """Format the sheet's rows (minus Excel rows `skip_rows`) into import lines, once.

    `mask_secrets` shows secret field values as the mask (previews only: never sent).

    Assumes `validate` found nothing blocking (the pipeline checks first); a cell that cannot
    be formatted raises ValueError rather than sending a broken line.
    """
    fs = format_rows(data, "" if data.endpoint.positional else options.identificateur_texte)
    skip = frozenset(skip_rows)
    keep = ([rp for rp, n in enumerate(row_numbers(data.rows)) if n not in skip] if skip
            else range(len(data.rows)))
    if fs.bad:
        wanted = set(keep)
        for rp, j in sorted(fs.bad):
            if rp in wanted:
                raise ValueError(f"row {data.rows[rp].row}, column {data.columns[j].code}: "
                                 "blocking issue, validate before building batches")
    return SheetLines(data, fs, keep, mask_secrets=mask_secrets)


def build_batches(
    data: SheetData, options: Options, *, skip_rows: Iterable[int] = frozenset(),
    mask_secrets: bool = False,
) -> list[Batch]:
    """Every batch of the sheet at once: `options.batch_size` lines each, or under "auto"
    (None) the size a first request would get before any server time is known."""
    if options.batch_size is not None and options.batch_size < 1:
        raise ValueError("batch_size must be ≥ 1")
    sizer = BatchSizer(fixed=options.batch_size)
    lines = sheet_lines(data, options, skip_rows=skip_rows, mask_secrets=mask_secrets)
    ranges = []
    while lines.done < lines.rows:
        ranges.append(lines.next_range(sizer.next_lines(), sizer.byte_cap))
        lines.done = ranges[-1][1]
    lines.done = 0
    return [lines.take(a, b, len(ranges)) for a, b in ranges]


def _secret_columns(data: SheetData) -> tuple[int, ...]:
    """Positions of the sent columns whose field is secret (passwords)."""
    ep = data.endpoint
    return tuple(j for j, c in enumerate(data.columns)
                 if (f := ep.field(c.code)) is not None and f.is_secret)


def _secrets(fs: Formatted, secret: tuple[int, ...], rps: Sequence[int]) -> frozenset[str]:
    if not secret:
        return frozenset()
    return frozenset(t for j in secret for rp in rps if (t := fs.cols[j][rp]))


def build_body(
    endpoint: Endpoint, batch: Batch, options: Options, *, mask_password: bool = False
) -> dict[str, Any]:
    """The JSON body POSTed for one batch, key for key as in the documented examples."""
    if endpoint.root_key is None or endpoint.file_param is None:
        raise ValueError(f"{endpoint.name} is not an import endpoint")
    if options.test and not endpoint.test_mode:
        raise ValueError(f"{endpoint.name} has no test mode (tester): refusing a real import")
    password = options.mot_passe
    if mask_password and password:
        password = MASK
    societe = {
        "fichier": options.fichier,
        "utilisateur": options.utilisateur,
        "mot_passe": password,
        "deconnecter": options.deconnecter,
        "exclusif": options.exclusif,
    }
    declared = {p.name for p in endpoint.params}
    params: dict[str, Any] = {"journal": options.journal, "statistiques": options.statistiques}
    if endpoint.positional:
        fmt = options.params.get("format", ECRITURES_FORMAT)
        if fmt != ECRITURES_FORMAT:
            raise ValueError(f"only the {ECRITURES_FORMAT} format is built from sheets")
        params["format"] = fmt
        params[endpoint.file_param] = list(batch.lines)
        params["tester"] = "Oui" if options.test else "Non"
        for name in _ECRITURES_OPTIONAL:
            if options.params.get(name):
                params[name] = options.params[name]
    else:
        params.update({
            "entete": "Oui",
            "noms_champs": "",
            "separateur_champs": endpoint.separator or ";",
            "identificateur_texte": options.identificateur_texte,
            endpoint.file_param: batch.file_lines,
        })
        for name, value in options.params.items():
            if name in declared and name not in ("tester", "format") and value:
                params[name] = value
        if options.test:
            params["tester"] = "Oui"
    return {endpoint.root_key: {"societe": societe, "parametres": params}}


def line_digest(batch: Batch) -> str:
    """SHA-256 (hex) of the lines sent, header included, joined by newlines; keyed with a random
    salt (HMAC) when the lines hold secret values, so that the fingerprint cannot be used to
    test guesses of a password once its cell is cleared."""
    if batch.secrets:
        return keyed_digest(batch.file_lines)
    return hashlib.sha256("\n".join(batch.file_lines).encode("utf-8")).hexdigest()
