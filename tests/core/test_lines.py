"""Import lines, batches that never split a document or a pièce, bodies and digests."""

from __future__ import annotations

import hashlib

import pytest

from addin.core.catalog import get_endpoint
from addin.core.lines import MASK, Batch, Options, build_batches, build_body, line_digest
from addin.core.sheet import SheetData, read_sheet
from addin.core.validate import has_blocking, validate


def sheet(endpoint: str, header: list[str], *rows: list[object]) -> SheetData:
    data = read_sheet([header, *[list(r) for r in rows]], get_endpoint(endpoint), sheet=endpoint)
    assert not has_blocking(validate(data)), validate(data)
    return data


CLIENTS = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_CP", "PCF_VILLE"]


def test_header_leaves_out_empty_columns_and_lines_trim_trailing_empties() -> None:
    """Columns empty on every row are not sent; a line's trailing empty fields are trimmed."""
    data = sheet("Clients", CLIENTS, ["C1", "411C1", "Un", None, "75001", None],
                 ["C2", "411C2", "Deux", None, None, None])
    (batch,) = build_batches(data, Options())
    assert batch.header == "PCF_CODE;CPT_NUMERO;PCF_RS;PCF_CP"
    assert batch.lines == ["C1;411C1;Un;75001", "C2;411C2;Deux"]
    assert batch.rows == [2, 3]


def test_skip_rows_changes_which_columns_are_sent() -> None:
    """Rows already imported are skipped, and the header only keeps what remains to send."""
    data = sheet("Clients", CLIENTS, ["C1", "411C1", "Un", "1 rue", None, None],
                 ["C2", "411C2", "Deux", None, None, None])
    (batch,) = build_batches(data, Options(), skip_rows={2})
    assert (batch.header, batch.lines, batch.rows) == (
        "PCF_CODE;CPT_NUMERO;PCF_RS", ["C2;411C2;Deux"], [3])
    assert build_batches(data, Options(), skip_rows={2, 3}) == []


def test_batches_of_batch_size() -> None:
    """Master data is cut every batch_size lines, each batch numbered n/N with its rows."""
    rows = [[f"C{i}", f"411C{i}", f"Client {i}"] for i in range(7)]
    data = sheet("Clients", CLIENTS[:3], *rows)
    batches = build_batches(data, Options(batch_size=3))
    assert [(b.index, b.total, len(b.lines)) for b in batches] == [(1, 3, 3), (2, 3, 3), (3, 3, 1)]
    assert batches[2].rows == [8]
    assert all(b.header == "PCF_CODE;CPT_NUMERO;PCF_RS" for b in batches)


DOC = ["DOC_STYPE", "DOC_DATE", "DOC_PIECE", "PCF_CODE", "ART_CODE", "LIG_QTE"]


def doc(piece: str, article: str) -> list[object]:
    return ["C", "01/01/2024", piece, "CLI1", article, 1]


@pytest.mark.parametrize(
    ("sizes", "batch_size", "expected"),
    [
        pytest.param([2, 2, 2], 4, [4, 2], id="two-documents-fit"),
        pytest.param([2, 3], 4, [2, 3], id="never-split"),
        pytest.param([1, 6, 1], 4, [1, 6, 1], id="big-document-alone"),
        pytest.param([1, 1, 1], 1, [1, 1, 1], id="one-line-batches"),
    ],
)
def test_documents_are_never_split(sizes: list[int], batch_size: int,
                                   expected: list[int]) -> None:
    """A batch never cuts a document; a document larger than batch_size travels alone."""
    rows = [doc(f"P{d}", f"A{i}") for d, n in enumerate(sizes) for i in range(n)]
    batches = build_batches(sheet("DocumentsVente", DOC, *rows), Options(batch_size=batch_size))
    assert [len(b.lines) for b in batches] == expected


ECR = ["JOU_CODE", "ECR_DATE", "ECR_PIECE", "CPT_NUMERO", "ECR_MONTANT", "ECR_SENS", "ECH_DATE",
       "ECH_MONTANT"]


def test_entries_keep_pieces_whole_and_number_lines_per_batch() -> None:
    """A pièce and its due-date lines stay in one batch; ECR_LIGNE restarts at 1 per batch."""
    rows = [
        ["VTE", "19/02/2019", "F1", "411C25", 120, "D", None, None],
        [None, None, None, None, None, None, "10/04/2019", 120],
        ["VTE", "19/02/2019", "F1", "707100", 120, "C", None, None],
        ["VTE", "20/02/2019", "F2", "411C26", 50, "D", None, None],
        ["VTE", "20/02/2019", "F2", "707100", 50, "C", None, None],
    ]
    batches = build_batches(sheet("Ecritures", ECR, *rows), Options(batch_size=2))
    assert [b.lines for b in batches] == [
        ["1,19/02/2019,VTE,411C25,,,F1,,120,D", "E10/04/2019,,,120",
         "2,19/02/2019,VTE,707100,,,F1,,120,C"],
        ["1,20/02/2019,VTE,411C26,,,F2,,50,D", "2,20/02/2019,VTE,707100,,,F2,,50,C"],
    ]
    assert [b.rows for b in batches] == [[2, 3, 4], [5, 6]]
    assert all(b.header is None for b in batches)


