"""The pipeline over in-memory protocols: sheet selection, refusal, statuses kept on a crash."""

from __future__ import annotations

from typing import Any

import pytest

from addin.core import pipeline
from addin.core.errors import WorkbookError
from addin.core.grid import Grid
from addin.core.lines import Options


class MemoryBook:
    """GridSource + ResultSink over plain lists, recording what the pipeline writes."""

    def __init__(self, sheets: dict[str, list[list[object]]]) -> None:
        self.sheets = sheets
        self.statuses: dict[str, dict[int, str]] = {}
        self.results: list[list[object]] = []
        self.journal: list[list[object]] = []
        self.saved = 0

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def table_names(self, sheet: str) -> list[str]:
        return []

    def grid(self, sheet: str) -> Grid:
        return Grid(self.sheets[sheet])

    def connexion(self) -> dict[str, str]:
        return {}

    def write_statuses(self, sheet: str, data: Any, rows: list[Any]) -> None:
        self.statuses.setdefault(sheet, {}).update({r.row: r.text for r in rows})

    def append_results(self, rows: list[list[object]]) -> None:
        self.results += rows

    def append_journal(self, rows: list[list[object]]) -> None:
        self.journal += rows

    def save(self) -> None:
        self.saved += 1


def answer(imported: int) -> dict[str, Any]:
    return {"result": [{"resultat": "succès", "message": "terminé", "journal": [],
                        "statistiques": {"nombre_lignes_importées": str(imported),
                                         "nombre_lignes_non_importées": "0"}}]}


def test_sheets_are_taken_in_dependency_order() -> None:
    """Without names, every data sheet is taken, prerequisites first; service sheets ignored."""
    book = MemoryBook({"Articles": [["ART_CODE"], ["A1"]], "Résultats": [[]],
                       "Familles d'articles": [["FAR_CODE"], ["F1"]]})
    assert [p.endpoint.name for p in pipeline.select_sheets(book)] == [
        "FamillesArticles", "Articles",
    ]


def test_sheets_without_rows_are_not_data_sheets() -> None:
    """A template's untouched sheets are left out, so `import Classeur.xlsx` finds one sheet;
    named, an empty sheet is still taken (the user asked for it)."""
    book = MemoryBook({"Clients": [["Code client *"], ["PCF_CODE", "PCF_RS"]],
                       "Articles": [["Libellé"], ["ART_CODE", "ART_LIB"], ["A1", "Un"]],
                       "Prospects": [["PCF_CODE", "PCF_RS", "#Note"], [None, None, "vu"],
                                     ["  ", None]]})
    assert [p.sheet for p in pipeline.select_sheets(book)] == ["Articles"]
    assert [p.sheet for p in pipeline.select_sheets(book, ["Clients"])] == ["Clients"]
    notes: list[str] = []
    pipeline.select_sheets(book, notes=notes)
    assert notes == ["Feuille(s) sans ligne ignorée(s) : Clients, Prospects."]
    # Nothing filled anywhere: the sheets are kept, so that check can say "0 ligne(s)".
    only = pipeline.select_sheets(MemoryBook({"Clients": [["PCF_CODE"]]}))
    assert [p.sheet for p in only] == ["Clients"]


def test_unknown_sheet_is_a_clear_error() -> None:
    """A named sheet that does not exist lists the sheets that do."""
    with pytest.raises(WorkbookError, match="Feuilles du classeur : Articles"):
        pipeline.select_sheets(MemoryBook({"Articles": [["ART_CODE"]]}), ["Clients"])


def test_unresolvable_sheet_needs_an_endpoint() -> None:
    """A sheet whose name designates no endpoint is refused unless --endpoint is given."""
    book = MemoryBook({"Feuil1": [["PCF_CODE", "PCF_RS"]]})
    with pytest.raises(WorkbookError, match="point d'entrée"):
        pipeline.select_sheets(book, ["Feuil1"])
    assert pipeline.select_sheets(book, ["Feuil1"], "Prospects")[0].endpoint.name == "Prospects"


def test_nothing_sent_when_a_sheet_blocks() -> None:
    """One blocking issue anywhere: exit code 2 and the sender is never called."""
    book = MemoryBook({"Prospects": [["PCF_CODE", "PCF_RS"], ["P1", None]]})
    checks = pipeline.check(book, pipeline.select_sheets(book))

    def sender(endpoint: Any, body: Any) -> Any:
        raise AssertionError("must not be called")

    report = pipeline.run_import(checks, book, sender, Options(), target={})
    assert report.exit_code == 2 and not book.results


def test_crash_mid_run_keeps_the_outcome_of_batches_sent() -> None:
    """An unexpected error on batch 2 still writes batch 1's statuses and saves the ledger."""
    rows = [["PCF_CODE", "PCF_RS"], ["P1", "Un"], ["P2", "Deux"]]
    book = MemoryBook({"Prospects": rows})
    checks = pipeline.check(book, pipeline.select_sheets(book))
    calls = []

    def sender(endpoint: Any, body: Any) -> Any:
        calls.append(body)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return answer(1)

    with pytest.raises(RuntimeError):
        pipeline.run_import(checks, book, sender, Options(batch_size=1), target={})
    assert book.statuses["Prospects"][2].startswith("Importée")
    assert 3 not in book.statuses["Prospects"]
    assert len(book.results) == 1 and book.saved == 1


