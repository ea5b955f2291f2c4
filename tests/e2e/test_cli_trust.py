"""Trusted servers through the real command line (subprocesses: no terminal, piped answers, and
a pseudo-terminal): a workbook cannot send the password to a server of its own choosing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from addin.io import user_config

from .test_cli import PROSPECTS, make_book

FOREIGN = "http://gestimum.invalid:8080"  # not loopback, resolves nowhere (fails fast)
KNOWN = "http://gestimum.invalid:8080"  # its origin, as kept in the known servers


def _book(tmp_path: Path, server: str = FOREIGN) -> Path:
    return make_book(tmp_path / "partage.xlsx", {"Prospects": PROSPECTS},
                     {"Serveur": server, "Type de serveur": "recette"})


def _cli(*args: str, stdin: int | None = subprocess.DEVNULL,
         data: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GESTIMUM_MOT_PASSE": "", "COLUMNS": "200"}
    command = [sys.executable, "-m", "addin", *args]
    if data is not None:
        return subprocess.run(command, input=data.decode(), capture_output=True, text=True,
                              env=env, timeout=120)
    return subprocess.run(command, stdin=stdin, capture_output=True, text=True, env=env,
                          timeout=120)


def test_without_a_terminal_an_unknown_server_is_refused_saying_how_to_confirm(
        tmp_path: Path) -> None:
    done = _cli("import", str(_book(tmp_path)), "--sheet", "Prospects")
    assert done.returncode == 2, done.stderr
    assert "jamais utilisé sur ce poste" in done.stderr and "rien n'a été envoyé" in done.stderr
    assert "--faire-confiance" in done.stderr and f"--server {FOREIGN}" in done.stderr
    assert "injoignable" not in done.stdout + done.stderr  # no connection was even attempted
    assert user_config.known_servers() == frozenset()


def test_a_piped_yes_is_not_a_confirmation(tmp_path: Path) -> None:
    done = _cli("import", str(_book(tmp_path)), "--sheet", "Prospects", data=b"oui\noui\n")
    assert done.returncode == 2 and "--faire-confiance" in done.stderr
    assert user_config.known_servers() == frozenset()


def test_faire_confiance_confirms_once_and_warns_about_plain_http(tmp_path: Path) -> None:
    book = _book(tmp_path)
    done = _cli("import", str(book), "--sheet", "Prospects", "--faire-confiance")
    assert done.returncode == 3 and "injoignable" in done.stdout + done.stderr  # it went on
    assert "non chiffrée" in done.stderr
    assert user_config.known_servers() == {KNOWN}
    again = _cli("import", str(book), "--sheet", "Prospects")
    assert again.returncode == 3 and "--faire-confiance" not in again.stderr


def test_a_server_typed_with_server_is_known(tmp_path: Path) -> None:
    book = _book(tmp_path, server="http://127.0.0.1:9")
    done = _cli("import", str(book), "--sheet", "Prospects", "--server", FOREIGN)
    assert done.returncode == 3 and "--faire-confiance" not in done.stderr
    assert user_config.known_servers() == {KNOWN}


def test_loopback_servers_need_no_confirmation(tmp_path: Path) -> None:
    done = _cli("import", str(_book(tmp_path, server="http://127.0.0.1:9")), "--sheet",
                "Prospects")
    assert done.returncode == 3 and "injoignable" in done.stdout + done.stderr
    assert "non chiffrée" not in done.stderr and user_config.known_servers() == frozenset()


@pytest.mark.parametrize(("answer", "code", "known"), [
    (b"oui\n", 3, {KNOWN}), (b"non\n", 2, frozenset()),
])
def test_at_a_terminal_the_user_is_asked(tmp_path: Path, answer: bytes, code: int,
                                         known: set[str]) -> None:
    try:
        master, slave = pty.openpty()
    except OSError:  # no pseudo-terminals on this machine
        pytest.skip("pas de pseudo-terminal")
    try:
        env = {**os.environ, "GESTIMUM_MOT_PASSE": "", "COLUMNS": "200"}
        process = subprocess.Popen(
            [sys.executable, "-m", "addin", "import", str(_book(tmp_path)), "--sheet",
             "Prospects"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True)
        os.write(master, answer)
        out, err = process.communicate(timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    assert process.returncode == code, err
    assert "gestimum.invalid:8080" in err and "DEMO.Gestimum" in err  # the question names both
    assert user_config.known_servers() == known