def test_quoting_when_a_text_delimiter_is_set() -> None:
    """With identificateur_texte, a value holding the separator is quoted and sent."""
    data = read_sheet([CLIENTS[:3], ["C1", "411C1", "Dupont; fils"]], get_endpoint("Clients"),
                      sheet="Clients")
    assert has_blocking(validate(data))
    assert not has_blocking(validate(data, delimiter='"'))
    options = Options(identificateur_texte='"')
    (batch,) = build_batches(data, options)
    assert batch.lines == ['C1;411C1;"Dupont; fils"']
    params = build_body(get_endpoint("Clients"), batch, options)["importer_clients"]["parametres"]
    assert params["identificateur_texte"] == '"'


def test_blocking_cells_refuse_to_build() -> None:
    """build_batches raises rather than send a line the validation refused."""
    data = read_sheet([CLIENTS[:3], ["C1", "411C1", "Dupont; fils"]], get_endpoint("Clients"),
                      sheet="Clients")
    with pytest.raises(ValueError, match="row 2"):
        build_batches(data, Options())
    assert build_batches(data, Options(), skip_rows={2}) == []


def one_batch() -> Batch:
    return Batch(1, 1, "RPT_COMPTE;RPT_LIB;RPT_TYPE", ["6;Charges;R"], [2])


@pytest.mark.parametrize(
    ("password", "mask", "expected"),
    [
        pytest.param("s3cret", True, MASK, id="masked"),
        pytest.param("", True, "", id="empty-stays-empty"),
        pytest.param("s3cret", False, "s3cret", id="sent"),
    ],
)
def test_password_masking(password: str, mask: bool, expected: str) -> None:
    """Previews never show the password; an empty one shows as empty."""
    body = build_body(get_endpoint("ComptesReporting"), one_batch(),
                      Options(mot_passe=password), mask_password=mask)
    assert body["importer_comptes_reporting"]["societe"]["mot_passe"] == expected


def test_tester_only_when_testing_and_supported() -> None:
    """tester: "Oui" when testing; left out otherwise; refused where Gestimum has no test."""
    ep = get_endpoint("Prospects")
    batch = Batch(1, 1, "PCF_CODE;PCF_RS", ["P1;X"], [2])
    assert "tester" not in build_body(ep, batch, Options())["importer_prospects"]["parametres"]
    params = build_body(ep, batch, Options(test=True))["importer_prospects"]["parametres"]
    assert list(params)[-1] == "tester" and params["tester"] == "Oui"
    with pytest.raises(ValueError, match="no test mode"):
        build_body(get_endpoint("ComptesReporting"), one_batch(), Options(test=True))


def test_endpoint_parameters_are_passed_when_declared() -> None:
    """Endpoint-specific parameters are sent only to endpoints that document them."""
    options = Options(params={"calculer_code_tiers": "Oui", "simulation": "Oui"})
    batch = Batch(1, 1, "CPT_NUMERO;CPT_LIB;CPT_TYPE", ["411X;X;C"], [2])
    params = build_body(get_endpoint("Comptes"), batch, options)["importer_comptes"]["parametres"]
    assert params["calculer_code_tiers"] == "Oui" and "simulation" not in params


def test_ecritures_body_and_optional_parameters() -> None:
    """Ecritures: format, lines, tester always; simulation & co only when set."""
    ep = get_endpoint("Ecritures")
    batch = Batch(1, 1, None, ["1,19/02/2019,VTE,411,,,F1,,10,D"], [2])
    options = Options(params={"simulation": "Oui", "plan_analytique": "P1"})
    params = build_body(ep, batch, options)["importer_ecritures"]["parametres"]
    assert list(params) == ["journal", "statistiques", "format", "fichier_ecritures", "tester",
                            "simulation", "plan_analytique"]
    assert params["tester"] == "Non"
    with pytest.raises(ValueError, match="GestimumComptaVariable"):
        build_body(ep, batch, Options(params={"format": "EBPV3"}))


def test_line_digest_covers_the_lines_sent() -> None:
    """The digest is the SHA-256 of the file lines (header included) joined by newlines."""
    batch = one_batch()
    expected = hashlib.sha256(b"RPT_COMPTE;RPT_LIB;RPT_TYPE\n6;Charges;R").hexdigest()
    assert line_digest(batch) == expected
    assert line_digest(Batch(1, 1, None, ["a"], [2])) == hashlib.sha256(b"a").hexdigest()


def test_batch_size_must_be_positive() -> None:
    """A zero batch size is a programming error."""
    with pytest.raises(ValueError):
        build_batches(sheet("Clients", CLIENTS[:3], ["C1", "411C1", "Un"]), Options(batch_size=0))
