"""The `Lisez-moi` sheet: how a finance user fills a template and sends it (French)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.core.catalog import Endpoint, import_endpoints
from addin.core.connexion import CONNEXION_SHEET, PASSWORD_NOTE
from addin.core.layout import JOURNAL_SHEET, RESULTATS_SHEET, STATUS_HEADER
from addin.templates.plan import sheet_title
from addin.templates.sheets import ECRITURES_ROWS

__all__ = ["README_SHEET", "add_readme", "readme_lines"]

README_SHEET = "Lisez-moi"

_FILL = [
    "Une ligne par fiche (ou par ligne de pièce pour les documents), à partir de la ligne 3, "
    "dans le tableau. Les lignes vides sont ignorées ; les lignes masquées ou filtrées SONT "
    "envoyées.",
    "Ligne 1 : le libellé du champ. * = obligatoire ; (*) = obligatoire sous condition. "
    "Ligne 2 : le code du champ, lu par Gestimum : ne le modifiez pas.",
    "Survolez un code de la ligne 2 pour lire sa note : type, longueur maximale, valeurs "
    "permises, règle d'obligation et clé de mise à jour. Les listes déroulantes proposent les "
    "valeurs permises.",
    "Une cellule obligatoire laissée vide sur une ligne remplie apparaît en rouge.",
    "Codes, comptes, codes postaux et téléphones sont au format texte : les zéros en tête sont "
    "conservés (ne collez pas de nombres sur ces colonnes). Dates au format jj/mm/aaaa. "
    "Cases à cocher : 0 (non) ou 1 (oui).",
    "Les champs moins courants sont regroupés et masqués : cliquez sur le bouton + au-dessus "
    "des colonnes pour les afficher. N'envoyez que les colonnes utiles.",
    "Les colonnes dont l'en-tête commence par # ne sont jamais envoyées : "
    f"{STATUS_HEADER} reçoit le résultat de chaque ligne, et vous pouvez ajouter vos propres "
    "colonnes #commentaire. Toute autre colonne inconnue est signalée comme une erreur.",
    "Une ligne dont la clé de mise à jour existe déjà dans Gestimum modifie la fiche existante. "
    "Documents et écritures sont toujours créés, jamais modifiés : ne les envoyez pas deux fois.",
    "Les exemples sont dans les notes et dans la documentation, jamais dans les lignes du "
    "tableau : une ligne d'exemple oubliée serait importée.",
]

_SEND = [
    f"Feuille {CONNEXION_SHEET} : serveur, fichier société, utilisateur, taille des lots et "
    "type de serveur (production, par défaut, ou recette pour un serveur de test) ; un import "
    "réel vers un serveur de production demande confirmation (rien à voir avec le bouton "
    "Tester, le mode test de Gestimum, qui n'écrit rien).",
    "La première fois qu'un classeur envoie vers un serveur jamais utilisé sur votre poste, le "
    "complément vous demande de le confirmer avant tout envoi : ne confirmez que "
    "l'adresse de votre serveur Gestimum. Ligne Certificat CA (facultative) : le fichier .pem "
    "de l'autorité de certification de l'entreprise, si le serveur https:// en a une interne.",
    "Ruban Gestimum : Contrôler (vérifie la feuille sans rien envoyer), Tester (mode test de "
    "Gestimum, sans écriture, pour les feuilles qui l'acceptent), Importer (feuille active), "
    "Importer tout (toutes les feuilles, dans l'ordre ci-dessous).",
    "Sans Excel : gestimum-excel check Classeur.xlsx, puis gestimum-excel import Classeur.xlsx "
    "--test, puis gestimum-excel import Classeur.xlsx.",
    "Rien n'est envoyé tant qu'un contrôle bloquant subsiste.",
]

_RESULTS = [
    f"Colonne {STATUS_HEADER} : le résultat de chaque ligne (importée, rejetée et pourquoi, "
    "avertissement, pièce créée).",
    f"Feuille {RESULTATS_SHEET} : une ligne par lot envoyé (date, utilisateur, serveur, société, "
    "mode test ou réel, lignes envoyées, importées, rejetées, empreinte SHA-256 des lignes).",
    f"Feuille {JOURNAL_SHEET} : le journal complet renvoyé par Gestimum. Ces deux feuilles sont "
    "complétées à chaque envoi, jamais réécrites.",
]

_ECRITURES = [
    "Une ligne d'écriture par ligne (date, journal, compte, montant, sens D ou C…). Une ligne "
    "d'échéance (colonnes ECH_) ou d'analytique (colonnes ANA_) se place juste sous la ligne "
    "d'écriture qu'elle détaille, colonnes d'écriture vides : elle apparaît grisée.",
    "Les lignes d'une même pièce (même journal, date et numéro de pièce) se suivent et doivent "
    "être équilibrées. La colonne #PIECE affiche la pièce de chaque ligne, #EQUILIBRE son écart "
    "débit/crédit, et un trait sépare deux pièces.",
    "Si des lignes d'échéance suivent une écriture, laissez sa date d'échéance (ECR_DATECH) vide. "
    "Les totaux des échéances et de l'analytique doivent égaler le montant de l'écriture.",
    f"Les formules #PIECE et #EQUILIBRE sont prêtes sur {ECRITURES_ROWS} lignes : au-delà, "
    "recopiez-les vers le bas.",
    "Exemple documenté (une pièce) : VTE 19/02/2019 FAC19-1100425 : 411C25 12000 D, "
    "445710 2400 C, 707100 9600 C.",
]


def _order_line(position: int, endpoint: Endpoint, names: set[str]) -> str:
    test = "Tester disponible" if endpoint.test_mode else "pas de mode test"
    elsewhere = [d for d in endpoint.depends_on if d not in names]
    before = f" ; dépend aussi de : {', '.join(elsewhere)}" if elsewhere else ""
    return f"{position}. {sheet_title(endpoint)} (import {endpoint.name}) : {test}{before}"


def readme_lines(title: str, endpoints: list[Endpoint]) -> list[tuple[str, str]]:
    """(style, text) lines of the sheet; style is title, heading or text."""
    names = {e.name for e in endpoints}
    order = [e for e in import_endpoints() if e.name in names]
    lines: list[tuple[str, str]] = [
        ("title", f"Gestimum — modèle « {title} »"),
        (
            "text",
            "Chaque feuille de données alimente un import de Gestimum ERP (Web Service 2). "
            "Remplissez-la, contrôlez-la puis envoyez-la avec le complément gestimum-excel.",
        ),
        ("heading", "Remplir"),
        *(("text", f"• {t}") for t in _FILL),
    ]
    if "Ecritures" in names:
        lines += [("heading", "Écritures"), *(("text", f"• {t}") for t in _ECRITURES)]
    lines += [
        ("heading", "Envoyer"),
        *(("text", f"• {t}") for t in _SEND),
        ("heading", "Ordre d'import des feuilles de ce classeur"),
        *(("text", _order_line(i, e, names)) for i, e in enumerate(order, start=1)),
        ("heading", "Résultats"),
        *(("text", f"• {t}") for t in _RESULTS),
        ("heading", "Mot de passe"),
        ("text", PASSWORD_NOTE),
    ]
    return lines


def add_readme(wb: Workbook, title: str, endpoints: list[Endpoint]) -> Worksheet:
    """Add the Lisez-moi sheet, first in the workbook."""
    ws = wb.create_sheet(README_SHEET, 0)
    ws.column_dimensions["A"].width = 120
    ws.sheet_view.showGridLines = False
    for row, (style, text) in enumerate(readme_lines(title, endpoints), start=1):
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            cell.font = Font(bold=True, size=16, color="1F4E78")
            ws.row_dimensions[row].height = 26
        elif style == "heading":
            cell.font = Font(bold=True, size=12, color="1F4E78")
            ws.row_dimensions[row].height = 22
        elif len(text) > 120:
            # Row heights are not computed by Excel for wrapped text written by openpyxl.
            ws.row_dimensions[row].height = 15 * (len(text) // 110 + 1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws
