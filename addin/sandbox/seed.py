"""The seeded demo company `DEMO.Gestimum` (user `DEMO`, empty password).

It holds every record the documented examples refer to, so that each example runs on a fresh
company, and nothing more: clients `C1`/`C2` are deliberately absent so that the documented
ReferencesClientsArticles example is rejected with `Code manquant`, as documented.
"""

from __future__ import annotations

from pathlib import Path

from .store import SUFFIX, Company

DEMO_FICHIER = "DEMO.Gestimum"
DEMO_USER = "DEMO"

_RECORDS: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]] = {
    "Articles": (
        ("ART_CODE", "ART_LIB", "ART_P_VTE"),
        [
            ("A10", "Article10", "20"), ("A20", "Article20", "40"), ("N30", "Nomenclature 30", ""),
            ("NL", "Article NL", "20"), ("TRA", "Transport", "15"), ("EV", "Article EV", "15"),
            ("ELS", "Article ELS", "59"), ("GBLD", "Article GBLD", "30"),
            ("GBLG", "Article GBLG", "30"),
        ],
    ),
    "Clients": (
        ("PCF_CODE", "PCF_RS", "CPT_NUMERO"),
        [("MA0001", "MARTIN SA", "411MA0001"), ("CLIENT1", "CLIENT UN", "411CLIENT1"),
         ("C25", "CLIENT 25", "411C25"), ("C24", "CLIENT 24", "411C24")],
    ),
    "Fournisseurs": (
        ("PCF_CODE", "PCF_RS", "CPT_NUMERO"),
        [("HU0001", "HUBERT SARL", "401HU0001")],
    ),
    "Commerciaux": (("REP_CODE", "REP_NOM"), [("CO1", "Commercial 1")]),
    "Affaires": (
        ("PRJ_CODE", "PRJ_LIB"),
        [("A11", "Affaire A11"), ("AFFAIRE1", "Affaire 1")],
    ),
    "Devises": (("DEV_CODE", "DEV_LIB"), [("EUR", "Euro")]),
    "ModesReglements": (
        ("REG_CODE", "REG_LIB"),
        [("CHQ", "Chèque"), ("VIR", "Virement"), ("ESP", "Espèces")],
    ),
    "Comptes": (
        ("CPT_NUMERO", "CPT_LIB", "CPT_TYPE", "PCF_CODE"),
        [
            ("411C25", "Client 25", "C", "C25"), ("411C24", "Client 24", "C", "C24"),
            ("411MA0001", "MARTIN SA", "C", "MA0001"), ("401HU0001", "HUBERT SARL", "F", "HU0001"),
            ("445710", "TVA collectée", "G", ""), ("445660", "TVA déductible", "G", ""),
            ("707100", "Ventes de marchandises", "G", ""),
            ("607100", "Achats de marchandises", "G", ""),
            ("512000", "Banque", "G", ""),
        ],
    ),
    "SectionsAnalytiques": (
        ("ANA_CODE", "ANA_LIB", "ANA_TYPE", "ANA_PLAN"),
        [("S1", "Section 1", "G", "P1")],
    ),
}

_JOURNAUX = [("VTE", "Ventes"), ("ACH", "Achats"), ("BQ", "Banque"), ("OD", "Opérations diverses")]
_PLANS = [("P1", "Plan analytique 1")]

# Counters chosen so that the first pièces match the documented examples (BCF17-00008…).
_NUMBERING = [
    ("DocumentsAchat", "C", "BCF17-", 8),
    ("DocumentsStock", "E", "ENT17-", 17),
    ("DocumentsVente", "C", "ARC17-", 51),
]


_template: bytes | None = None  # the seeded database, reused by later sandboxes of this process


def seed_demo(data_dir: Path) -> Path:
    """Create `DEMO.Gestimum` in `data_dir` unless it exists; return its database path."""
    path = data_dir / f"{DEMO_FICHIER}{SUFFIX}"
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    global _template
    if _template is not None:  # same seed as before in this process: copy its bytes
        tmp.write_bytes(_template)
        tmp.rename(path)
        return path
    company = Company(tmp)
    try:
        conn = company.conn
        # No fsync while seeding: the file only becomes the company once renamed below.
        conn.execute("PRAGMA journal_mode=MEMORY")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        company.set_user(DEMO_USER, "")
        conn.execute("INSERT INTO _company (name, value) VALUES ('numbering_year', '17')")
        for name, (header, rows) in _RECORDS.items():
            company.upsert(name, header, rows)
        conn.executemany("INSERT INTO _journaux (code, libelle) VALUES (?, ?)", _JOURNAUX)
        conn.executemany("INSERT INTO _plans_analytiques (code, libelle) VALUES (?, ?)", _PLANS)
        conn.executemany(
            "INSERT INTO _numbering (endpoint, stype, prefix, next) VALUES (?, ?, ?, ?)",
            _NUMBERING,
        )
        conn.execute("COMMIT")
    finally:
        company.close()
    _template = tmp.read_bytes()
    tmp.rename(path)  # a half-seeded company never appears under its real name
    return path


def create_company(data_dir: Path, fichier: str, users: dict[str, str]) -> Path:
    """Create an empty company (no records) with these users and passwords."""
    path = data_dir / f"{fichier}{SUFFIX}"
    company = Company(path)
    try:
        for user, password in users.items():
            company.set_user(user, password)
        company.conn.execute(
            "INSERT OR IGNORE INTO _journaux (code, libelle) VALUES ('OD', 'Opérations diverses')"
        )
    finally:
        company.close()
    return path
