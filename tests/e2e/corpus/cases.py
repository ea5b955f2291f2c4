"""A corpus of odd workbooks, as a table: how each file is made and what the CLI must say.

`python -m tests.e2e.corpus.cases OUT_DIR` writes every file (openpyxl) into OUT_DIR; the test
re-saves the plain ones through LibreOffice too. Each case names the command run on it, the
exit code, French fragments the output must hold (sheet!cell addresses included) and
fragments it must never hold (raw control characters, secrets).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.worksheet.table import Table

HEADER = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_VILLE"]
ROW = ["P42", "411P42", "DECAT5", "RAMBOUILLET"]
USR_PASSWD = "Kanari-7Q"  # the secret value the canary checks look for (≤ 10 characters)


@dataclass(frozen=True)
class Case:
    """One odd workbook and what the CLI must do with it."""

    name: str
    build: Callable[[Path], None]
    args: tuple[str, ...] = ("check",)  # command, then options (the path goes after the command)
    exit: int = 2
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    # Also run `import` against a recording server: when blocked, nothing may reach it and
    # the file's bytes must stay the same.
    send: bool = True
    # Re-saved by LibreOffice too (only files LibreOffice can open and keep the oddity of).
    libreoffice: bool = True


def _book(sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    return wb


def _save(wb: openpyxl.Workbook, path: Path) -> None:
    wb.save(path)


def _prospects(*extra: tuple[str, object], fmt: str | None = None) -> Callable[[Path], None]:
    """Prospects sheet with one documented row plus `extra` (code, value) columns."""
    def build(path: Path) -> None:
        wb = _book({"Prospects": [HEADER + [c for c, _ in extra], ROW + [v for _, v in extra]]})
        if fmt is not None:
            wb["Prospects"].cell(2, len(HEADER) + 1).number_format = fmt
        _save(wb, path)
    return build


def table_totals(path: Path) -> None:
    rows = [["PCF_CODE", "PCF_RS", "PCF_REMMIN"], ["C1", "Un", 1], ["C2", "Deux", 1],
            ["Total", 2, 2]]
    wb = _book({"Prospects": rows})
    wb["Prospects"].add_table(Table(displayName="Prospects", ref="A1:C4", totalsRowCount=1))
    wb["Prospects"]["A8"] = "Notes sous le tableau : jamais importées"
    _save(wb, path)


def two_tables(path: Path) -> None:
    wb = _book({"Feuil": [HEADER, ROW, [], [], HEADER, ["P43", "411P43", "AUTRE", "PARIS"]]})
    ws = wb["Feuil"]
    ws.add_table(Table(displayName="Liste1", ref="A1:D2"))
    ws.add_table(Table(displayName="Liste2", ref="A5:D6"))
    _save(wb, path)


def sheets_by_case(path: Path) -> None:
    """Two sheets whose names differ only by case: Excel forbids it, other tools write it
    (openpyxl renames the second one: its name is patched back in workbook.xml)."""
    wb = _book({"PROSPECTS": [HEADER, ["UPPER", "411U", "MAJ", "X"]],
                "prospects": [HEADER, ["LOWER", "411L", "MIN", "X"]]})
    _save(wb, path)
    _patch(path, "xl/workbook.xml", b'name="prospects1"', b'name="prospects"')


def _patch(path: Path, part: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    assert old in parts[part], (part, old)
    parts[part] = parts[part].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def hidden(state: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        wb = _book({"Clients": [["PCF_CODE", "PCF_RS", "CPT_NUMERO"], ["C1", "Un", "411C1"]],
                    "Prospects": [HEADER, ROW]})
        wb["Prospects"].sheet_state = state
        _save(wb, path)
    return build


def invisible_header(path: Path) -> None:
    _save(_book({"Prospects": [["PCF_\u200bCODE", "PCF_RS"], ["P1", "Un"]]}), path)


def merged_header(path: Path) -> None:
    wb = _book({"Prospects": [["PCF_CODE", "PCF_RS", None], ["P1", "Un", "x"]]})
    wb["Prospects"].merge_cells("B1:C1")
    _save(wb, path)


def secret_separator(path: Path) -> None:
    rows = [["USR_NAME", "USR_PASSWD"], ["JDUPONT", USR_PASSWD[:4] + ";" + USR_PASSWD[5:]],
            ["MMARTIN", True]]
    _save(_book({"Utilisateurs": rows}), path)


def no_data_sheet(path: Path) -> None:
    _save(_book({"Feuil1": [["a", "b"], [1, 2]]}), path)


def header_only(path: Path) -> None:
    _save(_book({"Prospects": [HEADER]}), path)


def directory(path: Path) -> None:
    path.mkdir()


def fifo(path: Path) -> None:
    os.mkfifo(path)


def garbage(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 not really a zip " * 40)


def xls_disguised(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)


def encrypted(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    _book({"Prospects": [HEADER, ROW]}).save(plain)
    plain.seek(0)
    with path.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)


def entity_bomb(path: Path) -> None:
    """A Table part holding a 'billion laughs' entity: must be refused, never expanded."""
    table_totals(path)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                       for i in range(8))
            + b']><table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'id="1" name="Prospects" displayName="&i;" ref="A1:C4"/>')
    with zipfile.ZipFile(path) as source:
        table = next(n for n in source.namelist() if n.startswith("xl/tables/"))
        original = source.read(table)
    _patch(path, table, original, bomb)


PAYLOAD = ("payload", "--sheet", "Prospects")

CASES: tuple[Case, ...] = (
    Case("table-totals-row", table_totals, PAYLOAD, 0, says=('"C1;Un;1"', '"C2;Deux;1"'),
         never=("Total", "Notes sous"), send=False),
    Case("below-table", table_totals, ("check",), 0,
         says=("outside-table", "Prospects!8", "sous le tableau « Prospects »", "2 ligne(s)"),
         send=False),
    Case("two-tables", two_tables, ("check", "--sheet", "Feuil", "--endpoint", "Prospects"),
         says=("several-tables", "Liste1", "Liste2", "plusieurs tableaux")),
    Case("percent-rate", _prospects(("PCF_REMVAL", 0.055), fmt="0.0%"), PAYLOAD, 0,
         says=("RAMBOUILLET;5,5",), send=False),
    Case("percent-not-rate", _prospects(("PCF_REMMIN", 0.05), fmt="0%"),
         says=("percent-format", "Prospects!E2", "5 %")),
    Case("bool-in-text", _prospects(("PCF_RUE", True)),
         says=("boolean-in-text", "Prospects!E2", "VRAI")),
    Case("number-1e308", _prospects(("PCF_REMMIN", 1e308)),
         says=("number-too-big", "Prospects!E2")),
    Case("datetime-in-date", _prospects(("PCF_DATIMM", dt.datetime(2024, 5, 2, 14, 30))),
         ("check",), 0, says=("time-ignored", "Prospects!E2", "14:30"), send=False),
    Case("date-1850", _prospects(("PCF_DATIMM", dt.datetime(1850, 3, 1))),
         says=("date-out-of-range", "Prospects!E2", "01/01/1900")),
    Case("nfd-accents", _prospects(("PCF_RUE", "Cre\u0301che")), PAYLOAD, 0,
         says=("Cr\u00e9che",), never=("e\u0301",), send=False),
    # openpyxl refuses control characters; OOXML escapes them as _xHHHH_ (as Excel writes them).
    Case("control-characters", _prospects(("PCF_RUE", "_x001B_]0;pwned_x0007__x001B_[2J")),
         says=("unsupported-character", "Prospects!E2", "\\x1b"), never=("\x1b", "\x07")),
    Case("zero-width-header", invisible_header, ("check",), 0,
         says=("invisible-character", "U+200B", "Prospects!A1"), never=("\u200b",),
         send=False),
    Case("merged-header", merged_header, says=("merged-header", "Prospects!B1", "B1:C1")),
    # LibreOffice renames one of two sheets differing by case, as Excel would refuse them.
    Case("exact-sheet-name", sheets_by_case, ("check", "--sheet", "prospects"), 0,
         says=("prospects → Prospects",), never=("PROSPECTS →",), send=False,
         libreoffice=False),
    Case("ambiguous-sheet-name", sheets_by_case, ("check", "--sheet", "Prospects"),
         says=("Plusieurs feuilles correspondent", "PROSPECTS", "prospects"),
         libreoffice=False),
    Case("hidden-sheet", hidden("hidden"), ("check",), 0,
         says=("« Prospects » masquée : ignorée", "Clients → Clients"),
         never=("Prospects → Prospects",), send=False),
    # LibreOffice has no "very hidden" state: it saves such a sheet as merely hidden.
    Case("very-hidden-sheet", hidden("veryHidden"), ("check",), 0,
         says=("très masquée : ignorée",), never=("Prospects → Prospects",), send=False,
         libreoffice=False),
    Case("hidden-sheet-named", hidden("hidden"), ("check", "--sheet", "Prospects"), 0,
         says=("Prospects → Prospects",), send=False),
    Case("secret-with-separator", secret_separator,
         says=("Utilisateurs!B2", "USR_PASSWD", "********", "Utilisateurs!B3"),
         never=(USR_PASSWD[:4] + ";", USR_PASSWD[5:])),
    Case("no-data-sheet", no_data_sheet, says=("Aucune feuille de données",)),
    Case("header-only", header_only, ("check",), 0, says=("0 ligne(s)",), send=False),
    Case("directory", directory, says=("est un dossier",), libreoffice=False),
    Case("fifo", fifo, says=("n'est pas un fichier ordinaire",), libreoffice=False),
    Case("garbage", garbage, says=("n'est pas un classeur Excel .xlsx lisible",),
         libreoffice=False),
    Case("xls-disguised", xls_disguised, says=("Excel 97-2003",), libreoffice=False),
    Case("encrypted", encrypted, says=("mot de passe", "enregistrez une copie sans mot de passe"),
         libreoffice=False),
    Case("entity-bomb", entity_bomb, says=("XML dangereux",), libreoffice=False),
)


def build_corpus(out: Path) -> dict[str, Path]:
    """Write every case's file into `out`; case name → path given to the CLI."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in CASES:
        path = out / f"{case.name}.xlsx"
        case.build(path)
        paths[case.name] = path
    return paths


if __name__ == "__main__":
    for name, path in build_corpus(Path(sys.argv[1])).items():
        print(f"{name}\t{path}")
