"""SQLite persistence of the sandbox: one database file per company under the data folder.

Each import endpoint gets a table with one TEXT column per field ever sent (empty string when
not sent), keyed by its update keys, so that a whole request is one `executemany` upsert.
Documents and accounting entries get their own tables (pièces, lines, due dates, analytic
lines); `_users` and `_numbering` hold the company's settings.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import spec
from .passwords import MASK, hash_password, is_hash

DEFAULT_FOLDER = "C:\\ProgramData\\Gestimum"
SUFFIX = ".sqlite"

DOCUMENTS = ("DocumentsVente", "DocumentsAchat", "DocumentsStock")

# Pièce prefix per endpoint and sub-type (DOC_STYPE); numbers read <prefix><yy>-<00000>.
PREFIXES: dict[str, dict[str, str]] = {
    "DocumentsVente": {
        "P": "PRO", "D": "DEV", "C": "ARC", "B": "BL", "R": "RET",
        "F": "FAC", "A": "AV", "0": "AVF", "1": "FAF",
    },
    "DocumentsAchat": {
        "D": "DPF", "C": "BCF", "B": "BLF", "R": "RTF",
        "F": "FCF", "A": "AVO", "0": "AFF", "1": "FFF",
    },
    "DocumentsStock": {"E": "ENT", "S": "SOR", "T": "TRF", "O": "ASS", "M": "ECS", "X": "PER"},
}

_INTERNAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS _company (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _users (code TEXT PRIMARY KEY, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _numbering (
    endpoint TEXT NOT NULL, stype TEXT NOT NULL, prefix TEXT NOT NULL, next INTEGER NOT NULL,
    PRIMARY KEY (endpoint, stype));
CREATE TABLE IF NOT EXISTS _pieces (
    id INTEGER PRIMARY KEY, endpoint TEXT NOT NULL, numero TEXT NOT NULL UNIQUE,
    stype TEXT NOT NULL, pcf_code TEXT NOT NULL, doc_date TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _journaux (code TEXT PRIMARY KEY, libelle TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _plans_analytiques (code TEXT PRIMARY KEY, libelle TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _ecritures (
    id INTEGER PRIMARY KEY, entry INTEGER NOT NULL, line INTEGER NOT NULL, date TEXT NOT NULL,
    journal TEXT NOT NULL, compte TEXT NOT NULL, libelle TEXT NOT NULL, piece TEXT NOT NULL,
    devise TEXT NOT NULL, montant TEXT NOT NULL, sens TEXT NOT NULL, echeance TEXT NOT NULL,
    reglement TEXT NOT NULL, simulation INTEGER NOT NULL, format TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _echeances (
    id INTEGER PRIMARY KEY, ecriture INTEGER NOT NULL, date TEXT NOT NULL,
    reglement TEXT NOT NULL, pourcentage TEXT NOT NULL, montant TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _analytiques (
    id INTEGER PRIMARY KEY, ecriture INTEGER NOT NULL, plan TEXT NOT NULL, section TEXT NOT NULL,
    pourcentage TEXT NOT NULL, montant TEXT NOT NULL);
"""

# Names accepted by `rows()` besides the endpoint names.
INTERNAL_TABLES = {
    "Ecritures": "_ecritures",
    "Echeances": "_echeances",
    "Analytiques": "_analytiques",
    "Journaux": "_journaux",
    "PlansAnalytiques": "_plans_analytiques",
    "Pieces": "_pieces",
    "Utilisateurs_sandbox": "_users",
}


def company_name(fichier: str) -> str:
    """The connection file name without its folder (`C:\\x\\DEMO.Gestimum` → `DEMO.Gestimum`)."""
    return fichier.replace("/", "\\").rsplit("\\", 1)[-1]


def company_path(fichier: str) -> str:
    """The path the journal shows: a bare name is looked up in C:\\ProgramData\\Gestimum."""
    if "\\" in fichier or "/" in fichier:
        return fichier
    return f"{DEFAULT_FOLDER}\\{fichier}"


def quote(name: str) -> str:
    """A safely quoted SQL identifier (field codes are plain, custom ones come from clients)."""
    return '"' + name.replace('"', '""') + '"'


