"""parse_answer: every documented example answer, then the variants the docs are silent about."""

from __future__ import annotations

import copy

import pytest

from addin.core import catalog, errors
from addin.core.answers import parse_answer
from addin.core.lines import Batch
from addin.core.status import RowState

WITH_EXAMPLES = [
    ep for ep in catalog.import_endpoints() if ep.example_response is not None and ep.examples
]


def example_batch(ep: catalog.Endpoint, first_row: int = 3) -> Batch:
    params = ep.examples[0][ep.root_key]["parametres"]
    lines = list(params[ep.file_param])
    header = lines.pop(0) if params.get("entete") == "Oui" else None
    rows = list(range(first_row, first_row + len(lines)))
    return Batch(index=1, total=1, header=header, lines=lines, rows=rows)


def test_every_example_is_covered():
    assert len(WITH_EXAMPLES) >= 20


@pytest.mark.parametrize("ep", WITH_EXAMPLES, ids=lambda e: e.name)
def test_documented_example_answers(ep):
    batch = example_batch(ep)
    outcome = parse_answer(ep, ep.example_response, batch)
    assert [r.row for r in outcome.rows] == batch.rows
    assert outcome.sent == len(batch.rows)
    assert outcome.journal == ep.example_response["result"][0]["journal"]
    if ep.name == "ReferencesClientsArticles":  # the only documented failure
        assert outcome.state == "rejected" and outcome.imported == 0 and outcome.rejected == 2
        assert [r.text for r in outcome.rows] == ["Rejetée : Code manquant"] * 2
        assert outcome.message.startswith("Rejeté")
    else:
        assert outcome.state == "ok" and outcome.rejected == 0 and outcome.unknown == 0
        assert outcome.imported == len(batch.rows)
        assert all(r.text.startswith("Importée") for r in outcome.rows)


def test_devises_warnings_go_to_their_rows():
    ep = catalog.get_endpoint("Devises")
    outcome = parse_answer(ep, ep.example_response, example_batch(ep, first_row=10))
    assert [r.state for r in outcome.rows] == [RowState.WARNING, RowState.WARNING]
    assert outcome.warned == 2
    assert outcome.rows[0].warnings == [
        "La date d'actualisation et le cours de la devise ne sont modifiables que par "
        "l'assistant d'actualisation des devises."
    ]
    assert outcome.rows[0].text.startswith("Importée avec avertissement : La date")


def test_documents_achat_two_pieces_for_three_lines():
    ep = catalog.get_endpoint("DocumentsAchat")
    outcome = parse_answer(ep, ep.example_response, example_batch(ep, first_row=5))
    assert outcome.pieces == ["BCF17-00008", "BCF17-00009"]
    # Line 1 is dated 20/12, lines 2-3 share 28/12: two documents.
    assert [r.pieces for r in outcome.rows] == [["BCF17-00008"], ["BCF17-00009"], ["BCF17-00009"]]
    assert outcome.rows[0].text == "Importée — pièce BCF17-00008"
    assert "BCF17-00008, BCF17-00009" in outcome.message


def test_explicit_groups_override_the_computed_ones():
    ep = catalog.get_endpoint("DocumentsAchat")
    answer = copy.deepcopy(ep.example_response)
    outcome = parse_answer(ep, answer, example_batch(ep), groups=[[0, 1], [2]])
    assert [r.pieces for r in outcome.rows] == [["BCF17-00008"], ["BCF17-00008"], ["BCF17-00009"]]


def test_banques_tiers_free_warnings_attach_to_the_line_they_name():
    ep = catalog.get_endpoint("BanquesTiers")
    outcome = parse_answer(ep, ep.example_response, example_batch(ep))
    assert [r.state for r in outcome.rows] == [RowState.WARNING] * 3
    assert outcome.rows[1].warnings == [
        "Attention ! Le numéro BBAN 67890123451234567890112 n'est pas valide."
    ]
    assert len(outcome.warnings) == 3  # also kept at batch level


