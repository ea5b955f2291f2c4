"""openpyxl builders of the template sheets: data sheets, Connexion, Résultats, Journal, Lisez-moi.

Everything a finance user needs without Python is in the cells: labels, mandatory marks, notes,
drop-down lists, text-formatted code columns, and conditional formats that flag gaps.
"""

from __future__ import annotations

from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from addin.core.catalog import Endpoint, Field
from addin.core.connexion import CONNEXION_SHEET, DEFAULTS, ENVIRONMENTS, HELP, KEYS, PASSWORD_NOTE
from addin.core.layout import (
    DATA_ROW,
    HEADER_ROW,
    JOURNAL_HEADERS,
    JOURNAL_SHEET,
    LABEL_ROW,
    RESULTATS_HEADERS,
    RESULTATS_SHEET,
)
from addin.templates.plan import Column, column_plan, field_note, number_format, sheet_title
from addin.templates.validations import validation as field_validation

__all__ = [
    "ECRITURES_ROWS",
    "LISTES_SHEET",
    "add_connexion",
    "add_journal",
    "add_resultats",
    "build_sheet",
]

LISTES_SHEET = "Listes"
LAST_ROW = 1_048_576
# The Écritures helper formulas are written on this many rows (the table covers them).
ECRITURES_ROWS = 300
AUTHOR = "gestimum-excel"

_FILL = {
    "label": PatternFill("solid", fgColor="DDEBF7"),
    "entry": PatternFill("solid", fgColor="DDEBF7"),
    "due": PatternFill("solid", fgColor="E2EFDA"),
    "analytic": PatternFill("solid", fgColor="FFF2CC"),
    "helper": PatternFill("solid", fgColor="EDEDED"),
    "missing": PatternFill("solid", fgColor="FFC7CE"),
    "detail": PatternFill("solid", fgColor="F2F2F2"),
    "title": PatternFill("solid", fgColor="1F4E78"),
}
_REQUIRED_FONT = Font(bold=True, color="C00000")
_LABEL_FONT = Font(bold=True, color="1F3864")
_HELPER_FONT = Font(italic=True, color="595959")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")

_HELPER_NOTES = {
    "#STATUT": "Colonne remplie par le complément après chaque envoi : importée, rejetée (avec "
    "la raison), avertissement, pièce créée… Jamais envoyée à Gestimum.",
    "#PIECE": "Pièce de la ligne : journal, date et numéro de pièce. Les lignes d'échéance et "
    "d'analytique reprennent la pièce de l'écriture au-dessus. Formule, jamais envoyée.",
    "#EQUILIBRE": "Total débit moins total crédit de la pièce (lignes dont le sens est D ou C). "
    "Une pièce déséquilibrée est rejetée par Gestimum. Formule, jamais envoyée.",
}


def _note(text: str) -> Comment:
    lines = text.count("\n") + 1 + len(text) // 60
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = min(20 + 15 * lines, 900)
    return comment


def _listes(wb: Workbook) -> Worksheet:
    if LISTES_SHEET in wb.sheetnames:
        return wb[LISTES_SHEET]
    ws = wb.create_sheet(LISTES_SHEET)
    ws.sheet_state = "hidden"
    return ws


def _list_name(wb: Workbook, endpoint: Endpoint, field: Field) -> str:
    """A named range on the hidden Listes sheet, for lists too long for a list formula."""
    name = f"Liste_{endpoint.name}_{field.code}"
    if name in wb.defined_names:
        return name
    ws = _listes(wb)
    col = ws.max_column + 1 if ws.max_row > 1 or ws["A1"].value is not None else 1
    letter = get_column_letter(col)
    ws.cell(1, col, name).font = Font(bold=True)
    ws.cell(1, col + 1, "Libellé").font = Font(bold=True)
    for i, choice in enumerate(field.choices, start=2):
        ws.cell(i, col, choice.code).number_format = "@"
        ws.cell(i, col + 1, choice.label)
    ref = f"{quote_sheetname(LISTES_SHEET)}!${letter}$2:${letter}${len(field.choices) + 1}"
    wb.defined_names[name] = DefinedName(name, attr_text=ref)
    return name


