"""Writing the lines that passed: the upsert of keyed records and their per-row special cases.

The common case (every line passed, nothing to compute) is one `executemany` straight from the
columns; auto-numbered keys, account codes and login users need a per-row pass.
"""

from __future__ import annotations

from . import spec
from .columns import Columns, LineReport
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
    if not report.reasons and name not in spec.AUTO_NUMBERED and name not in SPECIAL_WRITES:
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
    company.upsert(name, header, rows)
    if name == "Utilisateurs" and "USR_NAME" in idx:
        # Imported users can log in to the sandbox, as they could to Gestimum.
        j_name, j_pwd = idx["USR_NAME"], idx.get("USR_PASSWD")
        for r in rows:
            if j_pwd is not None:
                company.set_user(r[j_name], r[j_pwd])
            else:
                company.conn.execute(
                    "INSERT OR IGNORE INTO _users (code, password) VALUES (?, '')", (r[j_name],)
                )


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
