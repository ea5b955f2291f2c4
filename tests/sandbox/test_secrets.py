"""Passwords: stored as salted hashes, never returned, never echoed (canary values).

A known `USR_PASSWD` and a known company password go through every path that could leak them
(imports, rejections, logins, every `/sandbox/…` read); neither may appear in any answer nor,
in clear, in any file of the data folder.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from addin.sandbox import SandboxHandle, running_sandbox
from addin.sandbox.spec import import_names
from addin.sandbox.store import INTERNAL_TABLES

from .helpers import HTTP, body, imported, journal, post, result

USR_CANARY = "Kq7zW1pXv9"  # 10 characters: USR_PASSWD's maximum length
COMPANY_CANARY = "Zt8-mB2-qL5-canari"
CLIENT_LINES = ["PCF_CODE;PCF_RS;CPT_NUMERO", "SEC1;Secret 1;411SEC1"]


def _every_read(sb: SandboxHandle, fichier: str) -> list[httpx.Response]:
    """Every `/sandbox/…` read answer for one company (each table, pièces, faults, health)."""
    answers = [
        HTTP.get(f"{sb.url}/sandbox/rows", params={"table": table, "fichier": fichier})
        for table in [*import_names(), *INTERNAL_TABLES]
    ]
    answers.append(HTTP.get(f"{sb.url}/sandbox/pieces", params={"fichier": fichier}))
    answers += [HTTP.get(f"{sb.url}/sandbox/{path}") for path in ("faults", "health")]
    answers += [HTTP.get(f"{sb.url}/api/rest/Outils/%22{f}%22") for f in ("Version", "VersionERP")]
    return answers


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_canary_passwords_never_appear_in_answers_nor_in_the_files(
    sandbox: SandboxHandle,
) -> None:
    sandbox.add_company("SOC2.Gestimum", {"COMPTA": COMPANY_CANARY})
    soc2 = {"fichier": "SOC2.Gestimum", "utilisateur": "COMPTA", "mot_passe": COMPANY_CANARY}
    users = [
        "USR_NAME;USR_PASSWD;USR_GROUPE;USR_WSTLCU",
        f"WEB;{USR_CANARY};ADMIN;1",
        f"BAD;{USR_CANARY};ADMIN;7",  # rejected (check box), its password must not be echoed
        f"LONG;{USR_CANARY}{USR_CANARY};ADMIN;1",  # rejected (too long)
    ]
    answers = [
        post(sandbox, "Utilisateurs", body("Utilisateurs", users)),
        post(sandbox, "Utilisateurs", body("Utilisateurs", users, societe=soc2)),
        post(sandbox, "Clients", body("Clients", CLIENT_LINES, societe=soc2)),
        # wrong passwords: the 403 must not quote what was sent
        post(sandbox, "Clients", body("Clients", CLIENT_LINES, societe={"mot_passe": USR_CANARY})),
        post(sandbox, "Clients", body("Clients", CLIENT_LINES, societe={
            "utilisateur": "WEB", "mot_passe": COMPANY_CANARY,
        })),
    ]
    assert imported(result(answers[0])) == (1, 2)
    assert [a.status_code for a in answers[2:]] == [200, 403, 403]
    login = body("Clients", CLIENT_LINES, societe={"utilisateur": "WEB", "mot_passe": USR_CANARY})
    answers.append(post(sandbox, "Clients", login))
    assert answers[-1].status_code == 200  # the imported user logs in with its password
    for fichier in ("DEMO.Gestimum", "SOC2.Gestimum"):
        answers += _every_read(sandbox, fichier)
    assert all(a.status_code == 200 for a in answers if "sandbox" in str(a.url))
    for answer in answers:
        assert USR_CANARY not in answer.text, answer.url
        assert COMPANY_CANARY not in answer.text, answer.url
    python_side = [sandbox.rows(t, fichier=f) for t in ("Utilisateurs", "Utilisateurs_sandbox")
                   for f in ("DEMO.Gestimum", "SOC2.Gestimum")]
    assert USR_CANARY not in repr(python_side) and COMPANY_CANARY not in repr(python_side)
    assert sandbox.rows("Utilisateurs")[-1] == {
        "USR_NAME": "WEB", "USR_PASSWD": "********", "USR_GROUPE": "ADMIN", "USR_WSTLCU": "1",
    }
    for name, data in _files(sandbox.data_dir).items():
        for canary in (USR_CANARY, COMPANY_CANARY):
            assert canary.encode() not in data, name
            assert canary.encode("utf-16-le") not in data, name


def test_stored_passwords_are_salted_hashes(sandbox: SandboxHandle) -> None:
    sandbox.add_company("SOC3.Gestimum", {"A": "meme", "B": "meme"})
    lines = ["USR_NAME;USR_PASSWD", "U1;meme", "U2;meme"]
    result(post(sandbox, "Utilisateurs", body("Utilisateurs", lines)))
    conn = sqlite3.connect(sandbox.data_dir / "SOC3.Gestimum.sqlite")
    soc3 = [r[0] for r in conn.execute("SELECT password_hash FROM _users ORDER BY code")]
    conn.close()
    conn = sqlite3.connect(sandbox.data_dir / "DEMO.Gestimum.sqlite")
    demo = dict(conn.execute("SELECT code, password_hash FROM _users"))
    table = [r[0] for r in conn.execute('SELECT USR_PASSWD FROM "Utilisateurs" ORDER BY USR_NAME')]
    conn.close()
    hashes = [*soc3, demo["U1"], demo["U2"]]
    assert all(h.startswith("scrypt$") for h in hashes), hashes
    assert len(set(hashes)) == 4  # the same password, four salts
    assert [demo["U1"], demo["U2"]] == table  # one hash per user, in both places


def test_empty_password_keeps_the_stored_one_and_a_new_one_replaces_it(
    sandbox: SandboxHandle,
) -> None:
    def log_in(password: str) -> int:
        societe = {"utilisateur": "WEB", "mot_passe": password}
        return post(sandbox, "Clients", body("Clients", CLIENT_LINES, societe=societe)).status_code

    header = "USR_NAME;USR_PASSWD;USR_GROUPE"
    result(post(sandbox, "Utilisateurs", body("Utilisateurs", [header, "WEB;s3cret;G1"])))
    result(post(sandbox, "Utilisateurs", body("Utilisateurs", [header, "WEB;;G2"])))
    assert (log_in("s3cret"), log_in("")) == (200, 403)
    assert sandbox.rows("Utilisateurs")[-1]["USR_GROUPE"] == "G2"
    result(post(sandbox, "Utilisateurs", body("Utilisateurs", [header, "WEB;n0uveau;G2"])))
    assert (log_in("s3cret"), log_in("n0uveau")) == (403, 200)
    result(post(sandbox, "Utilisateurs", body("Utilisateurs", ["USR_NAME", "NEUF"])))
    payload = body("Clients", CLIENT_LINES, societe={"utilisateur": "NEUF", "mot_passe": ""})
    assert post(sandbox, "Clients", payload).status_code == 200  # a new user: empty password


def test_characters_the_erp_cannot_store_are_never_quoted_from_a_password(
    sandbox: SandboxHandle,
) -> None:
    lines = ["USR_NAME;USR_PASSWD;USR_GROUPE", "WEB;pw☃x;G1", "WEB2;pw;G☂"]
    res = result(post(sandbox, "Utilisateurs", body("Utilisateurs", lines)))
    text = "\n".join(journal(res))
    assert imported(res) == (0, 2)
    assert "☃" not in text and "pw" not in text
    assert (
        "Caractères non enregistrables par Gestimum (hors jeu Windows-1252) dans le champ "
        "USR_PASSWD (Mot de passe) (valeur masquée)."
    ) in text
    assert "Caractères non enregistrables par Gestimum (hors jeu Windows-1252) : ☂" in text


def test_a_database_from_an_older_sandbox_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "ANCIEN.Gestimum.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _users (code TEXT PRIMARY KEY, password TEXT NOT NULL DEFAULT '')")
    conn.execute("INSERT INTO _users VALUES ('OLD', 'Pl41nOld!'), ('VIDE', '')")
    conn.commit()
    conn.close()
    with running_sandbox(tmp_path) as sb:
        def log_in(user: str, password: str) -> int:
            societe = {"fichier": "ANCIEN.Gestimum", "utilisateur": user, "mot_passe": password}
            return post(sb, "Clients", body("Clients", CLIENT_LINES, societe=societe)).status_code

        assert [log_in("OLD", "Pl41nOld!"), log_in("OLD", ""), log_in("VIDE", "")] == [
            200, 403, 200,
        ]
        files = _files(tmp_path)
    assert not [name for name, data in files.items() if b"Pl41nOld!" in data]