def _add_validations(
    wb: Workbook,
    ws: Worksheet,
    endpoint: Endpoint,
    columns: list[Column],
) -> None:
    # One DataValidation per distinct rule, covering every column that uses it.
    rules: dict[tuple, DataValidation] = {}
    for idx, col in enumerate(columns, start=1):
        if col.field is None:
            continue
        spec = field_validation(col.field)
        if spec is None:
            continue
        formula1 = spec.formula1 if spec.inline else f"={_list_name(wb, endpoint, col.field)}"
        key = (spec.type, formula1, spec.formula2, spec.operator, spec.error)
        dv = rules.get(key)
        if dv is None:
            dv = DataValidation(
                type=spec.type,
                formula1=formula1.lstrip("=") if not spec.inline else formula1,
                formula2=spec.formula2,
                operator=spec.operator,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle="Valeur non permise",
                error=spec.error,
            )
            rules[key] = dv
            ws.add_data_validation(dv)
        letter = get_column_letter(idx)
        dv.add(f"{letter}{DATA_ROW}:{letter}{LAST_ROW}")


def _missing_rule(ws: Worksheet, letters: list[str], first: str, last: str) -> None:
    """Red fill on an empty mandatory cell of a row where any of first..last is filled."""
    for letter in letters:
        formula = f'AND({letter}{DATA_ROW}="",COUNTA(${first}{DATA_ROW}:${last}{DATA_ROW})>0)'
        ws.conditional_formatting.add(
            f"{letter}{DATA_ROW}:{letter}{LAST_ROW}",
            FormulaRule(
                formula=[formula],
                fill=_FILL["missing"],
                font=Font(color="9C0006"),
                stopIfTrue=False,
            ),
        )


