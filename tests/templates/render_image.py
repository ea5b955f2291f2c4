"""Render the Clients template as docs/images/template-clients.png (LibreOffice + pdftoppm).

Run: `python tests/templates/render_image.py` (needs soffice and pdftoppm). The picture shows a
copy with the documented example row and a row missing its mandatory name (flagged in red);
the committed template itself stays empty.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from addin.core.layout import DATA_ROW, HEADER_ROW

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "images" / "template-clients.png"
ROWS = [
    {
        "PCF_CODE": "C42",
        "CPT_NUMERO": "411C42",
        "PCF_RS": "SPORT25",
        "PCF_RUE": "5 rue Cugnot",
        "PCF_COMP": "ZA Du Pâtis",
        "PCF_CP": "78120",
        "PCF_VILLE": "RAMBOUILLET",
    },
    {"PCF_CODE": "C43", "CPT_NUMERO": "411C43", "PCF_CP": "05000", "PCF_VILLE": "GAP"},
]


def main() -> int:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("soffice et pdftoppm sont nécessaires", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        wb = load_workbook(REPO / "workbook_templates" / "par-endpoint" / "Clients.xlsx")
        for name in wb.sheetnames:
            if name != "Clients":
                del wb[name]
        ws = wb["Clients"]
        cols = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
        for i, row in enumerate(ROWS):
            for code, value in row.items():
                ws.cell(DATA_ROW + i, cols[code], value)
        ws.cell(DATA_ROW + 1, cols["#STATUT"], "Exemple : Raison sociale manquante (en rouge)")
        ws.print_area = f"A1:{ws.cell(1, cols['#STATUT']).column_letter}{DATA_ROW + 3}"
        wb.save(work / "Clients.xlsx")
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(work / 'p').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(work / "Clients.xlsx"),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "130",
                "-png",
                "-singlefile",
                "-f",
                "1",
                "-l",
                "1",
                "-x",
                "60",
                "-y",
                "110",
                "-W",
                "1420",
                "-H",
                "105",
                str(work / "Clients.pdf"),
                str(work / "page"),
            ],
            check=True,
        )
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "page.png", OUT)
    print(f"Image écrite : {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
