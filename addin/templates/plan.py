"""What each template contains, decided from the catalog alone (pure, no openpyxl).

The builder turns these plans into cells; tests check them against the catalog, so the choices
(grouping of workbooks, column order, notes, validations, formats) live here, in one place.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from addin.core.catalog import Endpoint, Field, get_endpoint, import_endpoints
from addin.core.connexion import is_password_label
from addin.core.layout import REQUIRED_MARK, STATUS_HEADER
from addin.core.rules import SENS_NOTE, required_fields

__all__ = [
    "CONDITIONAL_MARK",
    "ECRITURES_HELPERS",
    "as_checked",
    "WORKBOOKS",
    "Column",
    "column_plan",
    "common_codes",
    "condition_text",
    "field_note",
    "label_text",
    "number_format",
    "sheet_title",
    "workbook_of",
]

# Appended to the label of a field that is mandatory only under a documented condition.
CONDITIONAL_MARK = " (*)"

# Grouped the way a finance team splits the work; sheets follow the catalog's dependency order.
WORKBOOKS: dict[str, tuple[str, ...]] = {
    "Tables-de-reference": ("Devises", "Pays", "Villes", "ModesReglements", "Utilisateurs"),
    "Comptabilite": (
        "ComptesReporting",
        "SectionsAnalytiques",
        "Immobilisations",
        "Comptes",
        "NaturesComptables",
        "Ecritures",
    ),
    "Tiers": (
        "Commerciaux",
        "Clients",
        "Prospects",
        "Fournisseurs",
        "Salaries",
        "AdressesTiers",
        "BanquesTiers",
        "Contacts",
        "Actions",
    ),
    "Articles-et-tarifs": (
        "FamillesArticles",
        "Glossaires",
        "SousFamilles",
        "Articles",
        "ComposantsNomenclatures",
        "EquivalencesArticles",
        "GrillesTarifs",
        "ReferencesClientsArticles",
        "TarifsArticles",
        "TarifsFournisseursArticles",
    ),
    "Documents": ("Affaires", "DocumentsVente", "DocumentsAchat", "DocumentsStock"),
}

WORKBOOK_TITLES: dict[str, str] = {
    "Tables-de-reference": "Tables de référence",
    "Comptabilite": "Comptabilité",
    "Tiers": "Tiers",
    "Articles-et-tarifs": "Articles et tarifs",
    "Documents": "Documents et affaires",
}

# Helper columns of the Écritures sheet (never sent: their header starts with '#').
ECRITURES_HELPERS: tuple[str, ...] = ("#PIECE", "#EQUILIBRE")

_KIND_TEXT = {
    "text": "texte",
    "memo": "texte long (sans limite)",
    "int": "nombre entier",
    "decimal": "nombre décimal",
    "amount": "montant",
    "date": "date (jj/mm/aaaa)",
    "datetime": "date et heure (jj/mm/aaaa hh:mm)",
    "bool": "case à cocher (0 = non, 1 = oui)",
}

# The catalog keeps some documented conditions in English: French for the notes, and whether
# the condition makes the field mandatory (marked "(*)") or is only a remark.
# Documented as mandatory, required by the check only for customer/supplier accounts
# (core/rules.py): the template must not mark it red on a general account.
_COMPTES_THIRD_PARTY = "PCF_CODE is required for customer and supplier accounts only."
_CONDITIONS: dict[str, tuple[str, bool]] = {
    "If affaire codes are numbered automatically (preferences), the PRJ_CODE given in the file "
    "is ignored.": (
        "si la numérotation des affaires est automatique (préférences), le code saisi est ignoré.",
        False,
    ),
    "If article codes are numbered automatically, the ART_CODE given in the file is ignored.": (
        "si la numérotation des articles est automatique (préférences), le code saisi est ignoré.",
        False,
    ),
    _COMPTES_THIRD_PARTY: (
        "obligatoire pour un compte client ou fournisseur (CPT_TYPE C ou F), à laisser vide "
        "pour un compte général.",
        True,
    ),
    "TXT_LIB or TXT_MEMO must be filled, but not both.": (
        "remplir TXT_LIB ou TXT_MEMO, mais pas les deux.",
        True,
    ),
    "TAR_LIB is mandatory when the price grid is created, optional when it is only modified.": (
        "obligatoire à la création de la grille, facultatif pour une modification.",
        True,
    ),
    "One of ART_CODE, FAR_CODE or SFA_CODE must be filled.": (
        "remplir l'un des champs ART_CODE, FAR_CODE ou SFA_CODE.",
        True,
    ),
    "The price must be given as 0 when it is meant to be empty.": (
        "saisir 0 pour un prix vide.",
        False,
    ),
    "Obligatoire si les préférences comptables de la société l'exigent": (
        "obligatoire si les préférences comptables de la société l'exigent.",
        True,
    ),
}

@dataclass(frozen=True, slots=True)
class Column:
    """One column of a data sheet: header code, label-row text, field, display choices."""

    code: str
    label: str
    field: Field | None  # None for '#' columns
    hidden: bool = False  # long tail: grouped and collapsed
    width: float = 12.0
    section: str = ""  # Écritures: entry, due, analytic


def sheet_title(endpoint: Endpoint) -> str:
    """The sheet name: the French label, which the readers resolve like the endpoint name."""
    title = endpoint.label
    for char in "/\\?*[]:":
        title = title.replace(char, " ")
    return title[:31]


def workbook_of(name: str) -> str:
    """The grouped workbook holding an endpoint's sheet."""
    for book, names in WORKBOOKS.items():
        if name in names:
            return book
    raise KeyError(name)


