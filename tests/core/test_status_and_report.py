"""Status texts, colours, ledger rows and the cell-text guards."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from addin.core import catalog, cell_text, layout, outcomes, report_rows, status
from addin.core.lines import Batch
from addin.core.status import RowState


def test_every_state_has_a_label_and_a_light_fill():
    for state in RowState:
        assert status.STATE_LABELS[state]
        rgb = status.STATE_FILLS[state]
        red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
        # Black text stays readable: relative luminance well above mid-grey.
        assert 0.2126 * red + 0.7152 * green + 0.0722 * blue > 170, state


def test_status_texts():
    assert status.status_text("imported", pieces=["ARC19-00012"]) == "Importée — pièce ARC19-00012"
    assert status.status_text("rejected", ["Code manquant"]) == "Rejetée : Code manquant"
    assert (
        status.status_text("warning", warnings=["a", "b"]) == "Importée avec avertissement : a ; b"
    )
    assert status.status_text("tested") == "Test OK"
    assert status.status_text("test-rejected", ["X"]) == "Test : rejetée — X"
    assert status.status_text("blocked", ["Champ obligatoire"]) == "Non envoyée : Champ obligatoire"
    assert len(status.status_text("rejected", ["x" * 5000])) <= status.MAX_STATUS_TEXT


def test_status_state_reads_back_every_text():
    for state in RowState:
        assert status.status_state(status.status_text(state, ["motif"])) is state
        assert status.status_state(status.status_text(state)) is state
    assert status.status_state("Importées 3") is None
    assert status.status_state(None) is None
    assert status.is_imported_status("Importée avec avertissement : x")
    assert status.is_imported_status("Déjà importée")
    assert not status.is_imported_status("Rejetée : Code manquant")
    assert not status.is_imported_status("Test OK")


def test_failed_outcomes():
    batch = Batch(2, 3, "A", ["x", "y"], [7, 8])
    unknown = outcomes.failed_outcome(batch, "Délai dépassé", unknown=True)
    assert unknown.state == "unknown" and [r.state for r in unknown.rows] == ["unknown"] * 2
    assert "vérifier dans Gestimum avant de relancer" in unknown.message
    refused = outcomes.failed_outcome(batch, "Licence refusée", unknown=False)
    # Refused before processing: nothing imported, and said so ("Non envoyée", never "Rejetée").
    assert [r.state for r in refused.rows] == ["blocked"] * 2
    assert refused.rows[0].text == "Non envoyée : Licence refusée"
    never = outcomes.failed_outcome(batch, "Serveur injoignable", unknown=False, nothing_sent=True)
    assert [r.text for r in never.rows] == ["Non envoyée : Serveur injoignable"] * 2


def test_results_row_follows_the_layout_and_hides_credentials():
    ep = catalog.get_endpoint("Clients")
    batch = Batch(2, 5, "PCF_CODE", ["C1", "C2"], [3, 4])
    outcome = outcomes.failed_outcome(batch, "x", unknown=True)
    outcome.duration = 1.26
    target = {"server": "http://bob:hunter2@gestimum:8080", "fichier": "DEMO.Gestimum"}
    when = datetime(2026, 1, 2, 3, 4, 5, 678)
    row = report_rows.results_row("RUN", target, "Clients", ep, batch, outcome, True, when=when)
    cells = dict(zip(layout.RESULTATS_HEADERS, row, strict=True))
    assert cells["Date"] == datetime(2026, 1, 2, 3, 4, 5)
    assert cells["Serveur"] == "http://gestimum:8080"
    assert "hunter2" not in repr(row)
    assert cells["Lot (n/N)"] == "2/5" and cells["Mode (test/réel)"] == "test"
    assert cells["Durée (s)"] == 1.3 and cells["Lignes envoyées"] == 2
    expected = hashlib.sha256(b"PCF_CODE\nC1\nC2").hexdigest()
    assert cells["SHA-256 des lignes"] == expected


def test_journal_rows_and_run_ids():
    outcome = outcomes.unknown_outcome(Batch(1, 1, None, ["a"], [2]), "x", journal=["l1", "l\x00"])
    rows = report_rows.journal_rows("R", catalog.get_endpoint("Clients"), outcome)
    assert rows == [["R", "Clients", "l1", None], ["R", "Clients", "l", None]]
    # A journal line naming a batch line gets that line's Excel row.
    named = report_rows.journal_rows("R", "Clients", ["La ligne 2 n'a pas pu être importée"],
                                     [5, 9, 12])
    assert named == [["R", "Clients", "La ligne 2 n'a pas pu être importée", 9]]
    lines = ["La ligne 3 n'a pas pu être importée :", "Code manquant", "Tâche terminée"]
    block = report_rows.journal_rows("R", "Clients", lines, [5, 9, 12])
    assert [r[3] for r in block] == [12, 12, None]


def test_statuses_cite_excel_rows_not_batch_lines():
    from addin.core.excel_rows import cite_excel_rows, excel_row_of

    rows = [3, 4, 28, 29]
    text = "Pièce rejetée : la ligne 3 de la même pièce est en erreur"
    assert cite_excel_rows(text, rows) == (
        "Pièce rejetée : la ligne Excel 28 de la même pièce est en erreur")
    assert cite_excel_rows("La ligne n° 9 hors du lot", rows) == "La ligne n° 9 hors du lot"
    assert excel_row_of("Ligne 1 : ERR", rows) == 3 and excel_row_of("rien", rows) is None
    first = report_rows.new_run_id(datetime(2026, 1, 1, 9, 0, 0))
    second = report_rows.new_run_id(datetime(2026, 1, 1, 10, 0, 0))
    assert re.fullmatch(r"20260101-090000-[0-9a-f]{6}", first) and first < second


def test_safe_text_never_lets_a_formula_through():
    for text in ("=1+1", "+33 1 23", "-5", "@SUM(A1)", "\t=x"):
        assert cell_text.looks_like_formula(text)
        assert cell_text.safe_text(text) == "'" + text
    assert cell_text.safe_text("Importée") == "Importée"
    assert cell_text.safe_text(12) == "12"
    assert cell_text.clean_text("a\x01b\x0bc") == "abc"
    assert len(cell_text.clean_text("x" * 40_000)) == cell_text.MAX_CELL_TEXT
