"""Line-level processing: field rules, upserts, prerequisites, documents, answer shape."""

from __future__ import annotations

import json

import pytest

from addin.sandbox import SandboxHandle
from addin.sandbox.spec import POINT_OR_COMMA

from .helpers import ENDPOINTS_JSON, body, imported, journal, post, rejection, result, run


@pytest.mark.parametrize(
    ("endpoint", "header", "value", "reason"),
    [
        (
            "Clients",
            "PCF_CODE;PCF_RS;CPT_NUMERO",
            "C1;;411C1",
            "PCF_RS (Raison sociale) est obligatoire",
        ),
        ("Clients", "PCF_CODE;PCF_RS;CPT_NUMERO", "C" * 21 + ";X;411", "longueur maximale de 20"),
        ("Devises", "DEV_CODE;DEV_LIB;DEV_COURS", "USD;Dollar;1.5", "séparateur décimal : virgule"),
        ("Devises", "DEV_CODE;DEV_LIB;DEV_INCERT", "USD;Dollar;2", "doit valoir 0 ou 1"),
        ("Devises", "DEV_CODE;DEV_LIB;DEV_DT_ACT", "USD;Dollar;31/02/2024", "pas une date valide"),
        ("Devises", "DEV_CODE;DEV_LIB;DEV_DT_ACT", "USD;Dollar;2024-01-31", "pas une date valide"),
        ("Villes", "VIL_CODE;VIL_NOM;VIL_POPULA", "78120;Rambouillet;26 000", "nombre entier"),
        (
            "Comptes",
            "CPT_NUMERO;CPT_LIB;CPT_TYPE",
            "6011;Achats;X",
            "valeurs possibles : C, F, G, R",
        ),
        ("Comptes", "CPT_NUMERO;CPT_LIB;CPT_TYPE", "411Z;Client Z;C", "PCF_CODE (Code tiers)"),
        ("Actions", "ACT_TYPE;ACT_DATE", "APPEL;05/09/2019 25:00", "date et heure valide"),
        ("Glossaires", "TXT_CODE;TXT_LIB;TXT_MEMO", "G1;Lib;Memo", "pas les deux"),
        ("Clients", "PCF_CODE;PCF_RS;CPT_NUMERO", "C1;Société ☃;411C1", "Windows-1252"),
    ],
)
def test_field_rules_reject_the_line(
    sandbox: SandboxHandle, endpoint: str, header: str, value: str, reason: str
) -> None:
    res = run(sandbox, endpoint, [header, value])
    assert imported(res) == (0, 1)
    assert res["resultat"] == "succès" and res["message"] == "terminé"  # as documented
    assert any(reason in r for r in rejection(res, 1)), rejection(res, 1)
    assert "L'import a été effectué avec succès." not in journal(res)


def test_every_issue_of_a_line_is_listed(sandbox: SandboxHandle) -> None:
    res = run(sandbox, "Devises", ["DEV_CODE;DEV_LIB;DEV_COURS;DEV_INCERT", "USDX;;1.5;3"])
    reasons = rejection(res, 1)
    assert len(reasons) == 4, reasons


def test_point_or_comma_only_where_documented(sandbox: SandboxHandle) -> None:
    lines = ["DOC_STYPE;PCF_CODE;ART_CODE;LIG_QTE;LIG_P_BRUT", "C;MA0001;NL;1.5;10,25"]
    assert imported(run(sandbox, "DocumentsVente", lines)) == (1, 0)
    lines = ["DOC_STYPE;DEP_CODE;ART_CODE;MVT_QTE", "E;001;ELS;1.5"]
    assert imported(run(sandbox, "DocumentsStock", lines)) == (0, 1)


