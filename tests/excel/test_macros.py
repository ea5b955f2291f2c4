"""Ribbon macros end to end on the counting stand-in, against the real sandbox."""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Any

import pytest

from addin import macros
from addin.core import layout, status
from addin.core.connexion import parse_connexion
from addin.excel.xlam.ribbon import MACROS

from .conftest import PROSPECT_CODES, BookFactory, MemoryKeyring, prospect
from .fakexw import CellError, FakeBook

STATUS_COL = len(PROSPECT_CODES) + 1  # G: the column the add-in creates after the data


def _codes(sandbox: Any, endpoint: str = "Prospects", key: str = "PCF_CODE") -> set[str]:
    return {row[key] for row in sandbox.rows(endpoint)}


def _results(book: FakeBook) -> list[dict[str, Any]]:
    cells = book.sheet(layout.RESULTATS_SHEET).cells
    last = max(r for r, _ in cells)
    headers = layout.RESULTATS_HEADERS
    return [{h: cells.get((r, i + 1)) for i, h in enumerate(headers)} for r in range(2, last + 1)]


def _statuses(book: FakeBook, sheet: str = "Prospects", col: int = STATUS_COL) -> dict[int, Any]:
    return book.sheet(sheet).column_values(col)


def _assert_excel_restored(book: FakeBook) -> None:
    assert book.app._screen_updating is True
    assert book.app._calculation == "automatic"
    assert book.app.status_history[-1] is False
    assert book.app.screen_updating_history[0] is False  # it was switched off for the run
    assert book.app.calculation_history[0] == "manual"


def test_every_ribbon_tag_is_a_macro_taking_an_optional_book() -> None:
    for tag in MACROS:
        params = list(inspect.signature(getattr(macros, tag)).parameters.values())
        assert [p.name for p in params] == ["book"] and params[0].default is None, tag
    assert sorted(MACROS) == sorted(macros.__all__[1:])


