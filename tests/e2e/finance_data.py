"""Small literal tables of the finance scenarios (issue 12): an export with its own headers,
a January close, invoices. Kept here so the end-to-end tests read like the scenario."""

from __future__ import annotations

from datetime import date

# Another program's customer export: its own title and headers, no field codes anywhere.
EXPORT_TITLE = ["Export clients — logiciel précédent, au 31/01/2025"]
EXPORT_HEADERS = ["Code client", "Nom", "Adresse", "CP", "Ville", "Téléphone", "SIRET", "IBAN",
                  "Compte", "CA 2024"]
EXPORT_ROWS = [
    ["MIG001", "Boulangerie Martin", "3 rue des Lilas", "06000", "Nice", "04 93 00 00 01",
     "73282932000074", "FR7630006000011234567890189", "411MIG001", 12500],
    ["MIG002", "Garage du Port", "1 quai Ouest", "13002", "Marseille", "04 91 00 00 02",
     "40483304800022", "", "411MIG002", 8300.5],
    ["MIG003", "Cabinet Leroy", "8 avenue Foch", "75016", "Paris", "01 45 00 00 03",
     "", "", "411MIG003", 0],
]

# A January close: two balanced pièces, Débit/Crédit columns instead of Montant + Sens
# (the sandbox's seeded accounts and journals); the export writes 0 on the side not used.
CLOSE_HEADERS = ["Date", "Journal", "Compte", "Libellé", "Pièce", "Débit", "Crédit"]
CLOSE_ROWS = [
    [date(2025, 1, 31), "VTE", "411C25", "Facture F1", "F1", 1200, 0],
    [date(2025, 1, 31), "VTE", "707100", "Facture F1", "F1", 0, 1000],
    [date(2025, 1, 31), "VTE", "445710", "Facture F1", "F1", 0, "200,00"],
    [date(2025, 1, 15), "ACH", "607100", "Achat A1", "A1", 500.5, None],
    [date(2025, 1, 15), "ACH", "401HU0001", "Achat A1", "A1", None, 500.5],
]
# The same close with an entry of another year slipped in.
STRAY_ROWS = [
    [date(2023, 12, 31), "OD", "512000", "Régul", "R1", 10, None],
    [date(2023, 12, 31), "OD", "707100", "Régul", "R1", None, 10],
]

# Customers of which one is bad (name too long): the others must not wait for it.
CUSTOMERS = [
    ["PCF_CODE", "PCF_RS", "CPT_NUMERO"],
    ["PART1", "Client un", "411PART1"],
    ["PART2", "x" * 61, "411PART2"],
    ["PART3", "Client trois", "411PART3"],
]
# Entries: pièce P1 balanced, pièce P2 unbalanced (held whole), pièce P3 balanced.
PARTIAL_ENTRIES = [
    ["Date", "Journal", "Compte", "Pièce", "Débit", "Crédit"],
    [date(2025, 1, 5), "OD", "512000", "P1", 10, None],
    [date(2025, 1, 5), "OD", "707100", "P1", None, 10],
    [date(2025, 1, 6), "OD", "512000", "P2", 20, None],
    [date(2025, 1, 6), "OD", "707100", "P2", None, 19],
    [date(2025, 1, 7), "OD", "512000", "P3", 30, None],
    [date(2025, 1, 7), "OD", "707100", "P3", None, 30],
]

# A workbook tested as a whole: the account 706500 exists only in its Comptes sheet.
NEW_ACCOUNTS = [
    ["CPT_NUMERO", "CPT_LIB", "CPT_TYPE"],
    ["706500", "Prestations de conseil", "G"],
]
ENTRIES_ON_NEW_ACCOUNT = [
    ["Date", "Journal", "Compte", "Pièce", "Débit", "Crédit"],
    [date(2025, 1, 20), "VTE", "411C25", "F9", 600, None],   # same pièce as the next line
    [date(2025, 1, 20), "VTE", "706500", "F9", None, 600],
    [date(2025, 1, 21), "VTE", "411C25", "F10", 50, None],   # known accounts only
    [date(2025, 1, 21), "VTE", "707100", "F10", None, 50],
]
