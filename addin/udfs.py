"""Worksheet functions GESTIMUM_*: list an endpoint's fields, preview a row's line, check a row.

Offline and pure: the same core code as the real import (sheet reading, value formatting,
validation), never the network. On Linux the xlwings decorators are no-ops, so these stay plain
functions on lists; errors come back as a readable `#GESTIMUM: …` text, never an exception.

In Excel, xlwings turns each annotation and ``@xw.arg``/``@xw.ret`` option into a converter that
runs outside these functions (tests/excel/test_udfs_xlwings.py runs them through it): a return
annotation must name one type xlwings knows (a union breaks every call, hence ``Any``), and an
option must accept every shape a user may select.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import xlwings as xw

from addin.core.catalog import Endpoint, get_endpoint, import_endpoints, resolve_endpoint
from addin.core.issues import Issue, Severity
from addin.excel.xlam.ribbon import UDFS

__all__ = ["ERROR_PREFIX", "GESTIMUM_CHAMPS", "GESTIMUM_CONTROLE", "GESTIMUM_LIGNE", "KIND_LABELS"]

ERROR_PREFIX = "#GESTIMUM: "
KIND_LABELS = {
    "text": "Texte",
    "memo": "Texte long",
    "int": "Entier",
    "decimal": "Nombre décimal",
    "amount": "Montant",
    "date": "Date (jj/mm/aaaa)",
    "datetime": "Date et heure",
    "bool": "Case à cocher (0/1)",
}
CHAMPS_HEADER = ["Code", "Libellé", "Type", "Longueur max", "Obligatoire"]
# The longest text a function may return: Excel shows #VALUE! beyond a cell's limit.
MAX_CELL_TEXT = 32767
_DOCS = {udf.name: dict(zip(udf.args, udf.arg_docs, strict=True)) for udf in UDFS}
F = TypeVar("F", bound=Callable[..., Any])


class _UdfError(Exception):
    """A problem to show in the cell (French), not a bug."""


def _readable_errors(func: F) -> F:
    """Excel shows a Python exception as an opaque #VALUE!: answer with a French text instead."""

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return _fit(func(*args))
        except _UdfError as exc:
            return _fit(ERROR_PREFIX + str(exc))
        except Exception as exc:  # a bug: still a readable cell, with what went wrong
            return _fit(f"{ERROR_PREFIX}erreur interne ({type(exc).__name__} : {exc})")

    return wrapper  # type: ignore[return-value]


def _fit(result: Any) -> Any:
    """A text cut to what a cell can show (a long list of issues), marked with an ellipsis."""
    if isinstance(result, str) and len(result) > MAX_CELL_TEXT:
        return result[: MAX_CELL_TEXT - 1] + "…"
    return result


def _endpoint(name: object) -> Endpoint:
    text = "" if name is None else str(name).strip()
    found = resolve_endpoint(text) if text else None
    if found is None:
        try:
            found = get_endpoint(text)
        except KeyError:
            found = None
    if found is None or not found.is_import:
        names = ", ".join(e.name for e in import_endpoints())
        raise _UdfError(f"service « {text} » inconnu. Services : {names}")
    return found


def _flat(value: object) -> list[object]:
    """A range as a flat list, whatever its shape (row, column, single cell, 2-D block)."""
    if isinstance(value, (list, tuple)):
        out: list[object] = []
        for item in value:
            out.extend(_flat(item) if isinstance(item, (list, tuple)) else [item])
        return out
    return [value]


def _read_row(endpoint_name: object, entetes: object, valeurs: object) -> Any:
    """The (headers, values) pair read exactly as a two-row sheet: header row 1, data row 2."""
    from addin.core.sheet import read_sheet

    endpoint = _endpoint(endpoint_name)
    headers, values = _flat(entetes), _flat(valeurs)
    if len(values) > len(headers):
        raise _UdfError(f"{len(values)} valeurs pour {len(headers)} en-têtes : sélectionnez des "
                        "plages de même largeur")
    values += [None] * (len(headers) - len(values))
    data = read_sheet([headers, values], endpoint, sheet="", first_row=1, first_col=1)
    if data.header_row is None:
        example = ", ".join(endpoint.field_codes[:3])
        raise _UdfError(f"les en-têtes ne sont pas des codes de champs de {endpoint.name} "
                        f"(par exemple {example}) : sélectionnez la ligne des codes")
    return data


def _describe(issue: Issue) -> str:
    # Most messages already name their field; prefix it only when they do not.
    where = f"{issue.field} : " if issue.field and issue.field not in issue.message else ""
    return where + issue.message


