"""The one table of ribbon buttons and worksheet functions of the Excel add-in.

The ribbon XML, the VBA wrappers, ``addin.macros``/``addin.udfs`` and the tests all read these
tables, so a name is spelled in exactly one place. Pure data: safe to import anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

# Python modules the VBA calls into (dotted names, installed as a package: never a file path).
MACROS_MODULE = "addin.macros"
UDF_MODULE = "addin.udfs"

# xlwings' PROJECT_NAME: names the settings sheet (gestimum.conf) and the user settings file
# (%USERPROFILE%\.gestimum\gestimum.conf) that the xlwings VBA reads.
PROJECT_NAME = "gestimum"
ADDIN_FILENAME = "gestimum.xlam"

# A distinctive module name: ribbon callbacks are looked up by name and generic ones collide with
# other add-ins (xlwings issue #973).
RIBBON_MODULE = "RibbonGestimum"
RIBBON_CALLBACK = "OnAction"
TAB_ID = "gestimumTab"
TAB_LABEL = "Gestimum"


@dataclass(frozen=True)
class Group:
    """A ribbon group of the Gestimum tab."""

    id: str
    label: str


@dataclass(frozen=True)
class Button:
    """A ribbon button; ``tag`` is also the name of the function it runs in ``addin.macros``."""

    tag: str
    label: str
    group: str
    image_mso: str  # an Excel control ID (other Office apps' IDs show a blank button)
    screentip: str
    supertip: str
    size: str = "large"

    @property
    def id(self) -> str:
        """XML id of the button (ids are unique per ribbon, so derived from the unique tag)."""
        return "gestimum_" + self.tag


@dataclass(frozen=True)
class Udf:
    """A worksheet function of ``addin.udfs``: its name, positional arguments and help texts."""

    name: str
    args: tuple[str, ...]
    description: str
    arg_docs: tuple[str, ...]
    volatile: bool = False


GROUPS: tuple[Group, ...] = (
    Group("gestimumDonnees", "Données"),
    Group("gestimumConnexion", "Connexion"),
    Group("gestimumResultats", "Résultats"),
    Group("gestimumModeles", "Modèles"),
)

BUTTONS: tuple[Button, ...] = (
    Button(
        "controler",
        "Contrôler",
        "gestimumDonnees",
        "DataValidation",
        "Contrôler la feuille",
        "Vérifie la feuille active sans rien envoyer : champs obligatoires, longueurs, dates, "
        "nombres, listes de valeurs. Chaque ligne reçoit un statut dans la colonne #STATUT.",
    ),
    Button(
        "tester",
        "Tester",
        "gestimumDonnees",
        "FormulaEvaluate",
        "Tester l'import",
        "Envoie la feuille active à Gestimum en mode test (quand le service le permet) : "
        "Gestimum vérifie les lignes sans rien enregistrer.",
    ),
    Button(
        "importer",
        "Importer",
        "gestimumDonnees",
        "XmlExport",
        "Importer la feuille",
        "Importe les lignes de la feuille active dans Gestimum, puis écrit le statut de chaque "
        "ligne et complète les feuilles Résultats et Journal. Un import est définitif.",
    ),
    Button(
        "importer_lignes_valides",
        "Importer les lignes valides",
        "gestimumDonnees",
        "AdvancedFilterDialog",
        "Importer les lignes valides",
        "Importe les lignes et les pièces sans problème bloquant et laisse les autres de côté, "
        "avec leur statut « Non envoyée : raison ». Une pièce n'est jamais coupée.",
    ),
    Button(
        "associer_colonnes",
        "Associer les colonnes",
        "gestimumDonnees",
        "NameManager",
        "Associer les colonnes",
        "Reconnaît les en-têtes de la feuille active (code, libellé ou synonyme d'un champ) et "
        "enregistre la correspondance dans la feuille Correspondances, à compléter au besoin.",
    ),
    Button(
        "importer_tout",
        "Importer tout",
        "gestimumDonnees",
        "RefreshAll",
        "Importer tout le classeur",
        "Importe toutes les feuilles du classeur dans l'ordre des dépendances (tiers et "
        "articles avant les pièces et les écritures).",
    ),
    Button(
        "connexion",
        "Paramètres",
        "gestimumConnexion",
        "PropertySheet",
        "Paramètres de connexion",
        "Ouvre la feuille Connexion : adresse du serveur, dossier Gestimum, utilisateur, "
        "taille des lots. Le mot de passe n'est jamais enregistré dans le classeur.",
    ),
    Button(
        "tester_connexion",
        "Tester la connexion",
        "gestimumConnexion",
        "Connections",
        "Tester la connexion",
        "Interroge le serveur Gestimum (versions du service et de l'ERP) pour vérifier "
        "l'adresse et les identifiants, sans rien importer.",
    ),
    Button(
        "effacer_statuts",
        "Effacer les statuts",
        "gestimumResultats",
        "ClearFormats",
        "Effacer les statuts",
        "Vide la colonne #STATUT de la feuille active. Les feuilles Résultats et Journal sont "
        "conservées.",
    ),
    Button(
        "nouvelle_feuille",
        "Nouvelle feuille",
        "gestimumModeles",
        "TableInsertExcel",
        "Nouvelle feuille modèle",
        "Ajoute au classeur une feuille prête à remplir pour un service d'import Gestimum : "
        "en-têtes, champs obligatoires, listes de valeurs.",
    ),
    Button(
        "mettre_a_jour_modele",
        "Mettre à jour le modèle",
        "gestimumModeles",
        "AutoFormatDialog",
        "Mettre à jour le modèle",
        "Met le classeur enregistré au niveau du modèle actuel (libellés, notes, listes de "
        "choix, formats) sans toucher aux données : il est fermé, mis à jour puis rouvert, et "
        "la liste des changements s'affiche.",
    ),
)

# Ribbon tags in order; each is a zero-argument-callable function of addin.macros.
MACROS: tuple[str, ...] = tuple(button.tag for button in BUTTONS)

UDFS: tuple[Udf, ...] = (
    Udf(
        "GESTIMUM_CHAMPS",
        ("endpoint",),
        "Liste les champs d'un service d'import Gestimum (code, libellé, type, obligatoire).",
        ("Nom du service d'import, par exemple Clients",),
    ),
    Udf(
        "GESTIMUM_LIGNE",
        ("endpoint", "entetes", "valeurs"),
        "Donne la ligne d'import que Gestimum recevrait pour une ligne de la feuille.",
        (
            "Nom du service d'import, par exemple Clients",
            "Plage des en-têtes (codes des champs)",
            "Plage des valeurs de la ligne",
        ),
    ),
    Udf(
        "GESTIMUM_CONTROLE",
        ("endpoint", "entetes", "valeurs"),
        "Contrôle une ligne de la feuille sans l'envoyer : OK ou la liste des anomalies.",
        (
            "Nom du service d'import, par exemple Clients",
            "Plage des en-têtes (codes des champs)",
            "Plage des valeurs de la ligne",
        ),
    ),
)
