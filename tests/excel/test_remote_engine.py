"""The same macros on xlwings' real remote engine (`xw.Book(json=…)`), only with a licence key.

The remote engine is xlwings PRO code: it needs `XLWINGS_LICENSE_KEY`, which CI does not have
and does not need (the stand-in tests cover the macros). Writes come back as queued actions.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
import xlwings as xw

from addin import macros

from .conftest import PROSPECT_CODES, prospect

pytestmark = pytest.mark.skipif(
    not os.environ.get("XLWINGS_LICENSE_KEY"),
    reason="XLWINGS_LICENSE_KEY absent: the xlwings remote engine is licensed (PRO) code; "
    "the same macros run on the in-memory stand-in instead",
)


def _sheet(name: str, rows: list[list[Any]]) -> dict[str, Any]:
    width = max(len(r) for r in rows)
    values = [list(r) + [None] * (width - len(r)) for r in rows]
    return {"name": name, "values": values, "pictures": [], "tables": []}


def _book(server: str, n: int, *, batch_size: int = 10_000) -> Any:
    payload = {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": "Prospects.xlsx", "active_sheet_index": 1, "selection": "A1"},
        "names": [],
        "sheets": [
            _sheet("Connexion", [["Serveur", server], ["Taille des lots", batch_size]]),
            _sheet("Prospects", [PROSPECT_CODES, *[prospect(i) for i in range(n)]]),
        ],
    }
    # The engine mutates the dict it is given (xlwings notes): never share a fixture.
    return xw.Book(json=copy.deepcopy(payload))


def _actions(book: Any) -> list[dict[str, Any]]:
    return list(book.json()["actions"])


def _written(actions: list[dict[str, Any]]) -> list[Any]:
    """Values the client will write; texts carry Excel's quote prefix, which Excel consumes."""
    values = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    return [v[1:] if isinstance(v, str) and v.startswith("'") else v for v in values]


def test_controler_on_the_remote_engine(sandbox: Any) -> None:
    book = _book(sandbox.url, 3)
    assert macros.controler(book).ok
    actions = _actions(book)
    assert _written(actions).count(macros.CHECK_OK) == 3
    assert any(a["func"] == "alert" for a in actions)


def test_importer_on_the_remote_engine(sandbox: Any) -> None:
    book = _book(sandbox.url, 5)
    assert macros.importer(book).ok
    assert {r["PCF_CODE"] for r in sandbox.rows("Prospects")} == {f"P{i}" for i in range(5)}
    actions = _actions(book)
    assert _written(actions).count("Importée") == 5
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == ["Résultats", "Journal"]


def test_remote_actions_do_not_grow_with_rows(sandbox: Any) -> None:
    counts = []
    for n in (10, 2000):
        book = _book(sandbox.url, n)
        assert macros.controler(book).ok
        counts.append([a["func"] for a in _actions(book)])
    assert counts[0] == counts[1]