class Company:
    """One company database; writes happen under the company's task lock (one task at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name[: -len(SUFFIX)]
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL: readers (the /sandbox/ endpoint, tests) never block the running task.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._upgrade_users()
        self.conn.executescript(_INTERNAL_SCHEMA)
        self._columns: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    def _upgrade_users(self) -> None:
        """Hash the plain-text passwords of a database written by an older sandbox, in place."""
        cols = {r[1] for r in self.conn.execute("PRAGMA table_info(_users)")}
        if "password" not in cols:
            return
        # secure_delete zeroes the freed bytes, the checkpoint empties the WAL: no plain text
        # survives in the files once the upgrade is done.
        self.conn.execute("PRAGMA secure_delete = ON")
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("ALTER TABLE _users RENAME COLUMN password TO password_hash")
        for code, value in self.conn.execute("SELECT code, password_hash FROM _users").fetchall():
            if not is_hash(value):
                self.conn.execute(
                    "UPDATE _users SET password_hash = ? WHERE code = ?",
                    (hash_password(value), code),
                )
        self.conn.execute("COMMIT")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("PRAGMA secure_delete = OFF")

    def close(self) -> None:
        self.conn.close()

    def rollback(self) -> None:
        """Roll the task back, and forget cached columns: its CREATE/ALTER are undone too."""
        self.conn.execute("ROLLBACK")
        self._columns.clear()

    # ── schema ──────────────────────────────────────────────────────────────────────────
    def table(self, name: str) -> set[str]:
        """Ensure the endpoint's table exists; return its column names."""
        cols = self._columns.get(name)
        if cols is not None:
            return cols
        es = spec.endpoint_spec(name)
        # Key columns only: the others are added when first sent, so rows stay as narrow as
        # the lines (a Clients row would otherwise carry 85 columns for 7 values).
        defs = ", ".join(f"{quote(c)} TEXT NOT NULL DEFAULT ''" for c in es.keys)
        if es.keys and not es.endpoint.creation_only:
            # Keyed records live in one B-tree ordered by their update key (no rowid, no
            # second index): the upsert costs little more than a plain insert.
            keys = ", ".join(quote(k) for k in es.keys)
            ddl = f"({defs}, PRIMARY KEY ({keys})) WITHOUT ROWID"
        else:
            extra = ", _piece TEXT NOT NULL DEFAULT ''" if name in DOCUMENTS else ""
            ddl = f"(_id INTEGER PRIMARY KEY{', ' + defs if defs else ''}{extra})"
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {quote(name)} {ddl}")
        cols = {r[1] for r in self.conn.execute(f"PRAGMA table_info({quote(name)})")}
        self._columns[name] = cols
        return cols

    def ensure_columns(self, name: str, codes: Iterable[str]) -> None:
        """Add custom-field columns on first use."""
        cols = self.table(name)
        for code in codes:
            if code not in cols:
                self.conn.execute(
                    f"ALTER TABLE {quote(name)} ADD COLUMN {quote(code)} TEXT NOT NULL DEFAULT ''"
                )
                cols.add(code)

    # ── writes ──────────────────────────────────────────────────────────────────────────
    def upsert(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert or update on the update keys; empty values never erase stored ones.

        AdressesTiers is the documented exception: an update replaces the whole address.
        """
        es = spec.endpoint_spec(name)
        self.ensure_columns(name, header)
        cols = ", ".join(quote(c) for c in header)
        marks = ", ".join("?" * len(header))
        sql = f"INSERT INTO {quote(name)} ({cols}) VALUES ({marks})"
        if es.keys and not es.endpoint.creation_only:
            keyset = set(es.keys)
            if name == "AdressesTiers":
                targets = [c for c in self.table(name) if c not in keyset and c != "_id"]
                sets = [f"{quote(c)} = excluded.{quote(c)}" for c in targets]
            else:
                sets = [
                    f"{quote(c)} = CASE WHEN excluded.{quote(c)} = '' THEN {quote(c)} "
                    f"ELSE excluded.{quote(c)} END"
                    for c in header
                    if c not in keyset
                ]
            conflict = ", ".join(quote(k) for k in es.keys)
            sql += f" ON CONFLICT ({conflict}) DO " + (
                "UPDATE SET " + ", ".join(sets) if sets else "NOTHING"
            )
        self.conn.executemany(sql, rows)

    def next_number(self, name: str, key: str) -> int:
        """Next free integer for an auto-numbered key (actions, contacts)."""
        self.table(name)
        row = self.conn.execute(
            f"SELECT MAX(CAST({quote(key)} AS INTEGER)) FROM {quote(name)}"
        ).fetchone()
        return int(row[0] or 0) + 1

    def take_piece_number(self, endpoint: str, stype: str, year: str) -> str:
        """Allocate the next pièce number of this sub-type (counter per company and sub-type)."""
        row = self.conn.execute(
            "SELECT prefix, next FROM _numbering WHERE endpoint = ? AND stype = ?",
            (endpoint, stype),
        ).fetchone()
        if row is None:
            prefix = PREFIXES.get(endpoint, {}).get(stype, "DOC") + year + "-"
            row = (prefix, 1)
            self.conn.execute(
                "INSERT INTO _numbering (endpoint, stype, prefix, next) VALUES (?, ?, ?, ?)",
                (endpoint, stype, prefix, 1),
            )
        prefix, number = row
        while True:
            numero = f"{prefix}{number:05d}"
            number += 1
            if not self.piece_exists(numero):
                break
        self.conn.execute(
            "UPDATE _numbering SET next = ? WHERE endpoint = ? AND stype = ?",
            (number, endpoint, stype),
        )
        return numero

    def piece_exists(self, numero: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM _pieces WHERE numero = ?", (numero,)).fetchone()
            is not None
        )

    # ── reads ───────────────────────────────────────────────────────────────────────────
    def existing(self, table: str, column: str, values: Iterable[str]) -> set[str]:
        """Which of these values exist in `table.column` (for prerequisites)."""
        wanted = list(set(values))
        if not wanted:
            return set()
        if table in spec.import_names():
            self.ensure_columns(table, [column])
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT {quote(column)} FROM {quote(table)} "
                    f"WHERE {quote(column)} IN ({marks})",
                    chunk,
                )
            )
        return found

    def password_hash(self, user: str) -> str | None:
        """The stored hash of a user's password, None for an unknown user."""
        row = self.conn.execute(
            "SELECT password_hash FROM _users WHERE code = ?", (user,)
        ).fetchone()
        return None if row is None else row[0]

    def set_user(self, user: str, password: str = "") -> None:
        """Create or update a login; only a salted hash of the password is stored."""
        self.set_user_hash(user, hash_password(password))

    def set_user_hash(self, user: str, hashed: str, *, replace: bool = True) -> None:
        """Store an already hashed password; `replace=False` keeps an existing user's one."""
        conflict = "UPDATE SET password_hash = excluded.password_hash" if replace else "NOTHING"
        self.conn.execute(
            "INSERT INTO _users (code, password_hash) VALUES (?, ?) "
            f"ON CONFLICT (code) DO {conflict}",
            (user, hashed),
        )


def read_rows(path: Path, table: str) -> list[dict[str, Any]]:
    """Rows of an endpoint or internal table, through a separate read-only connection.

    Endpoint rows only carry the fields that hold a value (empty means "not sent").
    """
    if not path.exists():
        raise KeyError(path.name)
    physical = INTERNAL_TABLES.get(table, table)
    if physical == table and table not in spec.import_names():
        raise KeyError(table)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (physical,)
        ).fetchone()
        if not exists:
            return []
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({quote(physical)})")]
        if "_id" in columns or physical.startswith("_"):
            order = "rowid"
        else:  # keyed records: in update-key order
            order = ", ".join(quote(k) for k in spec.endpoint_spec(table).keys)
        rows = conn.execute(f"SELECT * FROM {quote(physical)} ORDER BY {order}").fetchall()
    finally:
        conn.close()
    if physical == "_users":  # secrets are never returned, not even hashed
        return [{"code": r["code"], "password": MASK} for r in rows]
    if physical.startswith("_"):
        return [dict(r) for r in rows]
    secrets = spec.endpoint_spec(table).secrets
    return [
        {k: MASK if k in secrets else v for k, v in dict(r).items() if k != "_id" and v != ""}
        for r in rows
    ]


def read_pieces(path: Path) -> list[dict[str, Any]]:
    """Every created pièce with its lines, in creation order."""
    pieces = read_rows(path, "Pieces")
    lines: dict[str, list[dict[str, Any]]] = {}
    for endpoint in DOCUMENTS:
        for row in read_rows(path, endpoint):
            lines.setdefault(row.get("_piece", ""), []).append(row)
    for piece in pieces:
        piece.pop("id", None)
        piece["lines"] = lines.get(piece["numero"], [])
    return pieces