# Documented labels that read as contradictions next to their codes ("Banque" for RIB_AGENCE,
# "Agence" for RIB_GUICHE): the documented BBAN example (67890 12345 …) shows RIB_AGENCE is the
# bank code, first in the RIB, and RIB_GUICHE the branch (guichet) code.
_CLEARER_LABELS = {
    ("BanquesTiers", "RIB_AGENCE"): "Code banque (5 chiffres, début du RIB)",
    ("BanquesTiers", "RIB_GUICHE"): "Code guichet de l'agence (5 chiffres)",
}


def as_checked(endpoint: Endpoint, field: Field) -> Field:
    """The field as the check treats it: a documented "mandatory" the check relaxes to a
    condition (core.rules) is shown as conditional, not as always mandatory."""
    relaxed = field.required and field.code not in required_fields(endpoint)
    if relaxed and endpoint.name == "Comptes" and field.code == "PCF_CODE":
        return dataclasses.replace(field, required=False, condition=_COMPTES_THIRD_PARTY)
    label = _CLEARER_LABELS.get((endpoint.name, field.code))
    return dataclasses.replace(field, label=label) if label else field


def condition_text(field: Field) -> tuple[str, bool] | None:
    """The French text of a field's documented condition and whether it makes it mandatory."""
    if not field.condition:
        return None
    return _CONDITIONS.get(field.condition, (field.condition, False))


def _s(n: int) -> str:
    """French plural mark: "1 caractère", "2 caractères"."""
    return "s" if n > 1 else ""


def label_text(field: Field) -> str:
    """Label-row text: the French label, `*` when mandatory, `(*)` when mandatory on condition."""
    cond = condition_text(field)
    if field.required:
        return f"{field.label}{REQUIRED_MARK}"
    if cond and cond[1]:
        return f"{field.label}{CONDITIONAL_MARK}"
    return field.label


def common_codes(endpoint: Endpoint) -> tuple[str, ...]:
    """Field codes used in the documented example lines (their header, or filled positions)."""
    codes: list[str] = []
    for example in endpoint.examples:
        params = example.get(endpoint.root_key or "", {}).get("parametres", {})
        lines = params.get(endpoint.file_param or "", [])
        if not lines:
            continue
        if endpoint.positional:
            if params.get("format") != "GestimumComptaVariable":
                continue
            for line in lines:
                codes.extend(_positional_codes(endpoint, line))
        else:
            codes.extend(
                c.strip().upper() for c in lines[0].split(params.get("separateur_champs") or ";")
            )
    known = set(endpoint.field_codes)
    return tuple(dict.fromkeys(c for c in codes if c in known))


def _positional_codes(endpoint: Endpoint, line: str) -> list[str]:
    # Due-date lines start with E, analytic lines with '>'; positions count from 1.
    if line.startswith("E"):
        record, values = "due", ["E", *line[1:].split(",")]
    elif line.startswith(">"):
        record, values = "analytic", [">", *line[1:].split(",")]
    else:
        record, values = "entry", line.split(",")
    fields = endpoint.records.get(record, ())
    by_position = {f.position: f.code for f in fields}
    return [
        by_position[i + 1]
        for i, v in enumerate(values)
        if v and (i > 0 or record == "entry") and i + 1 in by_position
    ]