def answer(journal=None, stats=None, resultat="succès", message="terminé") -> dict:
    body: dict = {"resultat": resultat, "message": message}
    if journal is not None:
        body["journal"] = journal
    if stats is not None:
        body["statistiques"] = stats
    return {"result": [body]}


def batch(n: int, header: str | None = "PCF_CODE;PCF_RS", first_row: int = 2) -> Batch:
    lines = [f"C{i};Nom {i}" for i in range(1, n + 1)]
    return Batch(1, 1, header, lines, list(range(first_row, first_row + n)))


CLIENTS = catalog.get_endpoint("Clients")
STD = {"nombre_lignes_importées": "2", "nombre_lignes_non_importées": "1"}


def test_rejection_reason_on_several_lines_and_without_timestamps():
    journal = [
        "Nombre de lignes importées : 2",
        "La ligne 2 n'a pas pu être importée :",
        "Code manquant",
        "Raison sociale trop longue",
        "Tâche ImporterClients terminée",
    ]
    outcome = parse_answer(CLIENTS, answer(journal, STD), batch(3))
    assert [r.state for r in outcome.rows] == ["imported", "rejected", "imported"]
    assert outcome.rows[1].reasons == ["Code manquant", "Raison sociale trop longue"]
    assert outcome.rows[1].text == "Rejetée : Code manquant ; Raison sociale trop longue"
    assert outcome.state == "partial"


def test_reason_on_the_same_line_and_typographic_apostrophe():
    journal = ["01/02/2024 10:00:00 La ligne 1 n’a pas pu être importée : Code manquant"]
    stats = {"nombre_lignes_importées": 0, "nombre_lignes_non_importées": 1}
    outcome = parse_answer(CLIENTS, answer(journal, stats), batch(1))
    assert outcome.rows[0].reasons == ["Code manquant"]


def test_unidentified_rejections_become_unknown_and_suggest_test_mode():
    outcome = parse_answer(CLIENTS, answer(["Nombre de lignes importées : 2"], STD), batch(3))
    assert {r.state for r in outcome.rows} == {RowState.UNKNOWN}
    assert outcome.state == "unknown" and outcome.unknown == 3
    assert outcome.locate_in_test  # Clients has `tester`
    assert outcome.rows[0].text.startswith("À vérifier")


def test_everything_rejected_needs_no_journal_detail():
    stats = {"nombre_lignes_importées": "0", "nombre_lignes_non_importées": "3"}
    outcome = parse_answer(CLIENTS, answer([], stats), batch(3))
    assert {r.state for r in outcome.rows} == {RowState.REJECTED}


def test_ecritures_statistics_and_report_entries():
    ep = catalog.get_endpoint("Ecritures")
    stats = {key: "0" for key in ep.stat_keys}
    stats |= {"nombre_lignes_écritures_importées": "2", "nombre_lignes_écritures_rejetées": "1"}
    journal = [
        "Ci-dessous le rapport d'import :",
        "ERR E Ligne 3 : Le compte 999 n'existe pas.",
        "AV E Ligne 1 : Libellé tronqué.",
        "ERR : Erreur provoquant le rejet de la ligne",
        "E : Ligne d'écriture",
    ]
    lines = ["1,19/02/2019,VTE,411C25", "2,19/02/2019,VTE,445710", "3,19/02/2019,VTE,707100"]
    outcome = parse_answer(ep, answer(journal, stats), Batch(1, 1, None, lines, [4, 5, 6]))
    assert [r.state for r in outcome.rows] == ["warning", "imported", "rejected"]
    assert outcome.rows[2].reasons == ["Le compte 999 n'existe pas."]
    assert outcome.rows[0].warnings == ["Libellé tronqué."]


def test_ecritures_rejections_without_entries_are_unknown():
    ep = catalog.get_endpoint("Ecritures")
    stats = {"nombre_lignes_écritures_importées": "2", "nombre_lignes_écritures_rejetées": "1"}
    lines = ["a", "b", "c"]
    outcome = parse_answer(ep, answer(["Résumé"], stats), Batch(1, 1, None, lines, [1, 2, 3]))
    assert outcome.state == "unknown" and outcome.locate_in_test


