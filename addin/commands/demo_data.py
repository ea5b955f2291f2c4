"""The rows of the bundled demo workbook (addin/data/demo.xlsx), one table per sheet.

Most rows are good; a few are wrong in ways only Gestimum can see (unknown client, unknown
article), so that the demo shows imported rows, rejected rows with reasons, warnings and pièces.
"""

from __future__ import annotations

from datetime import date

__all__ = ["DEMO_SHEETS"]

# endpoint name → (header codes, rows); sheets appear in this order in the workbook, which is
# deliberately not the dependency order: "import everything" must sort them itself.
DEMO_SHEETS: dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]] = {
    "Clients": (
        ("PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_RUE", "PCF_CP", "PCF_VILLE", "PAY_CODE",
         "PCF_TEL1", "PCF_EMAIL"),
        [
            ("C0001", "Boulangerie Martin", "411C0001", "12 rue des Lilas", "08000",
             "Charleville-Mézières", "FR", "03 24 00 00 01", "contact@boulangerie-martin.fr"),
            ("C0002", "Cabinet Durand & Associés", "411C0002", "4 boulevard Voltaire", "75011",
             "Paris", "FR", "01 43 00 00 02", "accueil@cabinet-durand.fr"),
            ("C0003", "Les Jardins du Sud", "411C0003", "Chemin des Oliviers", "13100",
             "Aix-en-Provence", "FR", "04 42 00 00 03", "jardins.sud@example.fr"),
        ],
    ),
    "DocumentsVente": (
        ("DOC_STYPE", "DOC_DATE", "PCF_CODE", "DOC_REFPCF", "ART_CODE", "LIG_QTE", "LIG_P_BRUT"),
        [
            ("C", date(2026, 11, 2), "C0001", "CMD-1001", "PC-PORT-14", 2, 899.9),
            ("C", date(2026, 11, 2), "C0001", "CMD-1001", "INSTALL-H", 3, 65),
            ("F", date(2026, 11, 5), "C0002", "FAC-2001", "ECRAN-27", 4, 249),
            ("F", date(2026, 11, 5), "C0002", "FAC-2001", "PAPIER-A4", 10, 4.5),
            # Wrong on purpose: client C0099 does not exist in Gestimum.
            ("C", date(2026, 11, 6), "C0099", "CMD-1002", "PAPIER-A4", 5, 4.5),
            # Wrong on purpose: article CLAVIER-FR was never created.
            ("C", date(2026, 11, 7), "C0003", "CMD-1003", "CLAVIER-FR", 1, 39.9),
        ],
    ),
    "Articles": (
        ("ART_CODE", "ART_LIB", "FAR_CODE", "ART_TYPE", "ART_P_VTE"),
        [
            ("PC-PORT-14", "Ordinateur portable 14 pouces", "INFO", "P", 899.9),
            ("ECRAN-27", "Écran 27 pouces", "INFO", "P", 249),
            ("INSTALL-H", "Heure d'installation sur site", "PRESTA", "V", 65),
            ("PAPIER-A4", "Ramette de papier A4 (500 feuilles)", "CONSO", "P", 4.5),
        ],
    ),
    "FamillesArticles": (
        ("FAR_CODE", "FAR_LIB", "FAR_TYPE"),
        [
            ("INFO", "Matériel informatique", "P"),
            ("PRESTA", "Prestations de services", "V"),
            ("CONSO", "Consommables", "P"),
        ],
    ),
    "Prospects": (
        ("PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"),
        [
            ("P42", "411P42", "DECAT5", "6 rue de la paix", "78120", "RAMBOUILLET"),
            ("P43", "411P43", "Atelier Lumière", "18 quai des Chartrons", "33000", "Bordeaux"),
        ],
    ),
    "ComptesReporting": (
        ("RPT_COMPTE", "RPT_LIB", "RPT_TYPE"),
        [
            (6, "Charges", "R"),
            (600, "Charges Commerciales", "G"),
            (7, "Produits", "R"),
            (706, "Prestations de services", "G"),
        ],
    ),
    "Devises": (
        ("DEV_CODE", "DEV_LIB", "DEV_COURS"),
        [
            ("AUD", "Dollar Australien", 1.6),
            ("CAD", "Dollar Canadien", 1.5101),
        ],
    ),
}
