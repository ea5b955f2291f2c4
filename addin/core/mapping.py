"""Column mapping: which field of an endpoint a header names (code, French label, synonym).

Pure names → field codes. A header is matched, in this order, by: the user's saved mapping
(`Correspondances` sheet), the field code, the field's French label (with or without the
template's " *" mark or "[pos. N]"), a common synonym ("CP", "Ville", "SIRET", "IBAN"…), the
label without its parenthesised detail ("Ville" for "Ville (adresse de facturation)"). All
comparisons ignore case, accents, punctuation and spacing. A header nothing matches is never
dropped: the reader reports it with the closest fields as suggestions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from addin.core.catalog import Endpoint, Field, get_endpoint, import_endpoints, normalise_name
from addin.core.grid import Grid

__all__ = [
    "BY_CODE",
    "BY_LABEL",
    "BY_SAVED",
    "BY_SYNONYM",
    "IGNORED",
    "MAPPING_HEADERS",
    "MAPPING_SHEET",
    "HeaderMatch",
    "Matcher",
    "elsewhere",
    "header_key",
    "load_saved",
    "mapping_rows",
    "merged_mapping",
    "parse_saved",
    "saved_for",
    "suggestions",
]

MAPPING_SHEET = "Correspondances"
MAPPING_HEADERS: tuple[str, ...] = (
    "Feuille",
    "En-tête du classeur",
    "Champ Gestimum",
    "Libellé du champ",
    "Origine",
    "Suggestions",
)
# In the saved mapping, a field code of "#" means: this column is deliberately not sent.
IGNORED = "#"

BY_CODE, BY_LABEL, BY_SYNONYM, BY_SAVED = "code", "libellé", "synonyme", "enregistrée"

# Common export headers → candidate field codes, tried in order; the first the endpoint has wins.
# Keys are written plainly and normalised once; the codes are exactly as documented.
_TIERS_NAME = ("PCF_RS", "ADR_RS", "REP_NOM", "SAL_NOM", "CCT_NOM", "PAY_NOM", "VIL_NOM")
_SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Code client", "Code fournisseur", "Code prospect", "Code tiers", "N° client",
      "Numéro client", "Num client", "Id client", "Identifiant client", "Réf client",
      "N° fournisseur", "Numéro fournisseur"), ("PCF_CODE",)),
    (("Client", "Fournisseur", "Tiers"), ("PCF_CODE",)),  # in documents and banks: the code
    (("Nom", "Raison sociale", "Société", "Entreprise", "Dénomination", "Nom client",
      "Nom fournisseur", "Nom du client", "Nom de la société"), _TIERS_NAME + ("ART_LIB",)),
    (("Complément de nom", "Raison sociale 2", "Nom 2"), ("PCF_RS2", "ADR_RS2")),
    (("Prénom",), ("REP_PRENOM", "SAL_PRENOM", "CCT_PRENOM")),
    (("Civilité", "Titre"), ("PCF_CIVILE", "REP_CIVILE", "SAL_CIVILE", "CCT_CIVILE")),
    (("Adresse", "Adresse 1", "Adresse ligne 1", "Rue", "Voie"),
     ("PCF_RUE", "ADR_RUE", "REP_RUE", "SAL_RUE", "RIB_BQ_ADR")),
    (("Adresse 2", "Adresse ligne 2", "Complément d'adresse", "Complément adresse"),
     ("PCF_COMP", "ADR_COMP", "REP_COMP", "SAL_COMP")),
    (("CP", "Code postal", "C.P.", "Zip", "Code ZIP", "Postcode"),
     ("PCF_CP", "ADR_CP", "REP_CP", "SAL_CP", "DOC_F_CP")),
    (("Ville", "Localité", "Commune"),
     ("PCF_VILLE", "ADR_VILLE", "REP_VILLE", "SAL_VILLE", "DOC_F_VILL", "VIL_NOM")),
    (("Pays", "Code pays"), ("PAY_CODE",)),
    (("Téléphone", "Tél", "Tel", "Téléphone 1", "Tél 1", "Tél. fixe", "Téléphone fixe",
      "Phone", "Tél bureau"), ("PCF_TEL1", "ADR_TEL1", "REP_TELB", "SAL_TELB", "CCT_TELB")),
    (("Téléphone 2", "Tél 2", "Portable", "Mobile", "Tél mobile", "Tél portable", "GSM"),
     ("PCF_TEL2", "ADR_TEL2", "REP_TELM", "SAL_TELM", "CCT_TELM")),
    (("Fax", "Télécopie"), ("PCF_FAX", "ADR_FAX", "REP_FAX", "CCT_FAX")),
    (("Email", "E-mail", "Mail", "Courriel", "Adresse mail", "Adresse e-mail"),
     ("PCF_EMAIL", "ADR_EMAIL", "REP_EMAIL", "SAL_EMAIL", "CCT_EMAIL")),
    (("Site web", "Site", "Site internet", "Web", "URL"),
     ("PCF_URL", "ADR_URL", "REP_URL", "CCT_URL")),
    (("SIRET", "N° SIRET", "Numéro SIRET"), ("PCF_SIRET", "ADR_SIRET", "DOC_F_SIRET")),
    (("SIREN", "N° SIREN", "Numéro SIREN"), ("PCF_SIREN",)),
    (("TVA intracommunautaire", "N° TVA", "Numéro de TVA", "TVA intracom", "N° TVA intracom",
      "Numéro TVA intracommunautaire", "VAT"), ("PCF_NII",)),
    (("APE", "NAF", "Code APE", "Code NAF"), ("PCF_APE",)),
    (("BIC", "SWIFT", "Code BIC"), ("RIB_ASWIFT",)),
    (("Banque", "Nom banque", "Nom de la banque", "Domiciliation"), ("RIB_BQ_NOM",)),
    (("Code banque",), ("RIB_AGENCE",)),
    (("Code guichet", "Guichet"), ("RIB_GUICHE",)),
    (("Clé RIB", "Clé"), ("RIB_CLE",)),
    (("N° de compte bancaire", "Numéro de compte bancaire"), ("RIB_COMPTE",)),
    (("Commentaire", "Commentaires", "Remarque", "Remarques", "Notes", "Observations",
      "Mémo"), ("PCF_MEMO", "ART_MEMO", "ADR_MEMO", "TXT_MEMO", "RIB_TEXTE")),
    (("Mode de règlement", "Règlement", "Mode de paiement", "Conditions de règlement"),
     ("REG_CODE",)),
    (("Devise",), ("DEV_CODE",)),
    (("Compte", "Compte comptable", "Compte général", "N° compte", "Numéro de compte",
      "Compte collectif"), ("CPT_NUMERO",)),
    (("Intitulé", "Intitulé du compte", "Libellé compte"), ("CPT_LIB",)),
    (("Référence", "Réf", "Réf article", "Référence article", "Code article", "SKU", "Article"),
     ("ART_CODE",)),
    (("Désignation", "Libellé", "Description", "Nom article", "Nom produit"),
     ("ART_LIB", "LIG_LIB", "ECR_LIB", "CPT_LIB", "TAR_LIB", "FAR_LIB", "SFA_LIB", "ANA_LIB",
      "PRJ_LIB", "REG_LIB", "DEV_LIB", "TXT_LIB")),
    (("Prix de vente", "Prix vente", "PV", "Prix public", "Prix de vente HT"), ("ART_P_VTE",)),
    (("Prix d'achat", "Prix achat", "PA"), ("ART_P_ACH",)),
    (("Prix unitaire", "PU", "PU HT", "Prix HT", "Prix"), ("LIG_P_BRUT", "ART_P_VTE", "TAR_PRIX")),
    (("Code-barres", "Code barre", "EAN", "EAN13", "Gencod"), ("ART_CBAR", "PCF_CBAR")),
    (("Quantité", "Qté", "Qty"), ("LIG_QTE", "ECR_QTE", "MVT_QTE", "PRD_QTE")),
    (("Remise", "Remise %", "Taux de remise"), ("LIG_REMISE", "TAR_REMISE", "PCF_REMVAL")),
    (("Date", "Date pièce", "Date de pièce", "Date écriture", "Date facture"),
     ("ECR_DATE", "DOC_DATE", "ACT_DATE")),
    (("Journal", "Code journal", "Jnl"), ("JOU_CODE",)),
    (("Pièce", "N° pièce", "Numéro de pièce", "N° de pièce", "N° facture", "Numéro facture"),
     ("ECR_PIECE", "DOC_PIECE")),
    (("Sens", "D/C"), ("ECR_SENS",)),
    (("Montant",), ("ECR_MONTANT",)),
    (("Échéance", "Date échéance", "Date d'échéance"), ("ECR_DATECH",)),
    (("Lettrage",), ("ECR_LETTRAGE",)),
    (("Famille", "Famille client", "Famille article"), ("FAT_CODE", "FAR_CODE")),
    (("Sous-famille",), ("SFT_CODE", "SFA_CODE")),
    (("Commercial", "Représentant", "Vendeur"), ("REP_CODE",)),
    (("Type", "Type de document"), ("DOC_STYPE",)),
)

_POS = re.compile(r"\[\s*pos\.?\s*\d+\s*\]", re.IGNORECASE)
_DETAIL = re.compile(r"\([^)]*\)")


def header_key(text: str) -> str:
    """The comparable form of a header: no template marks, case, accents, spaces, punctuation."""
    return normalise_name(_POS.sub("", text))


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for names, codes in _SYNONYMS:
        for name in names:
            table.setdefault(header_key(name), codes)
    return table


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """A header of the sheet and the field it sends (`code` None: nothing matched)."""

    letter: str
    header: str
    code: str | None
    how: str  # BY_CODE, BY_LABEL, BY_SYNONYM, BY_SAVED, "" when unmatched
    ignored: bool = False  # saved as "#": deliberately not sent


class Matcher:
    """Matches the headers of one sheet against one endpoint (with the sheet's saved mapping)."""

    def __init__(self, endpoint: Endpoint, saved: Mapping[str, str] | None = None) -> None:
        self.endpoint = endpoint
        self.saved = {header_key(k): v for k, v in (saved or {}).items()}
        self._labels, self._short = _label_tables(endpoint.name)
        self._own = _own_code(endpoint)
        self._codes = {header_key(f.code): f.code for f in endpoint.fields}

    def by_code(self, text: str) -> str | None:
        """The field whose code this header is (the template header row)."""
        f = self.endpoint.field(text.strip())
        return f.code if f is not None else None

    def match(self, text: str) -> tuple[str | None, str]:
        """(field code or IGNORED or None, how) for a header cell's text."""
        key = header_key(text)
        if not key:
            return None, ""
        saved = self.saved.get(key)
        if saved:
            if saved.startswith(IGNORED):
                return IGNORED, BY_SAVED
            f = self.endpoint.field(saved)
            if f is not None:
                return f.code, BY_SAVED
        code = self.by_code(text) or self._codes.get(key)
        if code is not None:
            return code, BY_CODE
        if key in self._own:  # "Code", "Code client" in Clients: the endpoint's own code
            return self._own[key], BY_SYNONYM
        label = self._labels.get(key)
        fields = self.endpoint.field_codes
        synonym = next((c for c in _synonyms().get(key, ()) if c in fields), None)
        # In Ecritures "Date" is the due-date line's label, yet a user means the entry's date.
        if label is not None and not (synonym and label.startswith(_SUB_RECORDS)):
            return label, BY_LABEL
        if synonym is not None:
            return synonym, BY_SYNONYM
        code = self._short.get(key)
        if code is not None:
            return code, BY_LABEL
        return None, ""


_SUB_RECORDS = ("ECH_", "ANA_")  # Ecritures due-date and analytic lines
# Documented labels a header must not match: "Banque" (RIB_AGENCE, the bank *code*) is what
# exports call the bank's name; "Agence" (RIB_GUICHE) is as vague. Synonyms name them instead.
_MISLEADING_LABELS = frozenset({"RIB_AGENCE", "RIB_GUICHE"})
_SECTION_PREFIX = {"due": "Échéance", "analytic": "Analytique"}  # the template's label prefix


def _own_code(endpoint: Endpoint) -> dict[str, str]:
    """"Code" and "Code <endpoint>" name the endpoint's own identifier (its first key field)."""
    own = endpoint.key_fields[0] if endpoint.key_fields else None
    if own is None or endpoint.creation_only:
        return {}
    singular = endpoint.label.rstrip("s") if endpoint.label.endswith("s") else endpoint.label
    return {header_key(n): own for n in ("Code", f"Code {singular}", f"Code {endpoint.label}")}


@cache
def _label_tables(name: str) -> tuple[dict[str, str], dict[str, str]]:
    """Normalised label → code, and short label (no parenthesised detail) → code, unique only."""
    ep = get_endpoint(name)
    fields = [f for f in ep.fields if f.code not in _MISLEADING_LABELS]
    pairs = [(header_key(f.label), f.code) for f in fields]
    for record, prefix in _SECTION_PREFIX.items():  # "Échéance : Date [pos. 2]"
        pairs += [(header_key(f"{prefix} {f.label}"), f.code) for f in ep.records.get(record, ())]
    return _unique(pairs), _unique((header_key(_DETAIL.sub("", f.label)), f.code)
                                   for f in fields)


def _unique(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    seen: dict[str, list[str]] = {}
    for key, code in pairs:
        if key and code not in seen.setdefault(key, []):
            seen[key].append(code)
    out = {}
    for key, codes in seen.items():
        entry = [c for c in codes if not c.startswith(_SUB_RECORDS)]
        if len(codes) == 1 or len(entry) == 1:
            out[key] = codes[0] if len(codes) == 1 else entry[0]
    return out


def suggestions(endpoint: Endpoint, text: str, n: int = 3) -> list[Field]:
    """The fields whose code, label or synonym look most like this header (closest first)."""
    key = header_key(text)
    if not key:
        return []
    names: dict[str, str] = {}
    for f in endpoint.fields:
        names.setdefault(header_key(f.code), f.code)
        names.setdefault(header_key(f.label), f.code)
        names.setdefault(header_key(_DETAIL.sub("", f.label)), f.code)
    for syn, codes in _synonyms().items():
        code = next((c for c in codes if c in endpoint.field_codes), None)
        if code is not None:
            names.setdefault(syn, code)
    found: list[str] = []
    # Containment first ("Téléphone portable" → the Téléphone fields), then spelling distance.
    for name, code in names.items():
        contained = len(key) >= 3 and len(name) >= 3 and (key in name or name in key)
        if contained and code not in found:
            found.append(code)
    for name in difflib.get_close_matches(key, list(names), n=n * 3, cutoff=0.6):
        if names[name] not in found:
            found.append(names[name])
    return [f for f in (endpoint.field(c) for c in found[:n]) if f is not None]


# Headers Gestimum stores differently from the usual exports: said rather than guessed.
_SPLIT = {
    header_key("IBAN"): "Gestimum enregistre l'IBAN découpé dans les Banques de tiers : préfixe "
    "(RIB_IBAN, ex. FR76), banque (RIB_AGENCE), guichet (RIB_GUICHE), compte (RIB_COMPTE) et "
    "clé (RIB_CLE), dans une feuille BanquesTiers.",
    header_key("RIB"): "Gestimum enregistre le RIB découpé dans les Banques de tiers : banque "
    "(RIB_AGENCE), guichet (RIB_GUICHE), compte (RIB_COMPTE) et clé (RIB_CLE).",
}


def elsewhere(endpoint: Endpoint, text: str) -> str:
    """Where this header's data goes instead, in French ("" when nothing is known).

    E.g. "BIC" in a Clients sheet belongs to BanquesTiers (RIB_ASWIFT).
    """
    key = header_key(text)
    if key in _SPLIT:
        return _SPLIT[key]
    for candidate in _synonyms().get(key, ()):
        if candidate in endpoint.field_codes:
            return ""
        for other in import_endpoints():
            if other.name != endpoint.name and candidate in other.field_codes:
                return (f"Ce champ existe dans {other.label} ({candidate}) : importez-le par une "
                        f"feuille {other.name}.")
    return ""


def parse_saved(values: Sequence[Sequence[object]]) -> dict[str, dict[str, str]]:
    """The `Correspondances` sheet → {normalised sheet name: {header: field code or "#"}}.

    Rows with an empty field code are not decisions (the header is matched as usual).
    """
    out: dict[str, dict[str, str]] = {}
    start = next((i + 1 for i, row in enumerate(values[:5])
                  if [_text(c) for c in row[:3]] == list(MAPPING_HEADERS[:3])), 0)
    for row in values[start:]:
        cells = [_text(c) for c in list(row[:3]) + [None] * (3 - len(row[:3]))]
        sheet, header, code = cells
        if not sheet or not header or not code:
            continue
        code = IGNORED if code.startswith(IGNORED) else code.upper()
        out.setdefault(normalise_name(sheet), {})[header] = code
    return out


def mapping_rows(
    sheet: str, endpoint: Endpoint, matches: Sequence[HeaderMatch]
) -> list[list[object]]:
    """The `Correspondances` rows of one sheet: each header, its field, how, suggestions."""
    rows: list[list[object]] = []
    for m in matches:
        if m.ignored:
            rows.append([sheet, m.header, IGNORED, "(colonne non envoyée)", m.how, ""])
            continue
        f = endpoint.field(m.code) if m.code else None
        hints = "" if f is not None else ", ".join(
            f"{s.code} ({s.label})" for s in suggestions(endpoint, m.header)
        )
        rows.append([sheet, m.header, m.code or "", f.label if f else "", m.how or "à compléter",
                     hints])
    return rows


def _text(cell: object) -> str:
    # A leading apostrophe only marks a cell as text (xlwings may hand it back).
    return "" if cell is None else str(cell).strip().removeprefix("'").strip()


class _Source(Protocol):
    def sheet_names(self) -> list[str]: ...
    def grid(self, sheet: str) -> Grid: ...


def load_saved(source: _Source) -> dict[str, dict[str, str]]:
    """The workbook's saved mapping (its `Correspondances` sheet), {} when it has none."""
    names = {normalise_name(n): n for n in source.sheet_names()}
    real = names.get(normalise_name(MAPPING_SHEET))
    return parse_saved(source.grid(real).values) if real is not None else {}


def saved_for(saved: Mapping[str, Mapping[str, str]], sheet: str) -> Mapping[str, str] | None:
    """One sheet's part of the saved mapping."""
    return saved.get(normalise_name(sheet))


def merged_mapping(
    values: Sequence[Sequence[object]], rows_by_sheet: Mapping[str, Sequence[Sequence[object]]]
) -> list[list[object]]:
    """The whole `Correspondances` block (headers first): the rows of these sheets replaced,
    the other sheets' rows (and the user's decisions in them) kept."""
    replaced = {normalise_name(s) for s in rows_by_sheet}
    width = len(MAPPING_HEADERS)
    kept = [
        [*row[:width], *[None] * (width - len(row[:width]))]
        for row in values[1:]
        if row and row[0] not in (None, "") and normalise_name(str(row[0])) not in replaced
    ]
    return [list(MAPPING_HEADERS), *kept, *(list(r) for rows in rows_by_sheet.values()
                                           for r in rows)]
