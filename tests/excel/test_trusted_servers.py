"""Trusted servers in Excel: a shared workbook cannot send the password to a server of its own
choosing without the user's say-so; plain http to another machine is said out loud."""

from __future__ import annotations

from typing import Any

import pytest

from addin import macros
from addin.io import user_config

from .conftest import BookFactory, MemoryKeyring

FOREIGN = "http://gestimum.invalid:8080"  # not loopback; resolves nowhere, fails fast


def _asked_trust(book: Any) -> list[dict[str, Any]]:
    return [a for a in book.app.alerts if a["title"].endswith("nouveau serveur")]


def test_a_server_named_only_by_the_workbook_is_confirmed_before_any_password(
        make_book: BookFactory, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    monkeypatch.delenv("GESTIMUM_MOT_PASSE")
    book = make_book(2, server=FOREIGN)
    book.app.answers = ["no"]
    result = macros.importer(book)
    assert not result.ok and "non confirmé" in result.message
    [question] = _asked_trust(book)
    assert question["buttons"] == "yes_no" and "gestimum.invalid:8080" in question["prompt"]
    assert "DEMO.Gestimum" in question["prompt"] and "non chiffrée" in question["prompt"]
    assert not book.app.prompts  # no password was even asked for
    assert user_config.known_servers() == frozenset()


def test_a_confirmed_server_is_known_from_then_on(make_book: BookFactory) -> None:
    book = make_book(2, server=FOREIGN)
    book.app.answers = ["yes"]
    result = macros.importer(book)
    assert "injoignable" in result.message  # it went on: the server is just not there
    assert user_config.known_servers() == {"http://gestimum.invalid:8080"}
    again = make_book(2, server=FOREIGN + "/")  # another workbook, same server
    macros.importer(again)
    assert not _asked_trust(again)


def test_loopback_and_default_servers_are_never_questioned(make_book: BookFactory,
                                                          sandbox: Any) -> None:
    book = make_book(2)  # the sandbox on 127.0.0.1
    assert macros.importer(book).ok and not _asked_trust(book)
    assert user_config.known_servers() == frozenset()  # nothing to remember


def test_the_parametres_dialog_is_where_the_user_types_the_server(
        make_book: BookFactory, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    monkeypatch.delenv("GESTIMUM_MOT_PASSE")
    book = make_book(1, server="http://localhost:8080")
    book.app.inputs = [FOREIGN, "s3cret"]
    result = macros.connexion(book)
    assert result.ok and "non chiffrée" in result.message  # the http warning, visible
    assert book.sheet("Connexion").cells[(2, 2)] == FOREIGN  # written into the sheet
    assert user_config.known_servers() == {"http://gestimum.invalid:8080"}
    assert FOREIGN in book.app.prompts[1] and "DEMO.Gestimum" in book.app.prompts[1]
    book.app.answers = []
    macros.importer(book)
    assert not _asked_trust(book)  # typed by the user: no confirmation


def test_passwords_are_kept_per_server_company_and_user(
        make_book: BookFactory, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    from addin.io.credentials import get_password, store_password

    assert store_password("http://srv:8080", "A.Gestimum", "DEMO", "un")
    assert store_password("HTTP://SRV:8080/", "B.Gestimum", "DEMO", "deux")
    assert store_password("https://srv:8080", "A.Gestimum", "DEMO", "trois")
    monkeypatch.delenv("GESTIMUM_MOT_PASSE")
    assert get_password("http://srv:8080/", "A.Gestimum", "DEMO") == "un"
    assert get_password("http://srv:8080", "B.Gestimum", "DEMO") == "deux"
    assert get_password("https://srv:8080", "A.Gestimum", "DEMO") == "trois"
    asked: list[str] = []
    assert get_password("http://srv:8080", "A.Gestimum", "AUTRE",
                        prompt=lambda text: asked.append(text) or "") == ""
    assert "http://srv:8080" in asked[0] and "A.Gestimum" in asked[0] and "AUTRE" in asked[0]


def test_the_connexion_sheet_ca_bundle_is_used_by_the_ribbon(tmp_path: Any) -> None:
    import shutil
    import ssl

    from addin.sandbox import running_sandbox

    from ..pki import make_pki
    from .conftest import PROSPECT_CODES, prospect
    from .fakexw import FakeBook

    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    shutil.copy(pki["ca"], tmp_path / "ca-entreprise.pem")
    with running_sandbox(tls=context) as sandbox:
        for ca, imported in ((None, False), ("ca-entreprise.pem", True)):
            book = FakeBook("Import.xlsx", fullname=str(tmp_path / "Import.xlsx"))
            rows = [["Serveur", sandbox.url]] + ([["Certificat CA", ca]] if ca else [])
            book.add_sheet("Connexion", rows)
            book.add_sheet("Prospects", [PROSPECT_CODES, prospect(1)])
            book.activate("Prospects")
            result = macros.importer(book)
            assert result.ok is imported, result.message
            if not imported:
                assert "certificat non reconnu" in result.message
                assert sandbox.rows("Prospects") == []
        assert [r["PCF_CODE"] for r in sandbox.rows("Prospects")] == ["P1"]