def build_sheet(wb: Workbook, endpoint: Endpoint) -> Worksheet:
    """Add the data sheet of one endpoint to an openpyxl workbook and return it.

    Reused by the Excel "Nouvelle feuille" action; refuses a second sheet for the same endpoint,
    because the Table name is how the add-in knows which import a sheet feeds.
    """
    if not endpoint.is_import:
        raise ValueError(f"{endpoint.name} n'est pas une requête d'import.")
    title = sheet_title(endpoint)
    for existing in wb.worksheets:
        if endpoint.name in existing.tables or existing.title == title:
            raise ValueError(
                f"Le classeur contient déjà une feuille « {existing.title} » pour {endpoint.name}."
            )
    ws = wb.create_sheet(title)
    if RESULTATS_SHEET in wb.sheetnames:  # keep data sheets before the ledger sheets
        wb.move_sheet(ws, offset=wb.sheetnames.index(RESULTATS_SHEET) - wb.sheetnames.index(title))
    columns = column_plan(endpoint)
    last_row = DATA_ROW + (ECRITURES_ROWS - 1 if endpoint.positional else 0)

    ws.row_dimensions[LABEL_ROW].height = 45
    hidden_seen = False
    for idx, col in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        label = ws.cell(LABEL_ROW, idx, col.label)
        label.alignment = _WRAP_TOP
        header = ws.cell(HEADER_ROW, idx, col.code)
        # Explicit header style: LibreOffice and printouts ignore Excel's table styles.
        header.font = _HEADER_FONT if col.field is not None else _HELPER_FONT
        header.fill = _FILL["title"] if col.field is not None else _FILL["helper"]
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        if col.field is None:
            label.fill = _FILL["helper"]
            label.font = _HELPER_FONT
            header.comment = _note(_HELPER_NOTES[col.code])
        else:
            label.fill = _FILL[col.section or "label"]
            label.font = _REQUIRED_FONT if col.field.required else _LABEL_FONT
            header.comment = _note(field_note(endpoint, col.field))
            fmt = number_format(col.field)
            dim.number_format = fmt
            for row in range(DATA_ROW, last_row + 1):
                ws.cell(row, idx).number_format = fmt
        if col.hidden:
            dim.outline_level = 1
            dim.hidden = True
            hidden_seen = True
        elif hidden_seen and columns[idx - 2].hidden:
            dim.collapsed = True  # the column holding the outline's "+" button
    last_letter = get_column_letter(len(columns))
    fields_last = get_column_letter(sum(1 for c in columns if c.field is not None))
    if hidden_seen:
        ws.sheet_format.outlineLevelCol = 1
        ws.sheet_properties.outlinePr.summaryRight = True

    table = Table(displayName=endpoint.name, ref=f"A{HEADER_ROW}:{last_letter}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    _add_validations(wb, ws, endpoint, columns)

    if endpoint.positional:
        _ecritures_extras(ws, columns, last_row)
    else:
        required = [
            get_column_letter(i)
            for i, c in enumerate(columns, 1)
            if c.field is not None and c.field.required
        ]
        _missing_rule(ws, required, "A", fields_last)

    ws.freeze_panes = f"B{DATA_ROW}"
    ws.print_title_rows = f"{LABEL_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _ecritures_extras(ws: Worksheet, columns: list[Column], last_row: int) -> None:
    """Pièce key and balance formulas, per-record mandatory checks and pièce separators."""
    letter = {c.code: get_column_letter(i) for i, c in enumerate(columns, start=1)}
    sections: dict[str, list[str]] = {}
    for i, c in enumerate(columns, start=1):
        if c.section:
            sections.setdefault(c.section, []).append(get_column_letter(i))
    e_first, e_last = sections["entry"][0], sections["entry"][-1]
    d_first, d_last = sections["due"][0], sections["analytic"][-1]
    piece, balance = letter["#PIECE"], letter["#EQUILIBRE"]
    jou, date, num = letter["JOU_CODE"], letter["ECR_DATE"], letter["ECR_PIECE"]
    amount, sens = letter["ECR_MONTANT"], letter["ECR_SENS"]

    for r in range(DATA_ROW, last_row + 1):
        entry = f"COUNTA(${e_first}{r}:${e_last}{r})"
        # DAY/MONTH/YEAR rather than TEXT(): TEXT's format codes depend on Excel's language.
        day = (
            f'IF(ISNUMBER(${date}{r}),RIGHT("0"&DAY(${date}{r}),2)&"/"&'
            f'RIGHT("0"&MONTH(${date}{r}),2)&"/"&YEAR(${date}{r}),${date}{r}&"")'
        )
        key = f'TRIM(${jou}{r}&" "&{day}&" "&${num}{r})'
        inherit = (
            f'IF(COUNTA(${d_first}{r}:${d_last}{r})>0,{piece}{r - 1},"")' if r > DATA_ROW else '""'
        )
        ws[f"{piece}{r}"] = f"=IF({entry}>0,{key},{inherit})"
        # An empty direction is a debit, as the check reads it (core.rules.DEFAULT_SENS).
        total = (
            f'SUMIFS(${amount}:${amount},${piece}:${piece},${piece}{r},${sens}:${sens},"D")'
            f'+SUMIFS(${amount}:${amount},${piece}:${piece},${piece}{r},${sens}:${sens},"")'
            f'-SUMIFS(${amount}:${amount},${piece}:${piece},${piece}{r},${sens}:${sens},"C")'
        )
        ws[f"{balance}{r}"] = (
            f'=IF({entry}=0,"",IF(ABS({total})<0.005,"équilibrée","écart : "&ROUND({total},2)))'
        )

    for section in ("entry", "due", "analytic"):
        cols = [c for c in columns if c.section == section]
        first, last = letter[cols[0].code], letter[cols[-1].code]
        required = [letter[c.code] for c in cols if c.field is not None and c.field.required]
        _missing_rule(ws, required, first, last)
    area = f"A{DATA_ROW}:{letter['#STATUT']}{LAST_ROW}"
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[f'AND(${piece}{DATA_ROW}<>"",${piece}{DATA_ROW}<>${piece}{DATA_ROW - 1})'],
            border=Border(top=Side(style="medium", color="1F4E78")),
            stopIfTrue=False,
        ),
    )
    ws.conditional_formatting.add(
        f"{e_first}{DATA_ROW}:{e_last}{LAST_ROW}",
        FormulaRule(
            formula=[
                f"AND(COUNTA(${e_first}{DATA_ROW}:${e_last}{DATA_ROW})=0,"
                f"COUNTA(${d_first}{DATA_ROW}:${d_last}{DATA_ROW})>0)"
            ],
            fill=_FILL["detail"],
            stopIfTrue=False,
        ),
    )