def _stats_only_sender(calls: list[dict[str, Any]], *, name_lines_in_test: bool):
    """A Gestimum that says how many lines failed but, in real mode, not which."""

    def sender(endpoint: Any, body: Any) -> Any:
        calls.append(body)
        params = body[endpoint.root_key]["parametres"]
        lines = params[endpoint.file_param][1:]
        bad = [n for n, line in enumerate(lines, 1) if "BAD" in line]
        journal = []
        if params.get("tester") == "Oui" and name_lines_in_test:
            for n in bad:
                journal += [f"La ligne {n} n'a pas pu être importée :", "Code famille inconnu"]
        return {"result": [{"resultat": "succès", "message": "terminé", "journal": journal,
                            "statistiques": {"nombre_lignes_importées": str(len(lines) - len(bad)),
                                             "nombre_lignes_non_importées": str(len(bad))}}]}

    return sender


@pytest.mark.parametrize("named", [True, False], ids=["test-mode-names-lines", "bisection"])
def test_locate_rejections_in_test_mode(named: bool) -> None:
    """Unnamed rejections are found in test mode; the other rows are then known imported."""
    rows = [["PCF_CODE", "PCF_RS", "CPT_NUMERO"]] + [
        [f"C{i}", "BAD" if i == 6 else f"Client {i}", f"411C{i}"] for i in range(1, 9)
    ]
    book = MemoryBook({"Clients": rows})
    checks = pipeline.check(book, pipeline.select_sheets(book))
    calls: list[dict[str, Any]] = []
    sender = _stats_only_sender(calls, name_lines_in_test=named)
    report = pipeline.run_import(checks, book, sender, Options(), target={}, locate=True)
    statuses = book.statuses["Clients"]
    assert statuses[7].startswith("Rejetée")
    assert all(statuses[r].startswith("Importée") for r in range(2, 10) if r != 7)
    assert report.exit_code == 1 and report.sheets[0].unknown == 0
    tests = [c for c in calls if c["importer_clients"]["parametres"].get("tester") == "Oui"]
    assert len(tests) == (1 if named else 7)  # 1 + 2 per level of an 8-line halving


def test_without_locate_unnamed_rejections_stay_to_check() -> None:
    """Without the option, rows the journal does not name are 'à vérifier', exit 3."""
    rows = [["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["C1", "BAD", "411C1"], ["C2", "Ok", "411C2"]]
    book = MemoryBook({"Clients": rows})
    checks = pipeline.check(book, pipeline.select_sheets(book))
    report = pipeline.run_import(checks, book, _stats_only_sender([], name_lines_in_test=True),
                                 Options(), target={})
    assert report.exit_code == 3 and report.sheets[0].unknown == 2


def test_rows_with_unknown_outcome_are_held_back() -> None:
    """A re-run never re-sends a row whose earlier outcome is unknown, unless asked (exit 3)."""
    rows = [["PCF_CODE", "PCF_RS", "#STATUT"],
            ["P1", "Un", "À vérifier — résultat inconnu"],
            ["P2", "Deux", None]]
    book = MemoryBook({"Prospects": rows})
    checks = pipeline.check(book, pipeline.select_sheets(book))
    sent: list[list[str]] = []

    def sender(endpoint: Any, body: Any) -> Any:
        sent.append(body[endpoint.root_key]["parametres"][endpoint.file_param])
        return answer(1)

    report = pipeline.run_import(checks, book, sender, Options(), target={})
    assert sent == [["PCF_CODE;PCF_RS", "P2;Deux"]]
    assert report.exit_code == 3 and "inconnu" in report.messages[0]
    assert 2 not in book.statuses["Prospects"]  # its status is kept as it was
    sent.clear()
    pipeline.run_import(checks, book, sender, Options(), target={}, reimport=True)
    assert sent == [["PCF_CODE;PCF_RS", "P1;Un", "P2;Deux"]]


def test_merged_title_above_the_header_is_harmless() -> None:
    """Only merges over data cells of sent columns block."""
    grid = Grid([["Titre", None], ["PCF_CODE", "PCF_RS"], ["P1", "Un"]], merged=("A1:B1",))
    book = MemoryBook({"Prospects": []})
    book.grid = lambda sheet: grid  # type: ignore[method-assign]
    assert not pipeline.check(book, pipeline.select_sheets(book))[0].issues
    grid2 = Grid(grid.values, merged=("A1:B1", "B3:B4"))
    book.grid = lambda sheet: grid2  # type: ignore[method-assign]
    codes = [i.code for i in pipeline.check(book, pipeline.select_sheets(book))[0].issues]
    assert codes == ["merged-cell"]
