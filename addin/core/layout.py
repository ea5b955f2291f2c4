"""Row and column layout of the workbooks, shared by the templates, the readers and the ledger.

Pure constants only, so that the template builder, the openpyxl/xlwings adapters and the ledger
writer agree on one definition (DESIGN §3.1).
"""

from __future__ import annotations

__all__ = [
    "DATA_ROW",
    "HEADER_ROW",
    "JOURNAL_HEADERS",
    "JOURNAL_SHEET",
    "LABEL_ROW",
    "REQUIRED_MARK",
    "RESULTATS_HEADERS",
    "RESULTATS_SHEET",
    "SKIP_PREFIX",
    "STAMP_HEADER",
    "STATUS_HEADER",
    "required_label",
]

# Data sheets: French labels on row 1, field codes (the Excel Table header) on row 2, data below.
LABEL_ROW = 1
HEADER_ROW = 2
DATA_ROW = 3

# Columns whose header starts with this prefix are never sent; #STATUT receives each row's outcome.
SKIP_PREFIX = "#"
STATUS_HEADER = "#STATUT"
STAMP_HEADER = "#EMPREINTE"  # run id + content stamp of the last import (hidden column)

# Appended to the French label of a mandatory field on the label row ("Code client *").
REQUIRED_MARK = " *"

RESULTATS_SHEET = "Résultats"
RESULTATS_HEADERS: tuple[str, ...] = (
    "Date",
    "Utilisateur (OS)",
    "Serveur",
    "Société",
    "Feuille",
    "Point d'entrée",
    "Mode (test/réel)",
    "Lot (n/N)",
    "Lignes envoyées",
    "Importées",
    "Rejetées",
    "Avertissements",
    "Durée (s)",
    "Résultat",
    "SHA-256 des lignes",
)

JOURNAL_SHEET = "Journal"
JOURNAL_HEADERS: tuple[str, ...] = (
    "Identifiant d'exécution",
    "Point d'entrée",
    "Ligne de journal",
    # The sheet row of the batch line the journal line names; last, so that the columns of
    # Journal sheets written before it keep their meaning.
    "Ligne Excel",
)


def required_label(label: str, required: bool) -> str:
    """The label-row text of a field: its French label, marked when the field is mandatory."""
    return f"{label}{REQUIRED_MARK}" if required else label
