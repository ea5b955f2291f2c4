"""The `Connexion` sheet: where a workbook names its Gestimum target (never the password).

One definition of the sheet name, its key labels and defaults, shared by the templates, the
workbook readers (openpyxl, xlwings) and the macros; `parse_connexion` is pure (stdlib only).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

__all__ = [
    "CONNEXION_SHEET",
    "DEFAULTS",
    "ENVIRONMENTS",
    "TEST_SERVER",
    "HELP",
    "KEYS",
    "PASSWORD_NOTE",
    "connexion_row",
    "is_password_label",
    "parse_connexion",
]

CONNEXION_SHEET = "Connexion"

# Internal key → label in column A of the sheet (column B holds the value), in sheet order.
KEYS: dict[str, str] = {
    "server": "Serveur",
    "fichier": "Fichier société",
    "utilisateur": "Utilisateur",
    "batch_size": "Taille des lots",
    "environment": "Type de serveur",
    "ca_bundle": "Certificat CA",
}

DEFAULTS: dict[str, str] = {
    "server": "http://localhost:8080",
    "fichier": "DEMO.Gestimum",
    "utilisateur": "DEMO",
    "batch_size": "auto",
    "environment": "production",
    "ca_bundle": "",
}

# "recette" marks a test server (a copy of the company): its imports are not confirmed. Anything
# else, including the "test" of templates before 0.2 (easily read as Gestimum's test mode), is
# production, where every real import asks first.
ENVIRONMENTS: tuple[str, ...] = ("production", "recette")
TEST_SERVER = "recette"

# Shown next to each key (column C) and as cell notes in the templates.
HELP: dict[str, str] = {
    "server": "Adresse du serveur Gestimum Web Service 2, par exemple http://serveur:8080",
    "fichier": "Fichier de connexion de la société (.Gestimum), par exemple DEMO.Gestimum",
    "utilisateur": "Code utilisateur Gestimum qui réalise l'import",
    "batch_size": ("auto (conseillé, d'après le temps de réponse du serveur) ou un nombre de "
                   "lignes par requête"),
    "environment": "production ou recette (serveur de test) : en production, chaque import est "
    "confirmé",
    "ca_bundle": "Facultatif : fichier .pem de l'autorité de certification de votre entreprise, "
    "si le serveur https:// utilise un certificat interne que Windows ne reconnaît pas",
}

PASSWORD_NOTE = (
    "Aucun mot de passe dans ce classeur : le complément le demande à l'envoi et le garde "
    "dans le gestionnaire d'identifiants de Windows (ou la variable GESTIMUM_MOT_PASSE)."
)

# Accepted spellings of each label, compared without case, accents, spaces or punctuation.
_ALIASES: dict[str, tuple[str, ...]] = {
    "server": ("Serveur", "URL", "Adresse du serveur", "Server"),
    "fichier": ("Fichier société", "Fichier", "Société", "Fichier de la société"),
    "utilisateur": ("Utilisateur", "Code utilisateur", "User"),
    "batch_size": ("Taille des lots", "Taille de lot", "Lot", "Lignes par lot"),
    "environment": ("Type de serveur", "Serveur de", "Environnement", "Environment"),
    "ca_bundle": ("Certificat CA", "Autorité de certification", "Fichier CA"),
    # Optional: entries dated outside it are refused (core.period).
    "period": ("Période", "Période attendue", "Période comptable", "Période de clôture"),
}

_PASSWORD_WORDS = ("motdepasse", "motpasse", "password", "passwd", "mdp", "pwd", "secret")


def _norm(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).lower()


_BY_LABEL: dict[str, str] = {_norm(a): key for key, names in _ALIASES.items() for a in names}


def is_password_label(text: str) -> bool:
    """Whether a label names a password, which must never be read from or written to a workbook."""
    norm = _norm(text)
    return any(word in norm for word in _PASSWORD_WORDS)


def _text(value: object) -> str:
    # Excel gives numbers as floats (500.0): a batch size must read back as "500".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def parse_connexion(grid: Iterable[Sequence[object]]) -> dict[str, str]:
    """The known keys found in a Connexion grid (label in the first column, value next to it).

    Unknown labels, blank values and any password-like row are ignored: a password typed into a
    workbook is never used, so that nobody is tempted to keep one there.
    """
    found: dict[str, str] = {}
    for row in grid:
        if len(row) < 2 or row[0] is None:
            continue
        label = _text(row[0])
        if is_password_label(label):
            continue
        key = _BY_LABEL.get(_norm(label))
        value = _text(row[1])
        if key is not None and value and key not in found:
            found[key] = value
    return found


def connexion_row(grid: Sequence[Sequence[object]], key: str) -> int | None:
    """Index in `grid` of the row holding `key` (by any accepted label), None if absent."""
    for index, row in enumerate(grid):
        if row and row[0] is not None and _BY_LABEL.get(_norm(_text(row[0]))) == key:
            return index
    return None