def _width(field: Field, label: str) -> float:
    by_kind = {
        "date": 12,
        "datetime": 16,
        "amount": 14,
        "decimal": 12,
        "int": 10,
        "bool": 9,
        "memo": 40,
    }
    content = by_kind.get(field.kind, min(field.max_length or 20, 30) + 2)
    # The label row wraps on up to three lines: a third of it must fit.
    return float(max(9, min(40, max(content, len(field.code) + 4, (len(label) + 2) // 3))))


def column_plan(endpoint: Endpoint) -> list[Column]:
    """Columns of the endpoint's data sheet, in display order, ending with #STATUT."""
    if endpoint.positional:
        return _positional_plan(endpoint)
    common = set(common_codes(endpoint))
    grouping = set(endpoint.grouping or ())
    keys = set(endpoint.key_fields)

    def rank(field: Field) -> int:
        cond = condition_text(field)
        if field.required:
            return 0
        if field.code in keys or (cond and cond[1]):
            return 1
        if field.code in common or field.code in grouping:
            return 2
        return 3

    fields = [as_checked(endpoint, f) for f in endpoint.fields]
    ordered = sorted(fields, key=rank)  # stable: catalog order within a rank
    columns = [
        Column(f.code, label_text(f), f, hidden=rank(f) == 3, width=_width(f, label_text(f)))
        for f in ordered
    ]
    columns.append(Column(STATUS_HEADER, "Résultat de l'import", None, width=45))
    return columns


_SECTIONS = {"entry": "Écriture", "due": "Échéance (ligne E)", "analytic": "Analytique (ligne >)"}


def _positional_plan(endpoint: Endpoint) -> list[Column]:
    columns: list[Column] = []
    for record in ("entry", "due", "analytic"):
        for f in endpoint.records.get(record, ()):
            field = endpoint.field(f.code) or f
            prefix = "" if record == "entry" else f"{_SECTIONS[record].split(' (')[0]} : "
            label = f"{prefix}{label_text(field)} [pos. {f.position}]"
            columns.append(Column(f.code, label, field, width=_width(field, label), section=record))
    piece, balance = ECRITURES_HELPERS
    columns.append(Column(piece, "Pièce (journal, date, n°)", None, width=30))
    columns.append(Column(balance, "Équilibre débit/crédit", None, width=18))
    columns.append(Column(STATUS_HEADER, "Résultat de l'import", None, width=45))
    return columns


def number_format(field: Field) -> str:
    """Cell format of a field's column: text for every code-like text, jj/mm/aaaa for dates."""
    return {
        "text": "@",
        "date": "dd/mm/yyyy",
        "datetime": "dd/mm/yyyy hh:mm",
        "amount": "#,##0.00",
        "int": "0",
        "bool": "0",
    }.get(field.kind, "General")  # memo: Excel shows #### for Text-formatted cells > 255 chars


def field_note(endpoint: Endpoint, field: Field) -> str:
    """The note on a header cell: label, type, max length, values, rule, update key."""
    lines = [f"{field.label} ({field.code})"]
    kind = _KIND_TEXT.get(field.kind, field.kind)
    if field.max_length and field.kind in ("text", "memo"):
        kind += f", {field.max_length} caractère{_s(field.max_length)} au plus"
    lines.append(f"Type : {kind}")
    if field.decimal_mark and field.kind in ("decimal", "amount"):
        lines.append(
            "Saisir un nombre : le complément l'envoie avec le séparateur attendu "
            f"(« {field.decimal_mark} »)."
        )
    if field.kind == "text":
        lines.append("Format texte : les zéros en tête sont conservés.")
    if field.is_rate:
        lines.append(
            "Taux en pourcentage : Gestimum attend le nombre de points (20 pour 20 %). Une "
            "cellule au format Pourcentage qui affiche 20 % est envoyée 20."
        )
    elif field.kind in ("int", "decimal", "amount"):
        lines.append("Pas de format Pourcentage ici : une cellule affichant 5 % serait refusée.")
    if field.required:
        lines.append("Obligatoire.")
    else:
        cond = condition_text(field)
        if cond and cond[1]:
            lines.append(f"Obligatoire sous condition : {cond[0]}")
        elif cond:
            lines.append(f"Remarque : {cond[0]}")
        elif endpoint.positional and field.code == "ECR_SENS":
            lines.append(SENS_NOTE)
        else:
            lines.append("Facultatif.")
    if field.code in endpoint.key_fields:
        keys = ", ".join(endpoint.key_fields)
        lines.append(
            f"Clé de mise à jour ({keys}) : une ligne dont la clé existe déjà dans "
            "Gestimum modifie la fiche au lieu d'en créer une."
        )
    if endpoint.grouping and field.code in endpoint.grouping:
        lines.append("Regroupement : une nouvelle pièce commence quand cette valeur change.")
    if field.choices and field.kind != "bool":
        lines.append("Valeurs permises :")
        lines.extend(
            f"  {c.code} = {c.label}" if c.label != c.code else f"  {c.code}" for c in field.choices
        )
    if field.is_secret or is_password_label(field.label) or is_password_label(field.code):
        lines.append(
            "Attention : ce mot de passe est enregistré en clair dans le classeur (le complément "
            "le masque partout ailleurs) ; effacez la colonne une fois l'import réussi."
        )
    if field.default:
        lines.append(f"Par défaut : {field.default}")
    if field.example:
        lines.append(f"Exemple : {field.example}")
    if field.position is not None:
        lines.append(f"Position {field.position} dans la ligne GestimumComptaVariable.")
    return "\n".join(lines)


def workbook_endpoints(book: str) -> list[Endpoint]:
    """A grouped workbook's endpoints in dependency order (catalog rank, then name)."""
    order = {e.name: i for i, e in enumerate(import_endpoints())}
    return sorted((get_endpoint(n) for n in WORKBOOKS[book]), key=lambda e: order[e.name])
