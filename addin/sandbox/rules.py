"""Checks beyond one field's own rule: prose conditions, prerequisites and warnings.

Each works on whole columns (`Columns`) and records its findings in a `LineReport`; which rule
comes from which sentence of the documentation is listed in docs/SANDBOX.md (§5).
"""

from __future__ import annotations

from .columns import Columns, LineReport
from .request import ImportRequest
from .store import Company

# Prerequisites: field → tables (and column) where a non-empty code must already exist. Each
# field was checked against its label in the field structure; the source of every rule is in
# docs/SANDBOX.md §5 ("Prerequisites"), with the reference-like fields left unchecked and why.
_ARTICLES = (("Articles", "ART_CODE"),)
_FAMILIES = (("FamillesArticles", "FAR_CODE"),)
_SUBFAMILIES = (("SousFamilles", "SFA_CODE"),)
_CLIENTS = (("Clients", "PCF_CODE"),)
_CUSTOMERS = _CLIENTS + (("Prospects", "PCF_CODE"),)  # whom a sales document may address
_SUPPLIERS = (("Fournisseurs", "PCF_CODE"),)
_TIERS = _CUSTOMERS + _SUPPLIERS
REFERENCES: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "ComposantsNomenclatures": (("ART_CODE", _ARTICLES), ("PRD_CODE", _ARTICLES)),
    "TarifsArticles": (("ART_CODE", _ARTICLES),),
    "TarifsFournisseursArticles": (("ART_CODE", _ARTICLES), ("PCF_CODE", _SUPPLIERS)),
    "ReferencesClientsArticles": (("ART_CODE", _ARTICLES), ("PCF_CODE", _CLIENTS)),
    "EquivalencesArticles": (("ART_CODE", _ARTICLES), ("ART_AUTRE", _ARTICLES)),
    "GrillesTarifs": (
        ("ART_CODE", _ARTICLES), ("FAR_CODE", _FAMILIES), ("SFA_CODE", _SUBFAMILIES),
    ),
    "AdressesTiers": (("ADR_CODE", _TIERS),),
    "BanquesTiers": (("PCF_CODE", _TIERS),),
    # CCT_CODE ("Code") is the contact's own code; CCT_ORIGIN ("Code tiers") its third party.
    "Contacts": (("CCT_ORIGIN", _TIERS),),
    "Affaires": (("PCF_CODE", _TIERS),),
    "DocumentsVente": (("PCF_CODE", _CUSTOMERS), ("ART_CODE", _ARTICLES)),
    "DocumentsAchat": (("PCF_CODE", _SUPPLIERS), ("ART_CODE", _ARTICLES)),
    "DocumentsStock": (("ART_CODE", _ARTICLES), ("PCF_CODE", _TIERS)),
}
MISSING_CODE = "Code manquant"  # the only documented wording of a rejected line

DEVISE_WARNING = (
    "La date d'actualisation et le cours de la devise ne sont modifiables que par l'assistant "
    "d'actualisation des devises."
)


def _rib_key_ok(bank: str, branch: str, account: str, key: str) -> bool:
    """French RIB key check (letters of the account number map to digits as banks do)."""
    table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    digits = (bank + branch + account.upper().translate(table) + key)
    if not digits.isdigit() or len(key) != 2:
        return False
    return int(digits) % 97 == 0


def conditional_rules(
    name: str, company: Company, cols: Columns, report: LineReport, req: ImportRequest
) -> None:
    """Conditional rules written in prose in the field structures."""
    col = cols.col
    if name == "Comptes":
        types, tiers, numbers = col("CPT_TYPE"), col("PCF_CODE"), col("CPT_NUMERO")
        for i, (t, p, n) in enumerate(zip(types, tiers, numbers, strict=True)):
            if t in ("C", "F") and not p and not (req.flag("calculer_code_tiers") and n):
                report.reject(
                    i, "Le champ PCF_CODE (Code tiers) est obligatoire pour un compte client ou "
                    "fournisseur.",
                )
    elif name == "Glossaires":
        for i, (lib, memo) in enumerate(zip(col("TXT_LIB"), col("TXT_MEMO"), strict=True)):
            if bool(lib) == bool(memo):
                report.reject(i, "Renseignez soit TXT_LIB soit TXT_MEMO, mais pas les deux.")
    elif name == "GrillesTarifs":
        arts, fams, sfas = col("ART_CODE"), col("FAR_CODE"), col("SFA_CODE")
        codes, libs = col("TAR_CODE"), col("TAR_LIB")
        known = company.existing("GrillesTarifs", "TAR_CODE", codes)
        for i in range(cols.count):
            if not (arts[i] or fams[i] or sfas[i]):
                report.reject(i, "Renseignez un des champs ART_CODE, FAR_CODE ou SFA_CODE.")
            if not libs[i] and codes[i] not in known:
                report.reject(
                    i, "Le champ TAR_LIB (Libellé) est obligatoire à la création d'une grille."
                )
            elif codes[i]:
                known.add(codes[i])


def references(name: str, company: Company, cols: Columns, report: LineReport) -> None:
    """Reject lines whose referenced codes do not exist yet (`Code manquant`)."""
    for code, targets in REFERENCES.get(name, ()):
        if code not in cols:
            continue
        column = cols.col(code)
        values = set(column)
        values.discard("")
        found: set[str] = set()
        for table, target in targets:
            found |= company.existing(table, target, values - found)
        missing = values - found
        if missing:
            for i, value in enumerate(column):
                if value in missing and MISSING_CODE not in report.reasons.get(i, ()):
                    report.reject(i, MISSING_CODE)


def line_warnings(name: str, cols: Columns, report: LineReport) -> None:
    """Documented warnings: the line is imported, the journal says why it is odd."""
    if name == "Devises":
        for i, values in enumerate(zip(cols.col("DEV_COURS"), cols.col("DEV_DT_ACT"), strict=True)):
            if any(values):
                report.warnings.setdefault(i, []).append(DEVISE_WARNING)
    elif name == "BanquesTiers":
        parts = ("RIB_AGENCE", "RIB_GUICHE", "RIB_COMPTE", "RIB_CLE")
        if not all(p in cols for p in parts):
            return
        for i, (bank, branch, account, key) in enumerate(
            zip(*(cols.col(p) for p in parts), strict=True)
        ):
            if bank and branch and account and key and not _rib_key_ok(bank, branch, account, key):
                report.notices.setdefault(i, []).append(
                    f"Attention ! Le numéro BBAN {bank}{branch}{account}{key} n'est pas valide."
                )
