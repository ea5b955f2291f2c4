"""Accounting entries: balance, due dates, analytic lines, prerequisites, report and storage."""

from __future__ import annotations

from typing import Any

from addin.sandbox import SandboxHandle

from .helpers import body, journal, post, result

INVOICE = [
    "1,19/02/2019,VTE,411C25,,Presta,FAC1,EUR,120,D",
    "2,19/02/2019,VTE,445710,,Presta,FAC1,EUR,20,C",
    "3,19/02/2019,VTE,707100,,Presta,FAC1,EUR,100,C",
]


def run(sb: SandboxHandle, lines: list[str], fmt: str = "GestimumComptaVariable", **p: Any) -> dict:
    return result(post(sb, "Ecritures", body("Ecritures", lines, format=fmt, **p)))


def stats(res: dict) -> dict[str, int]:
    return {k: int(v) for k, v in res["statistiques"].items()}


def report(res: dict) -> list[str]:
    lines = journal(res)
    return lines[lines.index("Ci-dessous le rapport d'import :") + 1 : lines.index("#" * 60)]


def test_balanced_invoice_lands(sandbox: SandboxHandle) -> None:
    res = run(sandbox, INVOICE)
    assert stats(res)["nombre_lignes_écritures_importées"] == 3
    rows = sandbox.rows("Ecritures")
    assert [(r["compte"], r["montant"], r["sens"], r["entry"]) for r in rows] == [
        ("411C25", "120", "D", 1),
        ("445710", "20", "C", 1),
        ("707100", "100", "C", 1),
    ]
    assert {r["simulation"] for r in rows} == {0}


def test_unbalanced_piece_is_rejected_whole(sandbox: SandboxHandle) -> None:
    lines = [*INVOICE[:2], "3,19/02/2019,VTE,707100,,Presta,FAC1,EUR,99.99,C"]
    other = [x.replace("FAC1", "FAC2") for x in INVOICE]
    res = run(sandbox, lines + other)
    s = stats(res)
    assert (
        s["nombre_lignes_écritures_rejetées"] == 3 and s["nombre_lignes_écritures_importées"] == 3
    )
    assert report(res) == [
        f"ERR E Ligne {n} : Pièce déséquilibrée : débit 120.00, crédit 119.99." for n in (1, 2, 3)
    ]
    assert {r["piece"] for r in sandbox.rows("Ecritures")} == {"FAC2"}


def test_error_on_one_line_rejects_its_piece(sandbox: SandboxHandle) -> None:
    lines = [INVOICE[0], INVOICE[1].replace("445710", "999999"), INVOICE[2]]
    res = run(sandbox, lines)
    assert report(res) == [
        "ERR E Ligne 2 : Le compte 999999 n'existe pas.",
        "ERR E Ligne 1 : Pièce rejetée : la ligne 2 de la même pièce est en erreur.",
        "ERR E Ligne 3 : Pièce rejetée : la ligne 2 de la même pièce est en erreur.",
    ]
    assert stats(res)["nombre_erreurs"] == 3
    assert sandbox.rows("Ecritures") == []


def test_field_checks_on_entry_lines(sandbox: SandboxHandle) -> None:
    lines = [
        "1,31/02/2019,VTE,411C25,,Presta,FAC1,EUR,120,D",
        "2,190219,XXX,445710,,Presta,FAC1,EUR,1 20,C",
        "3,19022019,VTE,,,Presta,FAC1,EUR,100,Z",
    ]
    reasons = report(run(sandbox, lines))
    assert any("Ligne 1" in r and "pas une date valide" in r for r in reasons)
    assert any("Ligne 2" in r and "séparateur décimal : point" in r for r in reasons)
    assert "ERR E Ligne 2 : Le journal XXX n'existe pas." in reasons
    assert any("Ligne 3" in r and "CPT_NUMERO" in r for r in reasons)
    assert any("Ligne 3" in r and "valeurs possibles : C, D" in r for r in reasons)


