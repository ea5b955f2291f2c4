"""The shared Connexion and layout definitions behave as the readers and templates expect."""

from __future__ import annotations

from addin.core.connexion import DEFAULTS, KEYS, is_password_label, parse_connexion
from addin.core.layout import HEADER_ROW, LABEL_ROW, RESULTATS_HEADERS, required_label


def test_parse_connexion_reads_labels_loosely_and_numbers_as_text() -> None:
    grid = [
        ["Connexion à Gestimum", None],
        ["SERVEUR", " http://erp:8080 "],
        ["Fichier societe", "COMPTA.Gestimum"],
        ["Utilisateur", "ADMIN"],
        ["Taille des lots", 250.0],
        ["Environnement", "production"],
        ["Couleur", "bleu"],
    ]
    assert parse_connexion(grid) == {
        "server": "http://erp:8080",
        "fichier": "COMPTA.Gestimum",
        "utilisateur": "ADMIN",
        "batch_size": "250",
        "environment": "production",
    }


def test_parse_connexion_never_returns_a_password_and_skips_blanks() -> None:
    grid = [["Mot de passe", "secret"], ["Password", "x"], ["Utilisateur", None], ["Serveur"]]
    assert parse_connexion(grid) == {}
    assert is_password_label("Mot de passe") and is_password_label("MDP")
    assert not any(is_password_label(label) for label in KEYS.values())


def test_defaults_cover_every_key_and_layout_is_consistent() -> None:
    assert set(DEFAULTS) == set(KEYS)
    assert LABEL_ROW < HEADER_ROW
    assert required_label("Code client", True) == "Code client *"
    assert required_label("Nom", False) == "Nom"
    assert len(RESULTATS_HEADERS) == 15 and RESULTATS_HEADERS[-1] == "SHA-256 des lignes"