def _issues(data: Any) -> list[Issue]:
    from addin.core.validate import validate

    return validate(data)


@xw.func
@xw.arg("endpoint", err_to_str=True, doc=_DOCS["GESTIMUM_CHAMPS"]["endpoint"])
@_readable_errors
def GESTIMUM_CHAMPS(endpoint: Any) -> Any:  # noqa: N802 - Excel name
    """Fields of an import endpoint: code, label, type, max length, mandatory.

    A rectangle (or an error text): it spills in Excel 365/2021 and fills an array formula
    (Ctrl+Maj+Entrée over a selected block) in Excel 2016/2019. Not xlwings' ``expand``: that
    legacy resizing overwrites neighbouring cells without asking and must not be used where
    Excel spills natively.
    """
    found = _endpoint(endpoint)
    rows: list[list[object]] = [list(CHAMPS_HEADER)]
    from addin.core.rules import required_fields

    required = required_fields(found)
    for f in found.fields:
        mandatory = f.required or f.code in required
        rows.append([f.code, f.label, KIND_LABELS.get(f.kind, f.kind),
                     "" if f.max_length is None else f.max_length, "Oui" if mandatory else "Non"])
    return rows


@xw.func
@xw.arg("endpoint", err_to_str=True, doc=_DOCS["GESTIMUM_LIGNE"]["endpoint"])
@xw.arg("entetes", err_to_str=True, doc=_DOCS["GESTIMUM_LIGNE"]["entetes"])
@xw.arg("valeurs", err_to_str=True, doc=_DOCS["GESTIMUM_LIGNE"]["valeurs"])
@_readable_errors
def GESTIMUM_LIGNE(endpoint: Any, entetes: Any, valeurs: Any) -> str:  # noqa: N802
    """The import line Gestimum would receive for this row (same formatting as the import)."""
    from addin.core.formatted import format_rows
    from addin.core.lines import Options, build_batches
    from addin.core.secret_fields import mask_text

    data = _read_row(endpoint, entetes, valeurs)
    blocking = [i for i in _issues(data) if i.severity is Severity.BLOCKING]
    if blocking:
        raise _UdfError(" ; ".join(_describe(i) for i in blocking))
    if not data.rows:
        return ""
    if data.endpoint.positional:  # Ecritures: positional record built by the entry code
        return _whole_line(build_batches(data, Options())[0].lines[0])
    # Every header column is kept, as in a sheet where each column is filled on some row;
    # trailing empty fields are trimmed exactly as build_batches does.
    # A password never lands in another cell: its field shows the mask, as in `payload`.
    separator = data.endpoint.separator or ";"
    texts = [
        mask_text(t) if (f := data.endpoint.field(c.code)) is not None and f.is_secret else t
        for c, t in zip(data.columns, format_rows(data).texts[0], strict=True)
    ]
    return _whole_line(separator.join(texts).rstrip(separator))


def _whole_line(line: str) -> str:
    """The line, or why a cell cannot show it: a cut line would look like a valid one."""
    if len(line) > MAX_CELL_TEXT:
        raise _UdfError(f"la ligne fait {len(line)} caractères, plus que les 32 767 qu'une "
                        "cellule peut afficher ; l'import l'enverra entière (la commande "
                        "gestimum-excel payload la montre)")
    return line


@xw.func
@xw.arg("endpoint", err_to_str=True, doc=_DOCS["GESTIMUM_CONTROLE"]["endpoint"])
@xw.arg("entetes", err_to_str=True, doc=_DOCS["GESTIMUM_CONTROLE"]["entetes"])
@xw.arg("valeurs", err_to_str=True, doc=_DOCS["GESTIMUM_CONTROLE"]["valeurs"])
@_readable_errors
def GESTIMUM_CONTROLE(endpoint: Any, entetes: Any, valeurs: Any) -> str:  # noqa: N802
    """OK, or the row's issues in French (blocking first), as the Contrôler button finds them."""
    data = _read_row(endpoint, entetes, valeurs)
    found = _issues(data)
    if not data.rows and not found:
        return "Ligne vide : ignorée à l'import"
    if not found:
        return "OK"
    found.sort(key=lambda i: i.severity is not Severity.BLOCKING)
    texts = [("" if i.severity is Severity.BLOCKING else "Avertissement : ") + _describe(i)
             for i in found]
    return " ; ".join(dict.fromkeys(texts))
