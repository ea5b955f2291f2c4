"""Bring a filled workbook's data sheets up to the current template, never touching data cells.

Per data sheet (found by its Excel Table, named after the endpoint): the label row, the notes of
the code row, the columns' number formats and the data validations are rewritten from the
current catalog; the code row and every cell from the data row down are left as they are.
Fields the current template has and the sheet lacks, and codes the catalog no longer knows, are
listed rather than added or dropped: columns are never moved, so no data cell moves either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.core.catalog import Endpoint, resolve_endpoint
from addin.core.layout import HEADER_ROW, LABEL_ROW, SKIP_PREFIX
from addin.core.versions import template_stamp
from addin.templates.plan import Column, column_plan, field_note, number_format
from addin.templates.sheets import _add_validations, _note


@dataclass
class SheetUpgrade:
    """What changed on one data sheet (French texts are built by ``lines``)."""

    sheet: str
    endpoint: str
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # code, old, new label
    new_fields: list[tuple[str, str]] = field(default_factory=list)  # code, label
    removed: list[str] = field(default_factory=list)  # codes the catalog no longer has
    notes: int = 0  # notes (comments) rewritten
    validations: int = 0  # ranges given the current validation
    skipped: bool = False  # a positional sheet (Écritures), not upgraded

    def lines(self) -> list[str]:
        """The French report of this sheet."""
        if self.skipped:
            return [f"Feuille « {self.sheet} » ({self.endpoint}) : non mise à jour (lignes "
                    "positionnelles) ; copiez vos lignes dans un modèle neuf si besoin."]
        if self.renamed or self.notes or self.validations:
            out = [f"Feuille « {self.sheet} » ({self.endpoint}) : {len(self.renamed)} "
                   f"libellé(s), {self.notes} note(s) et {self.validations} contrôle(s) de "
                   "saisie mis à jour."]
        else:
            out = [f"Feuille « {self.sheet} » ({self.endpoint}) : déjà à jour."]
        out += [f"  libellé renommé {code} : « {old} » → « {new} »"
                for code, old, new in self.renamed]
        out += [f"  nouveau champ disponible {code} ({label}) : non ajouté ; ajoutez la "
                "colonne dans le tableau si vous en avez besoin" for code, label in self.new_fields]
        out += [f"  champ retiré du catalogue : {code} (colonne conservée, à supprimer ou à "
                "préfixer de # pour ne plus l'envoyer)" for code in self.removed]
        return out


def _endpoint_of(ws: Worksheet) -> Endpoint | None:
    for name in ws.tables:
        endpoint = resolve_endpoint(name)
        if endpoint is not None and endpoint.is_import:
            return endpoint
    return None


def _header_codes(ws: Worksheet) -> dict[int, str]:
    """Column index → code written on the code row (blank columns left out)."""
    codes: dict[int, str] = {}
    for cell in ws[HEADER_ROW]:
        if isinstance(cell.value, str) and cell.value.strip():
            codes[cell.column] = cell.value.strip()
    return codes


def _drop_field_validations(ws: Worksheet, field_columns: set[int]) -> None:
    """Remove the validations that cover only columns of known fields (the user's own stay)."""
    kept = []
    for dv in ws.data_validations.dataValidation:
        columns: set[int] = set()
        for ref in str(dv.sqref).split():
            min_col, _, max_col, _ = range_boundaries(ref)
            columns.update(range(min_col or 1, (max_col or min_col or 1) + 1))
        if not columns <= field_columns:
            kept.append(dv)
    ws.data_validations.dataValidation = kept


def upgrade_sheet(wb: Workbook, ws: Worksheet, endpoint: Endpoint) -> SheetUpgrade:
    """Rewrite one data sheet's label row, notes, formats and validations in place."""
    report = SheetUpgrade(ws.title, endpoint.name)
    if endpoint.positional:  # Écritures: one column holds several records' fields; left as is
        report.skipped = True
        return report
    plan = {c.code: c for c in column_plan(endpoint) if c.field is not None}
    codes = _header_codes(ws)
    aligned: list[Column] = []
    for idx in range(1, max(codes, default=0) + 1):
        code = codes.get(idx, "")
        current = plan.get(code)
        if current is None:
            if code and not code.startswith(SKIP_PREFIX):
                report.removed.append(code)
            aligned.append(Column(code, "", None))
            continue
        assert current.field is not None
        label = ws.cell(LABEL_ROW, idx)
        if label.value != current.label:
            report.renamed.append((code, str(label.value or ""), current.label))
            label.value = current.label
        header = ws.cell(HEADER_ROW, idx)
        text = field_note(endpoint, current.field)
        if header.comment is None or header.comment.text != text:
            report.notes += 1
        header.comment = _note(text)
        ws.column_dimensions[get_column_letter(idx)].number_format = number_format(current.field)
        aligned.append(current)
    present = set(codes.values())
    report.new_fields = [(c.code, c.label) for c in plan.values() if c.code not in present]
    field_columns = {i + 1 for i, c in enumerate(aligned) if c.field is not None}
    before = _rules(ws)
    _drop_field_validations(ws, field_columns)
    _add_validations(wb, ws, endpoint, aligned)
    report.validations = len(_rules(ws) - before)
    return report


def _rules(ws: Worksheet) -> set[tuple[str, str, str]]:
    """Each validated range with its rule, to count what an upgrade changed."""
    return {(ref, str(dv.type), str(dv.formula1)) for dv in ws.data_validations.dataValidation
            for ref in str(dv.sqref).split()}


def upgrade_workbook(wb: Workbook) -> list[SheetUpgrade]:
    """Upgrade every data sheet and stamp the workbook with the current template version."""
    reports = [upgrade_sheet(wb, ws, endpoint) for ws in wb.worksheets
               if (endpoint := _endpoint_of(ws)) is not None]
    stamp = template_stamp()
    props = CustomPropertyList()
    for prop in wb.custom_doc_props.props:
        if prop.name not in stamp:
            props.append(prop)
    for name, value in stamp.items():
        props.append(StringProperty(name=name, value=value))
    wb.custom_doc_props = props
    return reports

