"""Documents (Vente/Achat/Stock): consecutive lines grouped into pièces, numbered and stored.

A pièce is created whole or not at all: one rejected line rejects its pièce.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from addin.core import catalog

from .columns import Columns, LineReport
from .store import Company


def create_pieces(
    company: Company, name: str, cols: Columns, report: LineReport, numbers: Sequence[int],
    write: bool,
) -> list[str]:
    """Group consecutive lines into pièces, reject a pièce whole, number and store the rest."""
    ep = catalog.get_endpoint(name)
    header, idx, rows = cols.header, cols.idx, cols.rows()
    grouping = [c for c in (ep.grouping or ()) if c in idx]
    if "PCF_CODE" in idx and "PCF_CODE" not in grouping:
        grouping.append("PCF_CODE")  # one pièce has one third party
    cols = [idx[c] for c in grouping]
    groups: list[list[int]] = []
    previous: tuple[str, ...] | None = None
    for i, r in enumerate(rows):
        key = tuple(r[j] for j in cols)
        if key != previous or not groups:
            groups.append([])
        groups[-1].append(i)
        previous = key
    created: list[str] = []
    year_row = company.conn.execute(
        "SELECT value FROM _company WHERE name = 'numbering_year'"
    ).fetchone()
    year = year_row[0] if year_row else datetime.now().strftime("%y")
    if "DOC_STYPE" not in idx:
        return []  # a missing mandatory column has already rejected every line
    j_piece, j_stype = idx.get("DOC_PIECE"), idx["DOC_STYPE"]
    for group in groups:
        bad = [i for i in group if i in report.reasons]
        if bad:
            for i in group:
                if i not in report.reasons:
                    report.reject(
                        i, f"La pièce n'a pas été créée : la ligne {numbers[bad[0]]} de la même "
                        "pièce a été rejetée.",
                    )
            continue
        first = rows[group[0]]
        given = first[j_piece] if j_piece is not None else ""
        if given and company.piece_exists(given):
            for i in group:
                report.reject(i, f"La pièce {given} existe déjà.")
            continue
        if not write:
            continue
        numero = given or company.take_piece_number(name, first[j_stype], year)
        pcf = first[idx["PCF_CODE"]] if "PCF_CODE" in idx else ""
        doc_date = first[idx["DOC_DATE"]] if "DOC_DATE" in idx else ""
        company.conn.execute(
            "INSERT INTO _pieces (endpoint, numero, stype, pcf_code, doc_date) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, numero, first[j_stype], pcf, doc_date),
        )
        company.upsert(name, [*header, "_piece"], [[*rows[i], numero] for i in group])
        created.append(numero)
    return created