def test_without_a_book_the_caller_workbook_is_used(make_book: BookFactory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings as xw

    book = make_book(3)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    assert macros.controler().ok
    assert book.app.alerts[-1]["title"] == "Gestimum"


def test_importer_sends_the_active_sheet_and_writes_back(make_book: BookFactory,
                                                         sandbox: Any) -> None:
    book = make_book(10)
    result = macros.importer(book)
    assert result.ok and result.report is not None and result.report.exit_code == 0
    assert _codes(sandbox) == {f"P{i}" for i in range(10)}
    statuses = _statuses(book)
    assert statuses[2] == "#STATUT" and all(statuses[r] == "Importée" for r in range(3, 13))
    stamps = _statuses(book, col=STATUS_COL + 1)  # the hidden run-journal stamp column
    assert stamps[2] == "#EMPREINTE" and len(stamps) == 11
    assert not _statuses(book, col=STATUS_COL + 2)  # one status column, not one per write
    [row] = _results(book)
    assert (row["Feuille"], row["Lignes envoyées"], row["Importées"]) == ("Prospects", 10, 10)
    assert book.sheet(layout.JOURNAL_SHEET).cells  # Gestimum's journal kept
    final = book.app.alerts[-1]
    assert final["mode"] == "info" and "10 importée(s)" in final["prompt"]
    assert "Gestimum — Import Prospects : lot 1/1, 10/10 lignes" in book.app.status_history
    _assert_excel_restored(book)


def test_the_garbage_collector_is_paused_during_an_action_only(
    make_book: BookFactory, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    seen: list[bool] = []
    send = macros.pipeline.run_import

    def spying_send(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return send(*args, **kwargs)

    monkeypatch.setattr(macros.pipeline, "run_import", spying_send)
    assert macros.importer(make_book(3)).ok
    assert seen == [False]  # while sending: paused
    assert gc.isenabled()  # Excel's long-lived Python gets its collector back


def test_rerun_skips_rows_already_imported(make_book: BookFactory, sandbox: Any) -> None:
    book = make_book(4)
    macros.importer(book)
    book.sheet("Prospects").fill([prospect(4)], top=7)
    result = macros.importer(book)
    assert result.report is not None and result.report.sheets[0].skipped == 4
    assert result.report.sheets[0].sent == 1
    assert _codes(sandbox) == {f"P{i}" for i in range(5)}


def _counts(book: FakeBook) -> Counter[str]:
    return Counter(op for op, _ in book.calls)


@pytest.mark.parametrize(("macro", "reads", "writes"), [
    ("controler", 1, 1),  # the sheet; its statuses
    ("importer", 2, 4),  # the sheet and Connexion; statuses, stamps, Résultats, Journal
    ("effacer_statuts", 1, 1),  # the sheet; one clear of the status cells
])
def test_excel_calls_do_not_grow_with_rows(make_book: BookFactory, macro: str, reads: int,
                                           writes: int) -> None:
    small, large = make_book(10, batch_size=10_000), make_book(10_000, batch_size=10_000)
    for book in (small, large):
        macros.controler(book)  # statuses exist, so effacer_statuts has something to clear
        book.calls.clear()
        book.app.answers = ["yes"]  # effacer_statuts: the imported rows may be cleared
        assert getattr(macros, macro)(book).ok
    assert _counts(small) == _counts(large)
    counts = _counts(large)
    assert counts["Range.value.get"] == reads
    assert counts["Range.value.set"] + counts["Range.clear_contents"] == writes
    print(f"{macro}: {sum(counts.values())} Excel calls for 10 and for 10,000 rows")


def test_only_the_status_bar_grows_with_batches(make_book: BookFactory, tmp_path: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    one, twenty = make_book(1000, batch_size=1000), make_book(1000, batch_size=50)
    for n, book in enumerate((one, twenty)):
        # The same rows twice: a journal each, or the second run would rightly send nothing.
        monkeypatch.setenv("GESTIMUM_JOURNAL", str(tmp_path / f"journal{n}.sqlite3"))
        assert macros.importer(book).ok
    difference = _counts(twenty) - _counts(one)
    assert difference == Counter({"App.status_bar": 19})  # one progress update per batch


def test_controler_lists_issues_and_marks_rows_without_sending(make_book: BookFactory,
                                                               sandbox: Any) -> None:
    rows = [prospect(0), ["P1", "411P1", None, "rue", "78120", "X"], prospect(2),
            ["P3", "411P3", "Nom", "rue", 8120, "Y"]]
    book = make_book(rows=rows)
    result = macros.controler(book)
    assert not result.ok and sandbox.rows("Prospects") == []
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "PCF_RS" in alert["prompt"] and "E6" in alert["prompt"]
    statuses = _statuses(book)
    assert statuses[3] == macros.CHECK_OK and statuses[5] == macros.CHECK_OK
    assert statuses[4].startswith("Non envoyée") and "PCF_RS" in statuses[4]
    assert "zéro" in statuses[6]


def test_excel_error_cells_are_flagged_not_read_as_blanks(make_book: BookFactory,
                                                          sandbox: Any) -> None:
    book = make_book(rows=[["P1", "411P1", "Nom", "rue", "78120", CellError("#N/A")]])
    result = macros.importer(book)
    assert not result.ok and sandbox.rows("Prospects") == []
    assert "#N/A" in _statuses(book)[3]


def test_controler_never_overwrites_an_imported_status(make_book: BookFactory) -> None:
    book = make_book(2)
    macros.importer(book)
    book.sheet("Prospects").cells[(3, 3)] = None  # now invalid, but it was imported already
    macros.controler(book)
    assert _statuses(book)[3] == "Importée"
    assert "PCF_RS" in book.app.alerts[-1]["prompt"]


def test_blocking_issues_send_nothing_and_leave_a_ledger_row(make_book: BookFactory,
                                                             sandbox: Any) -> None:
    book = make_book(rows=[prospect(0), ["P1", "411P1", None, "rue", "78120", "X"]])
    result = macros.importer(book)
    assert not result.ok and sandbox.rows("Prospects") == []
    assert "Rien n'a été envoyé" in book.app.alerts[-1]["prompt"]
    assert book.app.alerts[-1]["mode"] == "critical"
    [row] = _results(book)
    assert row["Résultat"].startswith("Erreur (importer) : Rien n'a été envoyé")
    assert row["Lignes envoyées"] == 0
    _assert_excel_restored(book)


def test_tester_uses_test_mode_and_writes_nothing(make_book: BookFactory, sandbox: Any) -> None:
    book = make_book(3)
    result = macros.tester(book)
    assert result.ok and sandbox.rows("Prospects") == []
    assert all(_statuses(book)[r].startswith("Test OK") for r in (3, 4, 5))
    assert _results(book)[0]["Mode (test/réel)"] == "test"


def test_tester_is_refused_where_gestimum_has_no_test_mode(sandbox: Any) -> None:
    book = FakeBook()
    book.add_sheet("Connexion", [["Serveur", sandbox.url]])
    book.add_sheet("Devises", [["DEV_CODE", "DEV_LIB"], ["AUD", "Dollar Australien"]])
    book.activate("Devises")
    result = macros.tester(book)
    assert not result.ok and "pas de mode test" in result.message
    assert "AUD" not in _codes(sandbox, "Devises", "DEV_CODE")  # the seed has EUR only
    [row] = _results(book)
    assert row["Résultat"].startswith("Erreur (tester)") and row["Mode (test/réel)"] == "test"


def test_importer_tout_follows_dependency_order(sandbox: Any) -> None:
    book = FakeBook()
    book.add_sheet("Connexion", [["Serveur", sandbox.url]])
    book.add_sheet("Articles", [["ART_CODE", "ART_LIB", "FAR_CODE"], ["A1", "Vis", "QUINC"]])
    book.add_sheet("Familles d'articles", [["FAR_CODE", "FAR_LIB"], ["QUINC", "Quincaillerie"]])
    book.activate("Articles")
    result = macros.importer_tout(book)
    assert result.ok, result.message
    assert [r["Feuille"] for r in _results(book)] == ["Familles d'articles", "Articles"]
    assert "A1" in _codes(sandbox, "Articles", "ART_CODE")
    assert "QUINC" in _codes(sandbox, "FamillesArticles", "FAR_CODE")


@pytest.mark.parametrize(("answer", "sent"), [("no", False), ("yes", True)])
def test_production_asks_before_sending(make_book: BookFactory, sandbox: Any, answer: str,
                                        sent: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from addin.io.client import GestimumClient

    # A real Gestimum does not mark its answers as the bundled sandbox does.
    monkeypatch.setattr(GestimumClient, "is_bundled_sandbox", lambda self: False)
    book = make_book(2, environment="production")
    book.app.answers = [answer]
    macros.importer(book)
    question = book.app.alerts[0]
    assert question["buttons"] == "yes_no" and "production" in question["prompt"]
    assert bool(sandbox.rows("Prospects")) is sent
    if not sent:
        assert "annulé" in book.app.alerts[-1]["prompt"]


def test_password_is_asked_when_nothing_provides_it(make_book: BookFactory, sandbox: Any,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    memory_keyring: MemoryKeyring) -> None:
    monkeypatch.delenv("GESTIMUM_MOT_PASSE")
    book = make_book(2)
    book.app.inputs = [False]  # the user closes the input box
    result = macros.importer(book)
    assert not result.ok and sandbox.rows("Prospects") == []
    assert "annulé" in book.app.alerts[-1]["prompt"] and book.app.prompts
    book.app.inputs = [""]  # the demo company's (empty) password
    assert macros.importer(book).ok


def test_connexion_stores_the_password_in_the_credential_store(
        make_book: BookFactory, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    monkeypatch.delenv("GESTIMUM_MOT_PASSE")
    book = make_book(1)
    server = parse_connexion([[book.sheet("Connexion").cells.get((r, c)) for c in (1, 2)]
                              for r in range(1, 7)])["server"]
    book.app.inputs = [server, "s3cret"]  # the Paramètres dialog: server (kept), then password
    assert macros.connexion(book).ok
    assert list(memory_keyring.store.values()) == ["s3cret"]
    password_prompt = book.app.prompts[1]
    assert server in password_prompt and "DEMO.Gestimum" in password_prompt  # where it goes
    assert book.sheets.active_name == "Connexion"
    for sheet in book.sheets.names():  # never in the workbook
        assert "s3cret" not in book.sheet(sheet).cells.values()


def test_connexion_without_a_credential_store_says_what_to_do(
        make_book: BookFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("GESTIMUM_MOT_PASSE")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        book = make_book(1)
        book.app.inputs = ["http://localhost:8080", "s3cret"]
        result = macros.connexion(book)
    finally:
        keyring.set_keyring(previous)
    assert not result.ok and "GESTIMUM_MOT_PASSE" in book.app.alerts[-1]["prompt"]
    assert book.app.alerts[-1]["mode"] == "critical"
    [row] = _results(book)
    assert row["Résultat"].startswith("Erreur (connexion)") and "s3cret" not in row["Résultat"]


def test_connexion_creates_the_sheet_and_defers_to_the_environment(
        memory_keyring: MemoryKeyring) -> None:
    book = FakeBook()
    book.add_sheet("Prospects", [PROSPECT_CODES])
    book.app.inputs = ["http://localhost:8080"]  # the server, shown with the default
    result = macros.connexion(book)
    assert result.ok and "GESTIMUM_MOT_PASSE" in result.message and not memory_keyring.store
    sheet = book.sheet("Connexion")
    grid = [[sheet.cells.get((r, c)) for c in (1, 2)] for r in range(1, 10)]
    assert parse_connexion(grid)["server"] == "http://localhost:8080"
    assert len(book.app.prompts) == 1  # no password asked: the environment gives it


def test_tester_connexion_shows_both_versions(make_book: BookFactory) -> None:
    book = make_book(0)
    result = macros.tester_connexion(book)
    assert result.ok and "Web Service Gestimum" in result.message and "ERP" in result.message
    # What support asks first: the add-in, xlwings and catalog versions.
    assert "Complément gestimum-excel : " in result.message
    assert "xlwings : " in result.message and "Catalogue Gestimum : " in result.message


def test_unreachable_server_is_a_french_alert_and_a_ledger_row() -> None:
    book = FakeBook()
    book.add_sheet("Connexion", [["Serveur", "http://127.0.0.1:9"]])
    book.add_sheet("Prospects", [PROSPECT_CODES, prospect(0)])
    result = macros.tester_connexion(book)
    assert not result.ok and "injoignable" in book.app.alerts[-1]["prompt"]
    assert _results(book)[0]["Résultat"].startswith("Erreur (tester_connexion)")


def test_server_failure_during_import_is_reported_per_batch(make_book: BookFactory,
                                                            sandbox: Any) -> None:
    sandbox.inject("error", endpoint="Prospects")
    book = make_book(3)
    result = macros.importer(book)
    assert not result.ok and book.app.alerts[-1]["mode"] == "critical"
    assert len(_results(book)) == 1 and sandbox.rows("Prospects") == []
    assert all(not status.is_imported_status(s) for s in _statuses(book).values())
    _assert_excel_restored(book)


def test_unexpected_bug_is_a_french_message_never_a_traceback(
        make_book: BookFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("PCF_CODE")

    monkeypatch.setattr(macros.pipeline, "check", broken)
    book = make_book(2)
    result = macros.importer(book)
    assert not result.ok
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "Erreur inattendue" in alert["prompt"]
    assert "KeyError" in alert["prompt"] and "Traceback" not in alert["prompt"]
    assert "Erreur inattendue" in _results(book)[0]["Résultat"]
    _assert_excel_restored(book)


def test_a_crash_mid_run_keeps_the_ledger_rows_of_batches_already_sent(
        make_book: BookFactory, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from addin.io.client import GestimumClient

    real = GestimumClient.post_import
    calls: list[int] = []

    def flaky(self: GestimumClient, endpoint: Any, body: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("bug after the first batch")
        return real(self, endpoint, body)

    monkeypatch.setattr(GestimumClient, "post_import", flaky)
    book = make_book(4, batch_size=2)
    assert not macros.importer(book).ok
    first, error = _results(book)
    assert (first["Lot (n/N)"], first["Importées"]) == ("1/2", 2)
    assert "Erreur inattendue" in error["Résultat"] and "Résultats" in error["Résultat"]
    assert len(sandbox.rows("Prospects")) == 2


def test_unknown_sheet_is_explained(sandbox: Any) -> None:
    book = FakeBook()
    book.add_sheet("Notes", [["rien"]])
    result = macros.importer(book)
    assert not result.ok and "« Notes »" in book.app.alerts[-1]["prompt"]
    assert "Nouvelle feuille" in result.message and "--endpoint" not in result.message
    assert _results(book)[0]["Feuille"] == "Notes"


def test_effacer_statuts_asks_before_clearing_imported_rows(make_book: BookFactory) -> None:
    book = make_book(3)
    macros.importer(book)
    book.app.answers = ["no"]
    macros.effacer_statuts(book)
    assert _statuses(book)[3] == "Importée"
    book.app.answers = ["yes"]
    before = book.count("Range.clear_contents")
    assert macros.effacer_statuts(book).ok
    assert _statuses(book) == {2: "#STATUT"} and book.count("Range.clear_contents") == before + 1


def test_nouvelle_feuille_builds_a_sheet_the_pipeline_resolves(sandbox: Any) -> None:
    book = FakeBook()
    book.add_sheet("Connexion", [["Serveur", sandbox.url]])
    book.app.inputs = ["clients"]
    result = macros.nouvelle_feuille(book)
    assert result.ok and book.sheets.active_name == "Clients"
    sheet = book.sheet("Clients")
    codes = [sheet.cells.get((2, c)) for c in range(1, 200) if (2, c) in sheet.cells]
    assert codes[0] == "PCF_CODE" and codes[-1] == layout.STATUS_HEADER
    assert sheet.cells[(1, 1)].endswith("*")  # mandatory mark on the label row
    assert "@" in sheet.number_formats.values()
    values = {"PCF_CODE": "NOUV1", "PCF_RS": "Client un", "CPT_NUMERO": "411NOUV1"}
    sheet.fill([[values.get(code) for code in codes]], top=3, left=1)
    assert macros.importer(book).ok
    assert "NOUV1" in _codes(sandbox, "Clients")


def test_nouvelle_feuille_lists_services_when_the_name_is_unknown() -> None:
    book = FakeBook()
    book.add_sheet("Feuil1")
    book.app.inputs = ["Factures"]
    result = macros.nouvelle_feuille(book)
    assert not result.ok and "DocumentsVente" in book.app.alerts[-1]["prompt"]
    assert book.sheets.names() == ["Feuil1"]


def _invoice_book(sandbox: Any) -> FakeBook:
    """A never-saved book ("Classeur1.xlsx") with three two-line invoices, one per batch."""
    book = FakeBook()
    book.add_sheet("Connexion", [["Paramètre", "Valeur"], ["Serveur", sandbox.url],
                                 ["Fichier société", "DEMO.Gestimum"], ["Utilisateur", "DEMO"],
                                 ["Taille des lots", 2], ["Environnement", "test"]])
    rows = [["F", "03/11/2026", "C25", f"XL-{i}", art, 1] for i in range(3)
            for art in ("A10", "A20")]
    book.add_sheet("DocumentsVente", [
        ["DOC_STYPE", "DOC_DATE", "PCF_CODE", "DOC_REFPCF", "ART_CODE", "LIG_QTE"], *rows])
    book.activate("DocumentsVente")
    return book


def _refs(sandbox: Any) -> Counter[str]:
    return Counter(ref for piece in sandbox.pieces()
                   for ref in {line.get("DOC_REFPCF") for line in piece["lines"]})


def test_closing_excel_without_saving_never_doubles_documents(sandbox: Any) -> None:
    """Import, discard the book unsaved, import the original again: nothing is sent twice
    and the statuses come back from the run journal."""
    assert macros.importer(_invoice_book(sandbox)).ok
    assert _refs(sandbox) == Counter({"XL-0": 1, "XL-1": 1, "XL-2": 1})
    original = _invoice_book(sandbox)  # the same file, as it was before the unsaved import
    result = macros.importer(original)
    assert result.report is not None and result.report.sheets[0].sent == 0
    assert _refs(sandbox) == Counter({"XL-0": 1, "XL-1": 1, "XL-2": 1})
    statuses = _statuses(original, "DocumentsVente", 7)
    assert all(str(statuses[r]).startswith("Importée le ") for r in range(2, 8)), statuses
    assert "pièce" in statuses[2]


def test_importer_leaves_a_tables_totals_row_and_hidden_sheets_out(sandbox: Any) -> None:
    """Importer tout through the real sandbox: the Table's totals row is never a prospect, and
    the hidden sheet is named in the final message instead of being imported."""
    book = FakeBook()
    book.add_sheet("Connexion", [["Serveur", sandbox.url]])
    sheet = book.add_sheet("Prospects", [["PCF_CODE", "PCF_RS"], ["P1", "Un"], ["P2", "Deux"],
                                         ["Total", 2]])
    sheet.add_table("Prospects", "A1:B4", show_totals=True)
    hidden = book.add_sheet("Fournisseurs", [["PCF_CODE", "PCF_RS", "CPT_NUMERO"],
                                             ["F1", "Fourn", "401F1"]])
    hidden.visible = 0
    result = macros.importer_tout(book)
    assert result.ok, result.message
    assert _codes(sandbox) == {"P1", "P2"}
    assert "F1" not in _codes(sandbox, "Fournisseurs")
    assert "« Fournisseurs » masquée : ignorée" in book.app.alerts[-1]["prompt"]


@pytest.mark.parametrize(("answer", "copies"), [("no", 1), ("yes", 2)])
def test_a_changed_document_is_duplicated_only_after_a_named_confirmation(
    sandbox: Any, answer: str, copies: int
) -> None:
    assert macros.importer(_invoice_book(sandbox)).ok
    changed = _invoice_book(sandbox)
    changed.sheet("DocumentsVente").range("F2").value = 7  # quantity of XL-0, after its import
    changed.app.answers = [answer]
    macros.importer(changed)
    question = next(a for a in changed.app.alerts if a["buttons"] == "yes_no")
    assert "1 pièce(s)" in question["prompt"] and "DOUBLE" in question["prompt"]
    assert _refs(sandbox)["XL-0"] == copies
    assert _refs(sandbox)["XL-1"] == 1  # unchanged documents are never sent again
