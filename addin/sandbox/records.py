"""Writing the lines that passed: the upsert of keyed records and their per-row special cases.

The common case (every line passed, nothing to compute) is one `executemany` straight from the
columns; auto-numbered keys, account codes and login users need a per-row pass.
"""

from __future__ import annotations

from . import spec
from .columns import Columns, LineReport
from .passwords import hash_password
from .request import ImportRequest
from .store import Company

SPECIAL_WRITES = frozenset({"Comptes", "Utilisateurs"})  # need per-row work when writing


def write_records(
    company: Company, es: spec.EndpointSpec, cols: Columns, report: LineReport,
    req: ImportRequest,
) -> None:
    """Upsert the lines that passed on the endpoint's update keys."""
    name = es.name
    header = list(cols.header)
    if (
        not report.reasons and not es.secrets
        and name not in spec.AUTO_NUMBERED and name not in SPECIAL_WRITES
    ):
        # The common case: every line passed, rows go straight from the columns to SQLite.
        company.upsert(name, header, zip(*cols.columns, strict=True))
        return
    rows = cols.rows(report.reasons)
    idx = dict(cols.idx)
    if name in spec.AUTO_NUMBERED and es.keys:
        key = es.keys[0]
        if key not in idx:
            header.append(key)
            idx[key] = len(header) - 1
            rows = [[*r, ""] for r in rows]
        j = idx[key]
        number = company.next_number(name, key)
        for r in rows:
            if not r[j]:
                r[j] = str(number)
                number += 1
    if name == "Comptes":
        _compute_accounts(idx, rows, req)
    for j in (idx[c] for c in es.secrets if c in idx):
        for r in rows:
            if r[j]:  # only a salted hash is ever stored; empty keeps the stored one (upsert)
                r[j] = hash_password(r[j])
    company.upsert(name, header, rows)
    if name == "Utilisateurs" and "USR_NAME" in idx:
        _store_logins(company, rows, idx["USR_NAME"], idx.get("USR_PASSWD"))


def _store_logins(company: Company, rows: list[list[str]], j_name: int, j_pwd: int | None) -> None:
    """Imported users can log in to the sandbox, as they could to Gestimum.

    An empty password never erases a user's stored one (the upsert rule); a new user without
    one gets the empty password.
    """
    empty: str | None = None
    for r in rows:
        hashed = r[j_pwd] if j_pwd is not None else ""
        if hashed:
            company.set_user_hash(r[j_name], hashed)
        else:
            empty = empty or hash_password("")
            company.set_user_hash(r[j_name], empty, replace=False)


def _compute_accounts(idx: dict[str, int], rows: list[list[str]], req: ImportRequest) -> None:
    """`calculer_code_tiers` / `calculer_numero_compte`: derive one code from the other."""
    j_type, j_num, j_tiers = (idx.get(c) for c in ("CPT_TYPE", "CPT_NUMERO", "PCF_CODE"))
    if j_type is None or j_num is None:
        return
    for r in rows:
        root = {"C": "411", "F": "401"}.get(r[j_type])
        if root is None:
            continue
        if req.flag("calculer_code_tiers") and j_tiers is not None and not r[j_tiers]:
            r[j_tiers] = r[j_num].removeprefix(root)
        if req.flag("calculer_numero_compte") and j_tiers is not None and r[j_tiers]:
            r[j_num] = root + r[j_tiers]
