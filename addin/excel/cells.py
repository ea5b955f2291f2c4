"""How values go into Excel cells: text Excel would parse, rectangles, chunk sizes, and the
French message of a write Excel refuses. Pure helpers of `addin.excel.book`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from addin.core import cell_text
from addin.core.errors import AddinError, WorkbookError

__all__ = [
    "CHUNK_CELLS", "bgr", "cell", "chunk_rows", "protected_message", "rectangle", "runs",
    "structure_message", "writing",
]

# Cells per read or write call: ~4 MB of VARIANTs, safe for 32-bit Excel, few calls for big sheets.
CHUNK_CELLS = 250_000


def bgr(rgb_hex: str) -> int:
    # Excel's Interior.Color is a BGR integer; the ledger gives RGB hex like openpyxl.
    red, green, blue = (int(rgb_hex[i : i + 2], 16) for i in (0, 2, 4))
    return red + green * 256 + blue * 65_536


def cell(value: object) -> object:
    """A value as written through `Range.value`, which Excel parses like typed input.

    `cell_text.safe_text` puts Excel's quote prefix on formula-like texts ("=…", "+…"); here
    Excel would also turn "1/2" into a date, "0123" into 123, "1E5" into 100000 (a batch "1/2",
    a SHA-256) and eat a leading quote, so every text gets that prefix, which Excel consumes:
    the cell holds the exact (cleaned) text and never a formula.
    """
    if not isinstance(value, str):
        return value
    text = cell_text.clean_text(value)
    return "'" + text if text else None


def chunk_rows(ncols: int) -> int:
    """Rows per xlwings call (`.options(chunksize=…)`) for a block this wide."""
    return max(1, CHUNK_CELLS // max(1, ncols))


def rectangle(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """Rows padded to one width: xlwings refuses jagged 2-D lists (before writing anything)."""
    width = max((len(r) for r in rows), default=0)
    return [[cell(v) for v in row] + [None] * (width - len(row)) for row in rows]


@contextmanager
def writing(sheet: str) -> Iterator[None]:
    """Map a failed Excel write (protected sheet, cell in edit mode…) to a French error once."""
    try:
        yield
    except AddinError:
        raise
    except Exception as exc:  # pywintypes.com_error is not importable on Linux
        raise WorkbookError(
            f"Excel refuse l'écriture dans la feuille « {sheet} » (feuille protégée ou cellule "
            "en cours de modification ?). Ôtez la protection, quittez la cellule et relancez.",
            detail=repr(exc),
        ) from exc


def runs(formats: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    """Runs of adjacent columns sharing a format: ["@", "@", "0"] → (1, 2, "@"), (3, 3, "0")."""
    start = 1
    for index in range(1, len(formats) + 1):
        if index == len(formats) or formats[index] != formats[start - 1]:
            yield start, index, formats[start - 1]
            start = index + 1


def protected_message(sheet: str) -> str:
    return (f"La feuille « {sheet} » est protégée : le complément ne peut pas y écrire les "
            "statuts (rien n'a été envoyé ni modifié). Ôtez la protection (Révision > Ôter la "
            "protection de la feuille), puis relancez.")


def structure_message(what: str) -> str:
    return (f"La structure du classeur est protégée : impossible d'y {what}. Retirez la "
            "protection (Révision > Protéger le classeur), puis relancez.")