def test_test_mode_states():
    journal = ["La ligne 1 n'a pas pu être importée :", "Code manquant"]
    outcome = parse_answer(CLIENTS, answer(journal, STD), batch(3), test=True)
    assert [r.state for r in outcome.rows] == ["test-rejected", "tested", "tested"]
    assert outcome.rows[0].text == "Test : rejetée — Code manquant"
    assert outcome.rows[1].text == "Test OK"
    assert outcome.message.startswith("Test") and "rien importé" in outcome.message


def test_missing_statistics_fall_back_on_the_journal_counts():
    journal = [
        "Nombre de lignes importées : 1",
        "Nombre de lignes non importées : 1",
        "La ligne 2 n'a pas pu être importée :",
        "Code manquant",
    ]
    outcome = parse_answer(CLIENTS, answer(journal), batch(2))
    assert [r.state for r in outcome.rows] == ["imported", "rejected"]


def test_no_statistics_no_journal_is_unknown():
    outcome = parse_answer(CLIENTS, answer(), batch(2))
    assert outcome.state == "unknown"
    assert "vérifier dans Gestimum" in outcome.message


def test_other_resultat_without_details_is_unknown_and_says_it():
    outcome = parse_answer(
        CLIENTS, answer(resultat="échec", message="Société verrouillée"), batch(1)
    )
    assert outcome.state == "unknown" and "échec" in outcome.message


def test_tolerant_shapes():
    # bare object, unaccented integer statistics, extra keys, journal as one text
    body = {
        "resultat": "success",
        "statistiques": {
            "nombre_lignes_importees": 2,
            "nombre_lignes_non_importees": 0,
            "duree": "3",
        },
        "extra": [1],
        "journal": "a\nb",
    }
    outcome = parse_answer(CLIENTS, body, batch(2))
    assert outcome.state == "ok" and outcome.journal == ["a", "b"]


def test_error_and_garbage_answers_raise():
    with pytest.raises(errors.ServerError):
        parse_answer(CLIENTS, {"error": "Licence refusée"}, batch(1))
    with pytest.raises(errors.OutcomeUnknownError):
        parse_answer(CLIENTS, {"result": ["?"]}, batch(1))


def test_out_of_range_line_numbers_do_not_crash():
    journal = ["La ligne 9 n'a pas pu être importée :", "Code manquant"]
    stats = {"nombre_lignes_importées": "2", "nombre_lignes_non_importées": "0"}
    outcome = parse_answer(CLIENTS, answer(journal, stats), batch(2))
    assert [r.state for r in outcome.rows] == ["imported", "imported"]


@pytest.mark.parametrize(("stats", "journal"), [
    ({}, ["Traitement terminé"]),  # no counts at all, a journal we cannot read
    ({"nombre_lignes_importées": "2", "nombre_lignes_non_importées": "1"}, []),  # 3 for 2 sent
    ({"nombre_lignes_importées": "5", "nombre_lignes_non_importées": "0"}, []),  # more than sent
])
def test_answers_that_prove_nothing_make_the_batch_unknown(stats, journal):
    """Read as "imported" they would lose rows; as "rejected", double them on a re-run."""
    outcome = parse_answer(CLIENTS, answer(journal, stats), batch(2))
    assert outcome.state == "unknown" and {r.state for r in outcome.rows} == {"unknown"}


def test_zero_imported_but_pieces_created_is_unknown():
    ep = catalog.get_endpoint("DocumentsVente")
    stats = {"nombre_lignes_importées": "0", "nombre_lignes_non_importées": "1"}
    b = Batch(1, 1, "DOC_STYPE;DOC_DATE;PCF_CODE;ART_CODE;LIG_QTE",
              ["C;01/01/2024;C1;A;1"], [3])
    outcome = parse_answer(ep, answer(["La pièce FAC17-00001 a été créée."], stats), b)
    assert outcome.state == "unknown"


