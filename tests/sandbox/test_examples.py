"""Every documented example request, replayed on a fresh demo company, answers as documented.

The comparison covers `resultat`, `message`, `statistiques` and the journal lines (timestamps
and folder paths removed). Where the documentation contradicts itself, the expected answer is
patched here, and only here, exactly as docs/SANDBOX.md ("Écarts assumés") says.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from addin.core import catalog
from addin.sandbox import running_sandbox

from .helpers import HTTP, STAMP

PATH = re.compile(r"[A-Z]:\\\S*")

CASES = [
    (ep.name, i)
    for ep in catalog.endpoints()
    if ep.kind == "import"
    for i in range(len(ep.examples))
]


def normalise(res: dict[str, Any]) -> dict[str, Any]:
    """Drop timestamps and folder paths (they differ by machine and by run)."""
    out = dict(res)
    if "journal" in out:
        lines = []
        for line in out["journal"]:
            assert STAMP.match(line), line
            lines.append(PATH.sub("<chemin>", line[20:]))
        out["journal"] = lines
    return out


def _replace(lines: list[str], old: str, new: list[str]) -> list[str]:
    i = lines.index(old)
    return [*lines[:i], *new, *lines[i + 1 :]]


def expected_answer(name: str, index: int) -> dict[str, Any]:
    """The documented answer, with the documented doc slips corrected (see SANDBOX.md)."""
    ep = catalog.get_endpoint(name)
    assert ep.example_response is not None
    exp = normalise(copy.deepcopy(ep.example_response["result"][0]))
    j = exp["journal"]
    if name == "Articles":  # doc slip: the end line lacks "terminée"
        exp["journal"] = _replace(j, "Tâche ImporterArticles", ["Tâche ImporterArticles terminée"])
    elif name == "Immobilisations":  # doc slip: missing space
        exp["journal"] = _replace(
            j, "Tâche ImporterImmobilisationsterminée", ["Tâche ImporterImmobilisations terminée"]
        )
    elif name == "GrillesTarifs":  # the success line is written whenever no line is rejected
        exp["journal"] = _replace(
            j,
            "Nombre de lignes importées : 3",
            ["L'import a été effectué avec succès.", "Nombre de lignes importées : 3"],
        )
    elif name == "Affaires":  # 15/19/2019 is not a date: line 1 is rejected
        exp["statistiques"] = {"nombre_lignes_importées": "1", "nombre_lignes_non_importées": "1"}
        j = [x for x in j if x != "L'import a été effectué avec succès."]
        j = _replace(j, "Nombre de lignes importées : 2", ["Nombre de lignes importées : 1"])
        exp["journal"] = _replace(
            j,
            "Nombre de lignes non importées : 0",
            [
                "Nombre de lignes non importées : 1",
                "La ligne 1 n'a pas pu être importée :",
                "La valeur « 15/19/2019 » du champ PRJ_DT_FIN (Date de fin) n'est pas une date "
                "valide (format JJ/MM/AAAA).",
            ],
        )
    elif name == "Ecritures" and index > 0:
        exp = _ecritures_expected(exp, index)
    return exp


def _ecritures_expected(exp: dict[str, Any], index: int) -> dict[str, Any]:
    """Only example 1 has a documented answer; the others differ by what they contain."""
    stats, j = exp["statistiques"], exp["journal"]
    if index == 1:  # two due-date lines under line 1
        stats["nombre_lignes_échéances_importées"] = "2"
        exp["journal"] = _replace(
            j, "Lignes d'échéances importables : 0", ["Lignes d'échéances importables : 2"]
        )
    elif index == 2:  # one analytic line under line 3
        stats["nombre_lignes_analytiques_importées"] = "1"
    elif index == 3:  # EBP: line 1 is pièce FAC19-1100422, lines 2-3 FAC19-1100425: unbalanced
        stats.update(
            {
                "nombre_erreurs": "3",
                "nombre_lignes_écritures_importées": "0",
                "nombre_lignes_écritures_rejetées": "3",
            }
        )
        j = _replace(
            j,
            "Ci-dessous le rapport d'import :",
            [
                "Ci-dessous le rapport d'import :",
                "ERR E Ligne 1 : Pièce déséquilibrée : débit 12000.00, crédit 0.00.",
                "ERR E Ligne 2 : Pièce déséquilibrée : débit 0.00, crédit 12000.00.",
                "ERR E Ligne 3 : Pièce déséquilibrée : débit 0.00, crédit 12000.00.",
            ],
        )
        j = _replace(
            j, "Lignes d'écritures importables : 3", ["Lignes d'écritures importables : 0"]
        )
        j = _replace(j, "Lignes d'écritures rejetables : 0", ["Lignes d'écritures rejetables : 3"])
        j = _replace(j, "ERREURS : 0", ["ERREURS : 3"])
        exp["journal"] = _replace(
            j,
            "Fichier d'écritures importé : <chemin>",
            ["Fichier d'écritures importé : <chemin>", "Fichier de comptes importé : <chemin>"],
        )
    return exp


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i + 1}" for n, i in CASES])
def test_documented_example_answers_as_documented(tmp_path: Path, name: str, index: int) -> None:
    ep = catalog.get_endpoint(name)
    with running_sandbox(tmp_path) as sb:
        answer = HTTP.post(f"{sb.url}/{ep.url}", json=ep.examples[index], timeout=30)
    assert answer.status_code == 200, answer.text
    assert list(answer.json()) == ["result"]
    (got,) = answer.json()["result"]
    assert list(got) == ["resultat", "message", "journal", "statistiques"]  # documented order
    assert normalise(got) == expected_answer(name, index)


def test_every_import_with_examples_is_replayed() -> None:
    names = {n for n, _ in CASES}
    documented = {e.name for e in catalog.endpoints() if e.kind == "import" and e.examples}
    assert names == documented and len(CASES) >= 25


@pytest.mark.parametrize("function", ["Version", "VersionERP"])
def test_tool_requests_answer_as_documented(sandbox: Any, function: str) -> None:
    ep = catalog.get_endpoint(f"Outils.{function}")
    answer = HTTP.get(f"{sandbox.url}/{ep.url}", timeout=10)
    assert answer.status_code == 200
    # The documented answer, plus the sandbox's own mark after it (SANDBOX.md §2).
    expected = copy.deepcopy(ep.example_response)
    expected["result"][0]["bac_a_sable"] = "Oui"
    assert answer.json() == expected
    assert list(answer.json()["result"][0]) == ["resultat", "message", "bac_a_sable"]


def test_documents_examples_land_as_pieces(tmp_path: Path) -> None:
    ep = catalog.get_endpoint("DocumentsAchat")
    with running_sandbox(tmp_path) as sb:
        HTTP.post(f"{sb.url}/{ep.url}", json=ep.examples[0], timeout=30)
        pieces = sb.pieces()
    assert [(p["numero"], len(p["lines"])) for p in pieces] == [
        ("BCF17-00008", 1),
        ("BCF17-00009", 2),
    ]
    assert pieces[1]["lines"][1]["ART_CODE"] == "NL"