def test_due_dates_must_add_up(sandbox: SandboxHandle) -> None:
    good = [INVOICE[0], "E10/04/2019,CHQ,50,60", "E10/05/2019,CHQ,50,60", *INVOICE[1:]]
    res = run(sandbox, good)
    assert stats(res)["nombre_lignes_échéances_importées"] == 2
    assert [r["montant"] for r in sandbox.rows("Echeances")] == ["60", "60"]
    bad = [INVOICE[0], "E10/04/2019,CHQ,50,60", "E10/05/2019,CHQ,40,50", *INVOICE[1:]]
    res = run(sandbox, [x.replace("FAC1", "FAC3") for x in bad])
    s = stats(res)
    assert s["nombre_lignes_échéances_rejetées"] == 2 and s["nombre_lignes_écritures_rejetées"] == 3
    assert (
        report(res)[0]
        == "ERR E Ligne 1 : Le total des échéances (110) diffère du montant attendu (120)."
    )


def test_due_lines_ignored_when_the_entry_has_a_due_date(sandbox: SandboxHandle) -> None:
    first = "1,19/02/2019,VTE,411C25,,Presta,FAC1,EUR,120,D,,02/03/2019,,CHQ"
    res = run(sandbox, [first, "E10/04/2019,CHQ,100,120", *INVOICE[1:]])
    s = stats(res)
    assert s["nombre_lignes_échéances_rejetées"] == 1 and s["nombre_avertissements"] == 1
    assert s["nombre_lignes_écritures_importées"] == 3
    assert report(res)[0].startswith("AV H Ligne 2 : Ligne d'échéance ignorée")


def test_analytic_lines(sandbox: SandboxHandle) -> None:
    res = run(sandbox, [*INVOICE, ">P1,S1,60,60", ">P1,S1,40,40"])
    assert stats(res)["nombre_lignes_analytiques_importées"] == 2
    assert len(sandbox.rows("Analytiques")) == 2
    res = run(sandbox, [*INVOICE, ">P1,S1,60,60"])
    assert stats(res)["nombre_lignes_analytiques_rejetées"] == 1
    res = run(sandbox, [*INVOICE, ">P1,S9,100,100"])
    assert "ERR S Ligne 4 : La section analytique S9 n'existe pas." in report(res)
    res = run(
        sandbox,
        [*INVOICE, ">P1,S9,100,100"],
        creer_sections_analytiques="Oui",
        plan_analytique="P1",
    )
    assert stats(res)["nombre_lignes_analytiques_importées"] == 1
    assert any(r["ANA_CODE"] == "S9" for r in sandbox.rows("SectionsAnalytiques"))


def test_simulation_and_accounts_file(sandbox: SandboxHandle) -> None:
    lines = [INVOICE[0].replace("411C25", "411NEW"), *INVOICE[1:]]
    res = run(sandbox, lines, simulation="Oui", fichier_comptes=['411NEW,"Nouveau, client",NEW'])
    assert stats(res)["nombre_lignes_écritures_importées"] == 3
    assert "Fichier de comptes importé" in " ".join(journal(res))
    assert {r["simulation"] for r in sandbox.rows("Ecritures")} == {1}
    assert {r["CPT_NUMERO"]: r["CPT_LIB"] for r in sandbox.rows("Comptes")}[
        "411NEW"
    ] == "Nouveau, client"


def test_ebp_creates_unknown_accounts_with_a_warning(sandbox: SandboxHandle) -> None:
    lines = [
        "1,11022019,VTE,411EBP,,Presta,F1,120,D,13/03/2019,,CHQ",
        "2,11022019,VTE,707100,,Presta,F1,120,C",
    ]
    res = run(sandbox, lines, fmt="EBPV5V2000")
    s = stats(res)
    assert s["nombre_lignes_écritures_importées"] == 2 and s["nombre_avertissements"] == 1
    titles = {r["CPT_NUMERO"]: r["CPT_LIB"] for r in sandbox.rows("Comptes")}
    assert titles["411EBP"] == "Compte créé pendant transfert"
