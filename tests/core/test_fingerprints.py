"""Run-journal fingerprints stay exactly what earlier versions computed (issue 9's guarantee).

Users' journals store every row's `fp`, `piece` and `key`, and workbooks the `stamp`: a
fingerprint that changed with an upgrade would make a re-run send imported rows again. The
expected values below were computed by the first implementation and are kept as literals.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest

from addin.core import fingerprints
from addin.core.catalog import get_endpoint
from addin.core.fingerprints import RowPrint, row_prints
from addin.core.sheet import SheetData, read_sheet

SALT = b"sel-du-journal-0123456789abcdef"
TARGET = "https://gestimum.example.fr|SOCIETE"


def _clients() -> SheetData:
    """Key case differences, empty cells, blocking cells, a separator quoted by the delimiter,
    accents, a row whose every sent cell is blocking."""
    head = ["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_CP", "PCF_DATIMM", "PCF_CAPITA",
            "PCF_EMAIL", "#NOTE"]
    return read_sheet([
        head,
        ["C1", "Un", "411C1", "75001", date(2024, 1, 2), 10.5, "un@example.fr", "x"],
        ["c1", "Un bis", "411C1", None, None, None, None, None],
        ["C2", "Deux; et trois", "411C2", "08120", datetime(2023, 12, 31), 0, "", None],
        ["C3", "Trois", "411C3", "75003", "pas une date", "douze", None, None],
        ["C4", "Été à Noël", "411C4", "97100", date(2020, 2, 29), -3.25, "a@b.fr", None],
        [None, None, None, None, "#N/A", None, None, "seul"],
        ["C5", "  Cinq  ", "411C5", 75005, None, 1e6, None, None],
    ], get_endpoint("Clients"), sheet="Clients")


def _addresses() -> SheetData:
    """Two key fields (sorted by code), case and accent differences between rows."""
    head = ["ADR_NUMERO", "ADR_CODE", "ADR_RS", "ADR_VILLE"]
    return read_sheet([
        head,
        ["1", "CLI1", "Siège", "Paris"],
        ["1", "cli1", "Siège", "PARIS"],
        ["2", "CLI1", "Dépôt", None],
        ["1", "Élan", "Élan SA", "Évry"],
    ], get_endpoint("AdressesTiers"), sheet="AdressesTiers")


def _users() -> SheetData:
    """A secret field: keyed fingerprints, stamps without it; no update key."""
    head = ["USR_NAME", "USR_PASSWD", "USR_GROUPE", "USR_WSTLCU"]
    return read_sheet([
        head,
        ["MARTIN", "S3cret!", "COMPTA", True],
        ["DURAND", None, "VENTES", False],
        ["DUPONT", "autre-secret", None, None],
        ["LEROY", "S3cret!", "COMPTA", True],
    ], get_endpoint("Utilisateurs"), sheet="Utilisateurs")


def _sales() -> SheetData:
    """Multi-line pièces, a one-line pièce between them, empty cells inside a pièce."""
    head = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "PCF_CODE", "ART_CODE", "LIG_QTE", "LIG_LIB"]
    d = date(2024, 3, 1)
    return read_sheet([
        head,
        ["C", d, "P1", "CLI1", "ART1", 1, "Première ligne"],
        ["C", d, "P1", "CLI1", "ART2", 2.5, None],
        ["C", d, "P1", "CLI1", "ART3", None, "Sans quantité"],
        ["C", d, "P2", "CLI2", "ART1", 4, None],
        ["F", d, "P3", "CLI1", "ART1", 1, None],
        ["F", d, "P3", "CLI1", "ART1", 1, None],
        ["C", d, "P1", "CLI1", "ART9", 1, "P1 again, after P3: another pièce"],
    ], get_endpoint("DocumentsVente"), sheet="DocumentsVente")


def _stock() -> SheetData:
    """A grouped endpoint whose grouping columns are all absent: one pièce for the sheet."""
    return read_sheet([
        ["ART_CODE", "MVT_QTE", "MVT_LIB"],
        ["ART1", 1, "un"],
        ["ART2", 2, None],
        ["ART3", 3, "trois"],
    ], get_endpoint("DocumentsStock"), sheet="DocumentsStock")


def _entries() -> SheetData:
    """Positional entries: pièces of 2 and 3 lines with due-date and analytic lines."""
    head = ["ECR_DATE", "JOU_CODE", "CPT_NUMERO", "ECR_PIECE", "ECR_LIB", "ECR_MONTANT",
            "ECR_SENS", "ECH_DATE", "ECH_MONTANT", "ANA_PLAN", "ANA_SECTION", "ANA_MONTANT"]
    d = date(2025, 1, 31)
    return read_sheet([
        head,
        [d, "VTE", "411C25", "F1", "Facture F1", 120, "D", None, None, None, None, None],
        [None, None, None, None, None, None, None, date(2025, 2, 28), 120, None, None, None],
        [d, "VTE", "707100", "F1", "Facture F1", 120, "C", None, None, None, None, None],
        [None, None, None, None, None, None, None, None, None, "P1", "S1", 120],
        [d, "BQ", "512000", "B1", "Règlement", 50, "D", None, None, None, None, None],
        [d, "BQ", "411C25", "B1", None, 50, "C", None, None, None, None, None],
        [date(2025, 1, 2), "BQ", "411C26", "B2", "Autre", 7.5, "C", None, None, None, None,
         None],
        [date(2025, 1, 2), "BQ", "512000", "B2", "Autre", 7.5, "D", None, None, None, None,
         None],
    ], get_endpoint("Ecritures"), sheet="Ecritures")


def _many_sales(n: int = 240) -> SheetData:
    """Pièces of 1 to 7 lines with empty cells here and there, enough for several chunks."""
    head = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "PCF_CODE", "ART_CODE", "LIG_QTE", "LIG_LIB"]
    rows: list[list[object]] = [head]
    piece, left = 0, 0
    for i in range(n):
        if left == 0:
            piece, left = piece + 1, piece % 7 + 1
        left -= 1
        rows.append(["C", date(2024, 1, 1 + piece % 28), f"P{piece}", f"CLI{piece % 5}",
                     f"ART{i % 11}", None if i % 9 == 0 else i % 13 + 0.5,
                     None if i % 4 else f"Ligne n° {i}"])
    return read_sheet(rows, get_endpoint("DocumentsVente"), sheet="DocumentsVente")


def _many_clients(n: int = 300) -> SheetData:
    """Mostly full rows (every sent cell filled), a few with empty cells or lower-case keys."""
    head = ["PCF_CODE", "PCF_RS", "CPT_NUMERO", "PCF_CP", "PCF_VILLE", "PCF_EMAIL"]
    return read_sheet([head] + [
        [f"c{i}" if i % 97 == 0 else f"C{i}", f"Société n° {i}", f"411C{i}",
         f"{75000 + i % 20:05d}", None if i % 50 == 7 else "Paris",
         None if i % 31 == 3 else f"contact{i}@example.fr"]
        for i in range(n)
    ], get_endpoint("Clients"), sheet="Clients")


CASES = {
    "clients": (_clients, "Clients", '"'),
    "addresses": (_addresses, "AdressesTiers", ""),
    "users": (_users, "Utilisateurs", ""),
    "sales": (_sales, "DocumentsVente", ""),
    "stock": (_stock, "DocumentsStock", ""),
    "entries": (_entries, "Ecritures", ""),
}


LONG_CASES = {
    "many-sales": (_many_sales, "DocumentsVente", ""),
    "many-clients": (_many_clients, "Clients", ""),
}


def _prints(case: str, salt: bytes = SALT, target: str = TARGET) -> list[RowPrint]:
    make, endpoint, delimiter = {**CASES, **LONG_CASES}[case]
    return row_prints(make(), get_endpoint(endpoint), salt, delimiter=delimiter, target=target)


def _digest(prints: list[RowPrint]) -> str:
    """One hash of every field of every row, for the long case."""
    text = "\n".join(f"{p.row} {p.fp} {p.piece} {p.key} {p.stamp} {p.group} {p.target}"
                     for p in prints)
    return hashlib.sha256(text.encode()).hexdigest()
EXPECTED = {
    "clients": [
        (2, 0, "ac0881d9af5e0cd5fa2695e518c19eaf", "ac0881d9af5e0cd5fa2695e518c19eaf",
         "f0c2bc25341c2d20fc863be9e7f7c530", "ac0881d9af5e0cd5fa26"),
        (3, 1, "f91ef1c1702ed9f2f3d239b81d074b19", "f91ef1c1702ed9f2f3d239b81d074b19",
         "f0c2bc25341c2d20fc863be9e7f7c530", "f91ef1c1702ed9f2f3d2"),
        (4, 2, "f3f7ff80c8a3375e15a1769837e5456b", "f3f7ff80c8a3375e15a1769837e5456b",
         "3f539de556788d5d8a3ad544627b8196", "f3f7ff80c8a3375e15a1"),
        (5, 3, "4216266edb5c2445b2b13fbf7638f727", "4216266edb5c2445b2b13fbf7638f727",
         "21a070cba4c10f94c57526349f13ffbf", "4216266edb5c2445b2b1"),
        (6, 4, "32b5df456f4f2213d2d42f68be671668", "32b5df456f4f2213d2d42f68be671668",
         "879b40214c8fd43563574fa16ace1b3a", "32b5df456f4f2213d2d4"),
        (7, 5, "19932d7c02e37855cde6d9cc6f8ba676", "19932d7c02e37855cde6d9cc6f8ba676",
         "19932d7c02e37855cde6d9cc6f8ba676", "19932d7c02e37855cde6"),
        (8, 6, "4ad52a1381f72b3f74ade7b0d31c5216", "4ad52a1381f72b3f74ade7b0d31c5216",
         "b6879ec3f5715d3c12ef2f3c06781bd9", "4ad52a1381f72b3f74ad"),
    ],
    "addresses": [
        (2, 0, "356dc21b8733219e190d1affa7d60335", "356dc21b8733219e190d1affa7d60335",
         "55981ad78f9c4b199b117a68ead8ea39", "356dc21b8733219e190d"),
        (3, 1, "3ba89d1d367f322ef78ed0ae491372f8", "3ba89d1d367f322ef78ed0ae491372f8",
         "55981ad78f9c4b199b117a68ead8ea39", "3ba89d1d367f322ef78e"),
        (4, 2, "bcef4e1e418a3285b3bb740dfe553297", "bcef4e1e418a3285b3bb740dfe553297",
         "bb6daea08678fd473ad93e348d352d57", "bcef4e1e418a3285b3bb"),
        (5, 3, "fcbb9ceb670682c857ac7d2810f6fad5", "fcbb9ceb670682c857ac7d2810f6fad5",
         "a25e22b5525916bffca5a8014188314e", "fcbb9ceb670682c857ac"),
    ],
    "users": [
        (2, 0, "5f8e653a30224bc7a0bcd0ce7c0d4e97", "5f8e653a30224bc7a0bcd0ce7c0d4e97",
         "", "b704ace02eb5ef85d632"),
        (3, 1, "77a0b229d22f15ce0e0d0327490273e3", "77a0b229d22f15ce0e0d0327490273e3",
         "", "0847bd5386692247fbed"),
        (4, 2, "55b95911e2cd480e41fdcf39d803ad7e", "55b95911e2cd480e41fdcf39d803ad7e",
         "", "107c16f238f2b2aa1383"),
        (5, 3, "3149721bfe64c63ad45f96554f6fcf4f", "3149721bfe64c63ad45f96554f6fcf4f",
         "", "f3059350e8490c2e3177"),
    ],
    "sales": [
        (2, 0, "b3923615095d47e917d5614036b9ed8e", "fe11c9a378e5525d5cff4ca0c385db90",
         "", "b3923615095d47e917d5"),
        (3, 0, "1b69c76fd04c11937b1699d8cea48f97", "fe11c9a378e5525d5cff4ca0c385db90",
         "", "1b69c76fd04c11937b16"),
        (4, 0, "db1c226474224201301549d3e982e940", "fe11c9a378e5525d5cff4ca0c385db90",
         "", "db1c2264742242013015"),
        (5, 1, "4d4cf8626efb75ca53ac4e55cdeb3f85", "4d4cf8626efb75ca53ac4e55cdeb3f85",
         "", "4d4cf8626efb75ca53ac"),
        (6, 2, "a351bd71f661b5ef91c1d84160250018", "581ad866c295f2619819930b366cab57",
         "", "a351bd71f661b5ef91c1"),
        (7, 2, "a351bd71f661b5ef91c1d84160250018", "581ad866c295f2619819930b366cab57",
         "", "a351bd71f661b5ef91c1"),
        (8, 3, "fd945f2614904a129de7163b3b1d5d55", "fd945f2614904a129de7163b3b1d5d55",
         "", "fd945f2614904a129de7"),
    ],
    "stock": [
        (2, 0, "ae140d5d7b258dc75fbfca75206a4157", "a3fcc0ab5193e41934d325d4e479e0b1",
         "", "ae140d5d7b258dc75fbf"),
        (3, 0, "f68c552a2c0fccdb54e30f7099ab46a2", "a3fcc0ab5193e41934d325d4e479e0b1",
         "", "f68c552a2c0fccdb54e3"),
        (4, 0, "b2d293c95c0e15936f27de46e0bc3eab", "a3fcc0ab5193e41934d325d4e479e0b1",
         "", "b2d293c95c0e15936f27"),
    ],
    "entries": [
        (2, 0, "de9bff88d6f9ae02cad558abc9728456", "14ca2f4ed8ebe93a8bb9606cd9acdeab",
         "", "de9bff88d6f9ae02cad5"),
        (3, 0, "3fd9b3e15a55992a73d0abec35f77d5f", "14ca2f4ed8ebe93a8bb9606cd9acdeab",
         "", "3fd9b3e15a55992a73d0"),
        (4, 0, "939800bf6629d6e6265724de2df95177", "14ca2f4ed8ebe93a8bb9606cd9acdeab",
         "", "939800bf6629d6e62657"),
        (5, 0, "e6fab8e5a6353599293f942e500f34ea", "14ca2f4ed8ebe93a8bb9606cd9acdeab",
         "", "e6fab8e5a6353599293f"),
        (6, 1, "051635ed8a0ffe4a4582fdcbb1b22308", "ddd94ab2bc3f3043d114df75dbdc7fc1",
         "", "051635ed8a0ffe4a4582"),
        (7, 1, "f09cedc5e41eec1728fd8c8dc086b928", "ddd94ab2bc3f3043d114df75dbdc7fc1",
         "", "f09cedc5e41eec1728fd"),
        (8, 2, "06badb0804818f058479c9139264ce85", "9855734c35d6d25a54bdbf2fe7f4f040",
         "", "06badb0804818f058479"),
        (9, 2, "1ec436f11cb6000920e9c0d934a2398c", "9855734c35d6d25a54bdbf2fe7f4f040",
         "", "1ec436f11cb6000920e9"),
    ],
}
EXPECTED_DIGESTS = {
    ("many-sales", True): "82c493ff127c57195bcc14c65202e590d6bb2c6fb08a81a3f5d9f81c87caccc6",
    ("many-sales", False): "4429bae5a0f4d4001ddd278355e05ef3ff4b66f5f2ffedef3a3ef3fbf96278f6",
    ("many-clients", True): "123e8fa780219b11031791ab9d69e5771546afabb9f618c532518e43218acfeb",
    ("many-clients", False): "d63e7233871782a35c10dd7db278342f3a6b0242219ff6f9a37432e5009e4542",
}


@pytest.mark.parametrize("case", list(CASES))
def test_fingerprints_are_those_of_earlier_versions(case: str) -> None:
    prints = _prints(case)
    assert [(p.row, p.group, p.fp, p.piece, p.key, p.stamp) for p in prints] == EXPECTED[case]
    assert {p.target for p in prints} == {fingerprints.target_tag(TARGET)} == {"7b453654"}


@pytest.mark.parametrize(("case", "keyed"), list(EXPECTED_DIGESTS))
def test_long_sheets_give_the_same_fingerprints(case: str, keyed: bool) -> None:
    prints = _prints(case) if keyed else _prints(case, salt=b"", target="")
    assert _digest(prints) == EXPECTED_DIGESTS[(case, keyed)]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_the_same_fingerprints_whatever_the_chunks(chunk: int, monkeypatch) -> None:
    """Rows are hashed a chunk at a time: pièces cut by a chunk boundary, chunks where a column
    is filled in every row, in some or in none, give the same values."""
    monkeypatch.setattr(fingerprints, "CHUNK_ROWS", chunk)
    for case in CASES:
        prints = _prints(case)
        assert [(p.row, p.group, p.fp, p.piece, p.key, p.stamp) for p in prints] \
            == EXPECTED[case], case
    for case, keyed in EXPECTED_DIGESTS:
        prints = _prints(case) if keyed else _prints(case, salt=b"", target="")
        assert _digest(prints) == EXPECTED_DIGESTS[(case, keyed)], case


def test_column_order_and_empty_columns_do_not_change_a_fingerprint() -> None:
    def prints(*grid: list[object]) -> list[RowPrint]:
        data = read_sheet(list(grid), get_endpoint("Clients"), sheet="Clients")
        return row_prints(data, get_endpoint("Clients"), SALT)

    a = prints(["PCF_CODE", "PCF_RS", "PCF_VILLE"], ["C1", "Un", "Paris"], ["C2", "Deux", None])
    b = prints(["PCF_VILLE", "PCF_TEL1", "PCF_CODE", "PCF_RS"], ["Paris", None, "C1", "Un"],
               [None, None, "C2", "Deux"])
    assert [(p.fp, p.key, p.stamp) for p in a] == [(p.fp, p.key, p.stamp) for p in b]
    assert a[0].fp != a[1].fp and a[0].key != a[1].key


def test_only_a_secret_sheet_is_keyed_by_the_salt_and_its_stamp_leaves_the_secret_out() -> None:
    users, other = _prints("users"), _prints("users", salt=b"un autre sel")
    assert all(u.fp != o.fp and u.stamp == o.stamp for u, o in zip(users, other, strict=True))
    assert users[0].fp != users[3].fp  # same password and group, another user
    assert [p.fp for p in _prints("sales")] == [p.fp for p in _prints("sales", salt=b"autre")]