@pytest.mark.skipif(not ENDPOINTS_JSON.exists(), reason="documented reference not available")
def test_point_or_comma_list_matches_the_documentation() -> None:
    found: dict[str, set[str]] = {}
    for ep in json.loads(ENDPOINTS_JSON.read_text(encoding="utf-8")):
        for f in ep.get("file_structure") or []:
            if "point ou virgule" in json.dumps(f, ensure_ascii=False):
                found.setdefault(ep["name"], set()).add(f["field"])
    assert found == {k: set(v) for k, v in POINT_OR_COMMA.items()}


def test_upsert_on_the_update_key_keeps_values_not_resent(sandbox: SandboxHandle) -> None:
    run(sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO;PCF_VILLE", "U1;Ancien;411U1;Paris"])
    res = run(sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO;PCF_VILLE", "U1;Nouveau;411U1;"])
    assert imported(res) == (1, 0)
    rows = [r for r in sandbox.rows("Clients") if r["PCF_CODE"] == "U1"]
    assert rows == [
        {"PCF_CODE": "U1", "PCF_RS": "Nouveau", "CPT_NUMERO": "411U1", "PCF_VILLE": "Paris"}
    ]


def test_addresses_update_replaces_the_whole_address(sandbox: SandboxHandle) -> None:
    header = "ADR_CODE;ADR_NUMERO;ADR_RUE;ADR_VILLE"
    run(sandbox, "AdressesTiers", [header, "MA0001;1;1 rue A;Paris"])
    run(sandbox, "AdressesTiers", ["ADR_CODE;ADR_NUMERO;ADR_RUE", "MA0001;1;2 rue B"])
    assert sandbox.rows("AdressesTiers") == [
        {"ADR_CODE": "MA0001", "ADR_NUMERO": "1", "ADR_RUE": "2 rue B"}
    ]


def test_auto_numbered_actions_create_new_records(sandbox: SandboxHandle) -> None:
    run(sandbox, "Actions", ["ACT_TYPE;ACT_OBJET", "APPEL;Un", "APPEL;Deux"])
    run(sandbox, "Actions", ["ACT_TYPE;ACT_OBJET", "APPEL;Trois"])
    assert [(r["ACT_NUMERO"], r["ACT_OBJET"]) for r in sandbox.rows("Actions")] == [
        ("1", "Un"),
        ("2", "Deux"),
        ("3", "Trois"),
    ]


def test_supplier_price_accepted_once_the_supplier_exists(sandbox: SandboxHandle) -> None:
    run(sandbox, "Fournisseurs", ["PCF_CODE;PCF_RS", "F9;Fournisseur 9"])
    res = run(sandbox, "TarifsFournisseursArticles", ["ART_CODE;PCF_CODE;ART_PFOURN", "A10;F9;1"])
    assert imported(res) == (1, 0)


def test_documents_are_grouped_numbered_and_a_bad_line_rejects_its_piece(
    sandbox: SandboxHandle,
) -> None:
    lines = [
        "DOC_STYPE;DOC_DATE;PCF_CODE;ART_CODE;LIG_QTE",
        "C;01/02/2024;MA0001;NL;1",
        "C;01/02/2024;MA0001;EV;2",
        "C;01/02/2024;CLIENT1;NL;1",  # another third party: another pièce
        "F;01/02/2024;CLIENT1;NL;1",  # another sub-type: another pièce
        "F;01/02/2024;CLIENT1;NL;x",  # same pièce as above, but a bad quantity
    ]
    res = run(sandbox, "DocumentsVente", lines)
    assert imported(res) == (3, 2)
    assert rejection(res, 4) == [
        "La pièce n'a pas été créée : la ligne 5 de la même pièce a été rejetée."
    ]
    assert [p["numero"] for p in sandbox.pieces()] == ["ARC17-00051", "ARC17-00052"]
    assert journal(res)[-4:-2] == [
        "La pièce ARC17-00051 a été créée",
        "La pièce ARC17-00052 a été créée",
    ]
    assert [len(p["lines"]) for p in sandbox.pieces()] == [2, 1]


def test_new_subtype_gets_its_own_counter_and_given_numbers_are_kept(
    sandbox: SandboxHandle,
) -> None:
    lines = [
        "DOC_STYPE;DOC_PIECE;PCF_CODE;ART_CODE;LIG_QTE",
        "D;;MA0001;NL;1",
        "D;MONDEVIS1;MA0001;NL;1",
    ]
    run(sandbox, "DocumentsVente", lines)
    assert [p["numero"] for p in sandbox.pieces()] == ["DEV17-00001", "MONDEVIS1"]
    res = run(sandbox, "DocumentsVente", lines[:1] + lines[2:])
    assert rejection(res, 1) == ["La pièce MONDEVIS1 existe déjà."]


def test_short_lines_are_padded_and_long_lines_rejected(sandbox: SandboxHandle) -> None:
    res = run(
        sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO;PCF_VILLE", "P1;P;411P1", "P2;P;411P2;V;X"]
    )
    assert imported(res) == (1, 1)
    assert rejection(res, 2) == ["La ligne comporte 5 valeurs pour 4 champs."]


def test_text_identifier_wraps_values_holding_the_separator(sandbox: SandboxHandle) -> None:
    lines = ["PCF_CODE;PCF_RS;CPT_NUMERO", 'Q1;"Dupont; fils et ""associés""";411Q1']
    res = run(sandbox, "Clients", lines, identificateur_texte='"')
    assert imported(res) == (1, 0)
    row = next(r for r in sandbox.rows("Clients") if r["PCF_CODE"] == "Q1")
    assert row["PCF_RS"] == 'Dupont; fils et "associés"'


def test_field_names_without_header_line_and_other_separator(sandbox: SandboxHandle) -> None:
    res = run(
        sandbox,
        "Clients",
        ["N1|Nom 1|411N1"],
        entete="Non",
        noms_champs="PCF_CODE;PCF_RS;CPT_NUMERO",
        separateur_champs="|",
    )
    assert imported(res) == (1, 0)


def test_blank_lines_are_skipped_but_keep_their_number(sandbox: SandboxHandle) -> None:
    res = run(sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO", "B1;B;411B1", "", "B2;;411B2"])
    assert imported(res) == (1, 1)
    assert rejection(res, 3)


def test_journal_and_statistics_absent_when_not_asked(sandbox: SandboxHandle) -> None:
    res = run(
        sandbox,
        "Clients",
        ["PCF_CODE;PCF_RS;CPT_NUMERO", "J1;J;411J1"],
        journal="Non",
        statistiques="Non",
    )
    assert res == {"resultat": "succès", "message": "terminé"}
    res = run(sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO", "J1;J;411J1"], journal="Non")
    assert list(res) == ["resultat", "message", "statistiques"]


def test_journal_sequence_with_warnings(sandbox: SandboxHandle) -> None:
    res = run(sandbox, "Devises", ["DEV_CODE;DEV_LIB;DEV_COURS", "GBP;Livre;0,85", "CHF;Franc;"])
    assert journal(res) == [
        "Ouverture de la société C:\\ProgramData\\Gestimum\\DEMO.Gestimum",
        "Société C:\\ProgramData\\Gestimum\\DEMO.Gestimum ouverte",
        "Lancement de la tâche ImporterDevises",
        "L'import a été effectué avec succès.",
        "Nombre de lignes importées : 2",
        "Nombre de lignes non importées : 0",
        "La ligne 1 comporte les avertissements suivants :",
        "La date d'actualisation et le cours de la devise ne sont modifiables que par "
        "l'assistant d'actualisation des devises.",
        "Tâche ImporterDevises terminée",
        "Fermeture de la société C:\\ProgramData\\Gestimum\\DEMO.Gestimum",
    ]
    assert {r["DEV_CODE"]: r.get("DEV_COURS") for r in sandbox.rows("Devises")}["GBP"] == "0,85"


def test_valid_rib_key_gives_no_warning(sandbox: SandboxHandle) -> None:
    # 30002 00550 0000157845Z 02 is a well-known valid French RIB.
    lines = [
        "PCF_CODE;RIB_ORDRE;RIB_AGENCE;RIB_GUICHE;RIB_COMPTE;RIB_CLE",
        "MA0001;1;30002;00550;0000157845Z;02",
    ]
    res = run(sandbox, "BanquesTiers", lines)
    assert not [x for x in journal(res) if x.startswith("Attention")]


def test_custom_fields_are_stored(sandbox: SandboxHandle) -> None:
    res = run(sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO;XXX_SECTEUR", "X1;X;411X1;Sport"])
    assert imported(res) == (1, 0)
    assert (
        next(r for r in sandbox.rows("Clients") if r["PCF_CODE"] == "X1")["XXX_SECTEUR"] == "Sport"
    )


def test_sandbox_read_endpoint_over_http(sandbox: SandboxHandle) -> None:
    run(sandbox, "Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO", "H1;H;411H1"])
    rows = sandbox.get("/sandbox/rows?table=Clients&fichier=DEMO.Gestimum")["rows"]
    assert rows == sandbox.rows("Clients")
    assert sandbox.get("/sandbox/pieces")["pieces"] == []
    assert sandbox.get("/sandbox/health") == {"status": "ok"}


def test_undocumented_keys_villes_by_code_and_name(sandbox: SandboxHandle) -> None:
    header = "VIL_CODE;VIL_NOM;VIL_POPULA"
    run(sandbox, "Villes", [header, "78120;Rambouillet;26000", "78120;Vieille-Église;900"])
    run(sandbox, "Villes", [header, "78120;Rambouillet;27000"])
    assert [(r["VIL_NOM"], r["VIL_POPULA"]) for r in sandbox.rows("Villes")] == [
        ("Rambouillet", "27000"),
        ("Vieille-Église", "900"),
    ]


def test_price_grid_label_needed_only_at_creation(sandbox: SandboxHandle) -> None:
    res = run(sandbox, "GrillesTarifs", ["TAR_CODE;TAR_LIB;ART_CODE;TAR_PRIX", "GX;;ELS;5"])
    assert rejection(res, 1) == [
        "Le champ TAR_LIB (Libellé) est obligatoire à la création d'une grille."
    ]
    lines = ["TAR_CODE;TAR_LIB;ART_CODE;TAR_PRIX", "GX;Grille X;ELS;5", "GX;;GBLD;6"]
    assert imported(run(sandbox, "GrillesTarifs", lines)) == (2, 0)
    res = run(sandbox, "GrillesTarifs", ["TAR_CODE;TAR_PRIX", "GX;7"])
    assert rejection(res, 1) == ["Renseignez un des champs ART_CODE, FAR_CODE ou SFA_CODE."]


def test_comptes_calculations(sandbox: SandboxHandle) -> None:
    header = "CPT_NUMERO;CPT_LIB;CPT_TYPE;PCF_CODE"
    res = run(sandbox, "Comptes", [header, "411DUPONT;Dupont;C;"], calculer_code_tiers="Oui")
    assert imported(res) == (1, 0)
    res = run(sandbox, "Comptes", [header, "X;Durand;F;DURAND"], calculer_numero_compte="Oui")
    assert imported(res) == (1, 0)
    accounts = {r["CPT_NUMERO"]: r.get("PCF_CODE") for r in sandbox.rows("Comptes")}
    assert accounts["411DUPONT"] == "DUPONT" and accounts["401DURAND"] == "DURAND"
    assert "X" not in accounts


def test_body_with_a_byte_order_mark(sandbox: SandboxHandle) -> None:
    payload = body("Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO", "BOM1;B;411BOM1"])
    raw = "\ufeff".encode() + json.dumps(payload).encode()
    assert imported(result(post(sandbox, "Clients", None, raw=raw))) == (1, 0)