def _title_row(ws: Worksheet, headers: tuple[str, ...], widths: dict[int, float]) -> None:
    for idx, text in enumerate(headers, start=1):
        cell = ws.cell(1, idx, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _FILL["title"]
        cell.alignment = Alignment(vertical="center")
        ws.column_dimensions[get_column_letter(idx)].width = widths.get(idx, 16)
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def add_resultats(wb: Workbook) -> Worksheet:
    """The Résultats ledger sheet: headers only, the add-in appends one row per batch."""
    ws = wb.create_sheet(RESULTATS_SHEET)
    _title_row(ws, RESULTATS_HEADERS, {1: 19, 5: 22, 6: 22, 14: 40, 15: 66})
    return ws


def add_journal(wb: Workbook) -> Worksheet:
    """The Journal sheet: headers only, the add-in appends Gestimum's journal lines."""
    ws = wb.create_sheet(JOURNAL_SHEET)
    _title_row(ws, JOURNAL_HEADERS, {1: 38, 2: 24, 3: 120, 4: 12})
    return ws


def add_connexion(wb: Workbook) -> Worksheet:
    """The Connexion sheet: label/value pairs read by `addin.core.connexion`; never a password."""
    ws = wb.create_sheet(CONNEXION_SHEET)
    _title_row(ws, ("Paramètre", "Valeur", "Aide"), {1: 20, 2: 34, 3: 80})
    ws.freeze_panes = None
    for row, (key, label) in enumerate(KEYS.items(), start=2):
        ws.cell(row, 1, label).font = Font(bold=True)
        default = DEFAULTS[key] or None
        value = ws.cell(row, 2, default)
        value.number_format = "General" if key == "batch_size" else "@"
        value.fill = PatternFill("solid", fgColor="FFFFE0")
        ws.cell(row, 3, HELP[key]).alignment = Alignment(wrap_text=True, vertical="top")
        if key == "batch_size":
            ref = value.coordinate
            dv = DataValidation(
                type="custom",
                formula1=f'OR(LOWER({ref})="auto",AND(ISNUMBER({ref}),{ref}>=1,{ref}<=10000,'
                f"INT({ref})={ref}))",
                showErrorMessage=True,
                errorTitle="Valeur non permise",
                error="auto, ou un nombre entier de lignes entre 1 et 10000.",
            )
            ws.add_data_validation(dv)
            dv.add(value.coordinate)
        if key == "environment":
            dv = DataValidation(
                type="list",
                formula1=f'"{",".join(ENVIRONMENTS)}"',
                showErrorMessage=True,
                errorTitle="Valeur non permise",
                error="production ou recette (serveur de test)",
            )
            ws.add_data_validation(dv)
            dv.add(value.coordinate)
            ref = value.coordinate
            # A visible banner: the target environment must be obvious before any import.
            ws.conditional_formatting.add(
                ref,
                FormulaRule(
                    formula=[f'LOWER({ref})="production"'],
                    fill=PatternFill("solid", fgColor="C00000"),
                    font=Font(bold=True, color="FFFFFF"),
                ),
            )
            ws.conditional_formatting.add(
                ref,
                FormulaRule(
                    formula=[f'LOWER({ref})="recette"'],
                    fill=PatternFill("solid", fgColor="C6EFCE"),
                    font=Font(bold=True, color="006100"),
                ),
            )
    note_row = len(KEYS) + 3
    ws.cell(note_row, 1, PASSWORD_NOTE).font = Font(italic=True, color="595959")
    return ws