def test_pieces_of_rejected_documents_are_not_misattributed():
    ep = catalog.get_endpoint("DocumentsVente")
    header = "DOC_STYPE;DOC_DATE;PCF_CODE;ART_CODE;LIG_QTE"
    lines = ["C;01/01/2024;C1;A;1", "C;02/01/2024;C1;A;1", "C;02/01/2024;C1;B;1"]
    journal = [
        "La ligne 1 n'a pas pu être importée :",
        "Article inconnu",
        "La pièce ARC24-00001 a été créée",
    ]
    stats = {"nombre_lignes_importées": "2", "nombre_lignes_non_importées": "1"}
    outcome = parse_answer(ep, answer(journal, stats), Batch(1, 1, header, lines, [3, 4, 5]))
    assert [r.pieces for r in outcome.rows] == [[], ["ARC24-00001"], ["ARC24-00001"]]


def test_plain_rows_share_their_lists_and_status_and_cannot_change_them_in_place():
    """100,000 outcomes must not cost three fresh lists and a status text each; a change meant
    for one row must fail rather than reach every row sharing the list."""
    from addin.core.outcomes import NO_TEXTS, not_sent_outcomes, refused_outcome
    from addin.core.secret_fields import Scrubber

    stats = {"nombre_lignes_importées": "3", "nombre_lignes_non_importées": "0"}
    outcome = parse_answer(CLIENTS, answer([], stats), batch(3))
    rows = list(outcome.rows)
    assert all(r.reasons is r.warnings is r.pieces is NO_TEXTS for r in rows)
    assert rows[0].reasons == [] and rows[0].text == "Importée" and rows[0].text is rows[2].text
    with pytest.raises(TypeError):
        rows[0].reasons.insert(0, "mise à jour envoyée")
    assert NO_TEXTS == [] and rows[1].pieces == []
    stopped = not_sent_outcomes(batch(2), "arrêt demandé")
    assert stopped[0].reasons is stopped[1].reasons and stopped[0].reasons == ["arrêt demandé"]
    assert stopped[1].text == "Non envoyée : arrêt demandé"
    with pytest.raises(TypeError):
        stopped[0].reasons.append("autre")
    # Scrubbing keeps the rows without a secret as they are, and rebuilds the others.
    scrub = Scrubber(["motdepasse"])
    assert all(a is b for a, b in zip(scrub.outcome(outcome).rows, rows, strict=True))
    refused = scrub.outcome(refused_outcome(batch(2), "refus : motdepasse"))
    assert [r.reasons for r in refused.rows] == [["refus : ********"]] * 2
    assert all("motdepasse" not in r.text for r in refused.rows)


def test_rows_of_a_piece_share_its_pieces_and_status():
    ep = catalog.get_endpoint("DocumentsVente")
    header = "DOC_STYPE;DOC_DATE;PCF_CODE;ART_CODE;LIG_QTE"
    lines = ["C;01/01/2024;C1;A;1", "C;01/01/2024;C1;B;1", "C;02/01/2024;C1;B;1"]
    stats = {"nombre_lignes_importées": "3", "nombre_lignes_non_importées": "0"}
    journal = ["La pièce ARC24-00001 a été créée", "La pièce ARC24-00002 a été créée"]
    rows = parse_answer(ep, answer(journal, stats), Batch(1, 1, header, lines, [3, 4, 5])).rows
    assert [r.text for r in rows] == ["Importée — pièce ARC24-00001"] * 2 + [
        "Importée — pièce ARC24-00002"]
    assert rows[0].pieces is rows[1].pieces and rows[0].text is rows[1].text


def test_line_numbers_are_shared_by_every_batch():
    stats = {"nombre_lignes_importées": "600", "nombre_lignes_non_importées": "0"}
    first = parse_answer(CLIENTS, answer([], stats), batch(600)).rows
    second = parse_answer(CLIENTS, answer([], stats), batch(600, first_row=700)).rows
    assert [r.line for r in first] == list(range(1, 601))
    assert all(a.line is b.line for a, b in zip(first, second, strict=True))
