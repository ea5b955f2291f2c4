"""Cell value → import text, per field kind (DESIGN §4 "Correct lines")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addin.core import issues as ic
from addin.core.catalog import Field, get_endpoint
from addin.core.issues import Severity
from addin.core.values import (
    Problem,
    format_value,
    make_column_formatter,
    make_formatter,
    parse_decimal,
)

CLIENTS = get_endpoint("Clients")
ECRITURES = get_endpoint("Ecritures")


def field(endpoint: str, code: str) -> Field:
    found = get_endpoint(endpoint).field(code)
    assert found is not None
    return found


def code_of(result: str | Problem) -> str:
    return result.code if isinstance(result, Problem) else "ok"


OK_CASES = [
    # decimals / amounts, `,` mark on `;` imports
    pytest.param("Devises", "DEV_COURS", 0.1 + 0.2, "0,3", id="float-noise-removed"),
    pytest.param("Devises", "DEV_COURS", 1.6, "1,6", id="float-decimal-comma"),
    pytest.param("Devises", "DEV_COURS", "1,60", "1,60", id="text-keeps-typed-digits"),
    pytest.param("Devises", "DEV_COURS", "1.5101", "1,5101", id="text-dot-normalised"),
    pytest.param("Devises", "DEV_COURS", "1 234,5", "1234,5", id="text-space-thousands"),
    pytest.param("Devises", "DEV_COURS", "1\u202f234,5", "1234,5", id="text-narrow-nbsp"),
    pytest.param("Devises", "DEV_COURS", "1.234,56", "1234,56", id="text-dot-thousands"),
    pytest.param("Devises", "DEV_COURS", "-3", "-3", id="text-negative"),
    pytest.param("Devises", "DEV_COURS", 12000.0, "12000", id="integral-float-no-dot-zero"),
    pytest.param("Devises", "DEV_COURS", 12000, "12000", id="int"),
    pytest.param("Devises", "DEV_COURS", -0.0, "0", id="negative-zero"),
    pytest.param("Devises", "DEV_COURS", 1e14, "100000000000000", id="no-exponent"),
    pytest.param("Devises", "DEV_COURS", -999999999999999.0, "-999999999999999", id="15-digits"),
    pytest.param("Actions", "ACT_POUREA", 2147483647, "2147483647", id="int32-max"),
    pytest.param("Clients", "PCF_RS", "Cre\u0301che", "Cr\u00e9che", id="nfd-to-nfc"),
    pytest.param("Devises", "DEV_COURS", 1.5e-7, "0,00000015", id="small-no-exponent"),
    pytest.param("Devises", "DEV_COURS", 123456789.12345678, "123456789,123457",
                 id="fifteen-significant-digits"),
    pytest.param("Devises", "DEV_COURS", Decimal("2.50"), "2,50", id="decimal-kept"),
    pytest.param("Devises", "DEV_COURS", None, "", id="blank"),
    pytest.param("Devises", "DEV_COURS", "   ", "", id="spaces-are-blank"),
    pytest.param("Ecritures", "ECR_MONTANT", 2400.5, "2400.5", id="ecritures-dot-mark"),
    pytest.param("Ecritures", "ECR_MONTANT", "2400,50", "2400.50", id="ecritures-text-dot"),
    # integers
    pytest.param("Actions", "ACT_POUREA", 3.0, "3", id="int-from-float"),
    pytest.param("Actions", "ACT_POUREA", "12", "12", id="int-from-text"),
    pytest.param("Actions", "ACT_POUREA", "3,0", "3", id="int-text-integral"),
    # dates
    pytest.param("Affaires", "PRJ_DT_DEB", dt.datetime(2019, 9, 5), "05/09/2019", id="datetime"),
    pytest.param("Affaires", "PRJ_DT_DEB", dt.date(2019, 9, 5), "05/09/2019", id="date"),
    pytest.param("Affaires", "PRJ_DT_DEB", "5/9/2019", "05/09/2019", id="text-short-fr"),
    pytest.param("Affaires", "PRJ_DT_DEB", "2019-09-05", "05/09/2019", id="text-iso"),
    pytest.param("Affaires", "PRJ_DT_DEB", "29/02/2024", "29/02/2024", id="leap-day"),
    pytest.param("Actions", "ACT_DATE", dt.datetime(2019, 9, 5), "05/09/2019",
                 id="datetime-midnight-date-only"),
    pytest.param("Actions", "ACT_DATE", dt.datetime(2019, 9, 5, 14, 3, 7),
                 "05/09/2019 14:03:07", id="datetime-with-time"),
    pytest.param("Actions", "ACT_DATE", "05/09/2019 14:30", "05/09/2019 14:30:00",
                 id="datetime-text"),
    # check boxes
    pytest.param("Devises", "DEV_INCERT", True, "1", id="bool-true"),
    pytest.param("Devises", "DEV_INCERT", False, "0", id="bool-false"),
    pytest.param("Devises", "DEV_INCERT", 1.0, "1", id="bool-one"),
    pytest.param("Devises", "DEV_INCERT", "Oui", "1", id="bool-oui"),
    pytest.param("Devises", "DEV_INCERT", "non", "0", id="bool-non"),
    pytest.param("Devises", "DEV_INCERT", "x", "1", id="bool-x"),
    # texts and codes
    pytest.param("Clients", "PCF_RS", "  SPORT25 ", "SPORT25", id="stripped"),
    pytest.param("Clients", "PCF_RUE", "ZA Du Pâtis", "ZA Du Pâtis", id="cp1252-accent"),
    pytest.param("Clients", "PCF_RUE", "rue\u00a0du Pont", "rue\u00a0du Pont", id="nbsp-kept"),
    pytest.param("Clients", "PCF_CP", 78120.0, "78120", id="postcode-five-digits"),
    pytest.param("Clients", "PCF_CP", "08120", "08120", id="postcode-as-text"),
    pytest.param("Clients", "PCF_CODE", 42.0, "42", id="number-in-code-no-dot-zero"),
    pytest.param("Clients", "PCF_REMISE" if CLIENTS.field("PCF_REMISE") else "PCF_RS", 2.5,
                 "2,5", id="decimal-in-text-french-mark"),
    pytest.param("ComptesReporting", "RPT_COMPTE", 600.0, "600", id="account-number"),
    pytest.param("Clients", "PCF_SIRET", 12345678901234.0, "12345678901234", id="siret-14"),
    pytest.param("ComptesReporting", "RPT_TYPE", "r", "R", id="choice-case-normalised"),
    pytest.param("Clients", "PCF_TEL1", "01 34 84 09 01", "01 34 84 09 01", id="phone-text"),
    pytest.param("Clients", "PCF_MEMO", "x" * 5000, "x" * 5000, id="memo-no-length"),
    pytest.param("NaturesComptables", "NAT_ORIGIN", "ART1", "ART1",
                 id="description-list-not-enforced"),
    pytest.param("Ecritures", "ECR_LIB", "Presta, janvier", '"Presta, janvier"',
                 id="ecritures-quoted-field-comma"),
]


@pytest.mark.parametrize(("endpoint", "code", "value", "expected"), OK_CASES)
def test_formats(endpoint: str, code: str, value: object, expected: str) -> None:
    """Each accepted cell value becomes exactly the documented import text."""
    f = field(endpoint, code)
    out = format_value(f, value, positional=get_endpoint(endpoint).positional,
                       separator=get_endpoint(endpoint).separator or ";")
    assert out == expected


PROBLEM_CASES = [
    pytest.param("Devises", "DEV_COURS", "12 €", ic.TYPE_ERROR, id="currency-symbol"),
    pytest.param("Devises", "DEV_COURS", 1e308, ic.NUMBER_TOO_BIG, id="1e308"),
    pytest.param("Devises", "DEV_COURS", 1e20, ic.NUMBER_TOO_BIG, id="1e20"),
    pytest.param("Devises", "DEV_COURS", "1000000000000000", ic.NUMBER_TOO_BIG, id="text-16"),
    pytest.param("Actions", "ACT_POUREA", 2147483648, ic.NUMBER_TOO_BIG, id="int32-over"),
    pytest.param("Actions", "ACT_POUREA", 1e308, ic.NUMBER_TOO_BIG, id="int-1e308"),
    pytest.param("Clients", "PCF_RS", True, ic.BOOLEAN_IN_TEXT, id="true-in-text"),
    pytest.param("Clients", "PCF_RS", False, ic.BOOLEAN_IN_TEXT, id="false-in-text"),
    pytest.param("Affaires", "PRJ_DT_FIN", dt.time(0, 0), ic.DATE_OUT_OF_RANGE, id="pre-1900"),
    pytest.param("Affaires", "PRJ_DT_FIN", dt.time(10, 30), ic.DATE_OUT_OF_RANGE,
                 id="time-in-date"),
    pytest.param("Devises", "DEV_COURS", float("nan"), ic.TYPE_ERROR, id="nan"),
    pytest.param("Devises", "DEV_COURS", True, ic.TYPE_ERROR, id="bool-in-amount"),
    pytest.param("Devises", "DEV_COURS", dt.datetime(2020, 1, 1), ic.TYPE_ERROR, id="date-amount"),
    pytest.param("Devises", "DEV_COURS", "#N/A", ic.EXCEL_ERROR, id="excel-error-number"),
    pytest.param("Actions", "ACT_POUREA", 3.5, ic.TYPE_ERROR, id="fraction-in-int"),
    pytest.param("Actions", "ACT_POUREA", "3,5", ic.TYPE_ERROR, id="text-fraction-in-int"),
    pytest.param("Affaires", "PRJ_DT_FIN", "15/19/2019", ic.INVALID_DATE, id="impossible-month"),
    pytest.param("Affaires", "PRJ_DT_FIN", "31/04/2020", ic.INVALID_DATE, id="april-31"),
    pytest.param("Affaires", "PRJ_DT_FIN", "29/02/2023", ic.INVALID_DATE, id="not-leap"),
    pytest.param("Affaires", "PRJ_DT_FIN", "05/09/19", ic.TYPE_ERROR, id="two-digit-year"),
    pytest.param("Affaires", "PRJ_DT_FIN", "demain", ic.TYPE_ERROR, id="not-a-date"),
    pytest.param("Affaires", "PRJ_DT_FIN", 43713.0, ic.TYPE_ERROR, id="serial-number"),
    pytest.param("Affaires", "PRJ_DT_FIN", "#VALEUR!", ic.EXCEL_ERROR, id="excel-error-fr"),
    pytest.param("Devises", "DEV_INCERT", "peut-être", ic.TYPE_ERROR, id="bool-unknown"),
    pytest.param("Devises", "DEV_INCERT", 2, ic.TYPE_ERROR, id="bool-two"),
    pytest.param("Clients", "PCF_CP", 8120.0, ic.LEADING_ZERO_LOST, id="postcode-lost-zero"),
    pytest.param("Clients", "PCF_CP", 8120, ic.LEADING_ZERO_LOST, id="postcode-int-lost-zero"),
    pytest.param("Clients", "PCF_TEL1", 134840901.0, ic.LEADING_ZERO_LOST, id="phone-lost"),
    pytest.param("Clients", "PCF_SIRET", 1234567890123.0, ic.LEADING_ZERO_LOST, id="siret"),
    pytest.param("BanquesTiers", "RIB_CLE", 7.0, ic.LEADING_ZERO_LOST, id="rib-key"),
    pytest.param("Clients", "PCF_RS", "x" * 61, ic.TOO_LONG, id="too-long"),
    pytest.param("BanquesTiers", "RIB_RUM", 1234567890123456.0, ic.TOO_MANY_DIGITS,
                 id="sixteen-digits-typed-as-number"),
    pytest.param("ComptesReporting", "RPT_TYPE", "Z", ic.NOT_IN_LIST, id="not-in-list"),
    pytest.param("Clients", "PCF_RS", "Café 😀", ic.UNSUPPORTED_CHARACTER, id="emoji"),
    pytest.param("Clients", "PCF_RS", "A → B", ic.UNSUPPORTED_CHARACTER, id="arrow"),
    pytest.param("Clients", "PCF_RS", "A\u202fB", ic.UNSUPPORTED_CHARACTER, id="narrow-nbsp"),
    pytest.param("Clients", "PCF_RS", "A\tB", ic.UNSUPPORTED_CHARACTER, id="tab"),
    pytest.param("Clients", "PCF_RS", "A\x07B", ic.UNSUPPORTED_CHARACTER, id="control-char"),
    pytest.param("Clients", "PCF_RS", "Dupont; fils", ic.SEPARATOR_IN_VALUE, id="separator"),
    pytest.param("Clients", "PCF_MEMO", "ligne 1\nligne 2", ic.LINE_BREAK_IN_VALUE,
                 id="line-break"),
    pytest.param("Clients", "PCF_RS", "#REF!", ic.EXCEL_ERROR, id="excel-error-text"),
    pytest.param("Ecritures", "JOU_CODE", "V,T", ic.SEPARATOR_IN_VALUE, id="ecritures-comma"),
    pytest.param("Ecritures", "ECR_LIB", 'Le "X"', ic.DELIMITER_IN_VALUE, id="ecritures-quote"),
    pytest.param("Ecritures", "ECR_LIB", "a\nb", ic.LINE_BREAK_IN_VALUE, id="ecritures-break"),
]


@pytest.mark.parametrize(("endpoint", "code", "value", "expected"), PROBLEM_CASES)
def test_problems(endpoint: str, code: str, value: object, expected: str) -> None:
    """Each refused value yields its stable code and a French message naming the column."""
    ep = get_endpoint(endpoint)
    out = format_value(field(endpoint, code), value, positional=ep.positional,
                       separator=ep.separator or ";")
    assert isinstance(out, Problem), out
    assert out.code == expected
    assert out.severity is Severity.BLOCKING
    assert code in out.message


def test_leading_zero_message_gives_the_value_to_retype() -> None:
    """The postcode message says to format as Text and retype 08120."""
    out = format_value(field("Clients", "PCF_CP"), 8120.0)
    assert isinstance(out, Problem)
    assert "08120" in out.message and "Texte" in out.message


def test_short_code_number_is_a_warning_that_keeps_the_text() -> None:
    """A depot typed as the number 1 may be `001`: warned, and `1` is still what is sent."""
    out = format_value(field("Clients", "DEP_CODE"), 1.0)
    assert isinstance(out, Problem)
    assert (out.code, out.severity, out.text) == (ic.LEADING_ZERO_LOST, Severity.WARNING, "1")
    assert "001" in out.message


def test_date_in_a_text_field_is_a_warning() -> None:
    """A reference Excel turned into a date is sent as shown, with a warning."""
    out = format_value(field("Clients", "PCF_RS"), dt.datetime(2024, 2, 1))
    assert isinstance(out, Problem)
    assert (out.code, out.severity, out.text) == (ic.DATE_IN_TEXT, Severity.WARNING, "01/02/2024")


def test_time_in_a_date_field_is_a_warning() -> None:
    """A time in a date-only field is dropped with a warning, the date is sent."""
    out = format_value(field("Affaires", "PRJ_DT_DEB"), dt.datetime(2019, 9, 5, 14, 30))
    assert isinstance(out, Problem)
    assert (out.code, out.severity, out.text) == (ic.TIME_IGNORED, Severity.WARNING, "05/09/2019")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Dupont; fils", '"Dupont; fils"', id="separator-quoted"),
        pytest.param('Le "Grand" magasin', '"Le ""Grand"" magasin"', id="delimiter-doubled"),
        pytest.param("ligne 1\nligne 2", '"ligne 1\nligne 2"', id="line-break-quoted"),
        pytest.param("simple", "simple", id="plain-not-quoted"),
    ],
)
def test_quoting_with_a_text_delimiter(value: str, expected: str) -> None:
    """With identificateur_texte set, values that would break the line are quoted CSV-style."""
    assert format_value(field("Clients", "PCF_MEMO"), value, delimiter='"') == expected


def test_delimiter_without_quoting_is_blocked() -> None:
    """The delimiter itself cannot appear unquoted."""
    f = make_formatter(field("Clients", "PCF_RS"), delimiter="")
    assert f('Le "Grand"') == 'Le "Grand"'  # no delimiter configured: a quote is plain text


def test_not_in_list_lists_the_codes_and_recognises_a_label() -> None:
    """An unknown choice lists the allowed codes; a label is pointed to its code."""
    out = format_value(field("Ecritures", "ECR_SENS"), "Débit", positional=True, separator=",")
    assert isinstance(out, Problem) and out.code == ic.NOT_IN_LIST
    assert "« D »" in out.message and "C (Crédit)" in out.message


def test_formatter_never_raises_on_odd_objects() -> None:
    """Any object a grid may hold yields a text or a Problem, never an exception."""
    odd: list[object] = [object(), [1, 2], dt.time(12, 0), b"bytes", Decimal("NaN"), 10**30]
    ep = get_endpoint("DocumentsVente")
    for f in ep.fields:
        fmt = make_formatter(f)
        for value in odd:
            assert isinstance(fmt(value), str | Problem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1 234,56", Decimal("1234.56"), id="fr"),
        pytest.param("1,234.56", Decimal("1234.56"), id="en"),
        pytest.param(",5", Decimal("0.5"), id="leading-mark"),
        pytest.param("1,2,3", None, id="garbage"),
        pytest.param("", None, id="empty"),
        pytest.param("-", None, id="sign-only"),
    ],
)
def test_parse_decimal(text: str, expected: Decimal | None) -> None:
    """Numbers typed as text are read the French and the English way."""
    assert parse_decimal(text) == expected


def test_memoised_formatter_gives_the_same_answer_twice() -> None:
    """The per-column memo returns identical results for repeated values."""
    fmt = make_formatter(field("Clients", "PCF_CP"))
    assert [code_of(fmt(v)) for v in (8120.0, 8120.0, "08120", "08120")] == [
        ic.LEADING_ZERO_LOST, ic.LEADING_ZERO_LOST, "ok", "ok"]


MIXED_COLUMNS = [
    pytest.param([True, 1, 1.0, 2, None, " ", "3"] * 10, id="bool-hides-behind-one"),
    pytest.param([1, True, Decimal("1.0"), 1.0, None] * 10, id="decimal-equal-to-int"),
    pytest.param(["C1", " C1 ", "c1", None, "", 8120.0, 8120] * 10, id="codes-and-numbers"),
    pytest.param([dt.datetime(2024, 1, 1), dt.date(2024, 1, 1), "01/01/2024", None] * 10,
                 id="dates"),
    pytest.param([[1], "a", None] * 20, id="unhashable"),
    pytest.param([f"Libellé {i}" for i in range(40)], id="distinct-non-ascii"),
    pytest.param([f"Société n° {i} — œuvre à 5 € l’unité" for i in range(40)],
                 id="distinct-french-cp1252"),
    pytest.param([f"Socie\u0301te\u0301 {i}" for i in range(40)], id="distinct-decomposed"),
    pytest.param([f"Prix\u00a0{i}" for i in range(40)], id="distinct-no-break-space"),
    pytest.param([f"Café {i}" for i in range(39)] + ["Café 🙂"], id="distinct-with-emoji"),
    pytest.param([f"Café {i}" for i in range(39)] + ["α β"], id="distinct-with-greek"),
    pytest.param([f"Été {i}" for i in range(39)] + ["\u0301x"], id="distinct-leading-mark"),
    pytest.param([f"Été {i}" for i in range(39)] + ["a\tb"], id="distinct-with-tab"),
    pytest.param([f"Été {i}" for i in range(39)] + ["a\x85b"], id="distinct-with-c1"),
    pytest.param([f"Ligne {i}" for i in range(39)] + ["a;b"], id="distinct-with-separator"),
    pytest.param([f"L{i}" for i in range(39)] + ["#N/A"], id="distinct-with-excel-error"),
    pytest.param([f"{i}" * 30 for i in range(40)], id="distinct-too-long"),
    pytest.param([f"Nom {i}" for i in range(39)] + ["=A2&B2"], id="distinct-with-formula"),
    pytest.param([f"CC{i // 3:03d}" for i in range(60)] + [" CC001 ", None, "", "  "],
                 id="references-three-lines-each"),
    pytest.param([f"CC{i // 3:03d}" for i in range(60)] + ["=A2&B2", "#N/A", "x;y"],
                 id="references-with-odd-texts"),
    pytest.param([round(i * 1.37, 2) for i in range(40)] + [None, -0.0, -0.0, 0.1 + 0.2, 0.0,
                                                           12345678901234.5, -7.0, None],
                 id="distinct-floats"),
    pytest.param([i + 0.5 for i in range(39)] + [1e-7], id="distinct-floats-exponent"),
    pytest.param([i + 0.25 for i in range(39)] + [1234567890123.456], id="distinct-floats-16"),
    pytest.param([i + 0.5 for i in range(39)] + [1e15], id="distinct-floats-too-big"),
    pytest.param([i + 0.5 for i in range(39)] + [float("inf")], id="distinct-floats-inf"),
    pytest.param([i + 0.5 for i in range(39)] + [1], id="distinct-floats-and-int"),
]


@pytest.mark.parametrize("values", MIXED_COLUMNS)
@pytest.mark.parametrize(
    ("endpoint", "code"),
    [pytest.param("Clients", "PCF_CP", id="text"), pytest.param("Devises", "DEV_COURS", id="dec"),
     pytest.param("Devises", "DEV_INCERT", id="bool"), pytest.param("Actions", "ACT_POUREA",
                                                                    id="int"),
     pytest.param("Affaires", "PRJ_DT_DEB", id="date"), pytest.param("Clients", "PCF_RS",
                                                                    id="text60"),
     pytest.param("ComptesReporting", "RPT_TYPE", id="choices")],
)
def test_column_formatter_agrees_with_the_cell_formatter(endpoint: str, code: str,
                                                         values: list[object]) -> None:
    """The bulk column path gives exactly what formatting each cell would give."""
    f = field(endpoint, code)
    expected = [make_formatter(f)(v) for v in values]
    assert make_column_formatter(f)(values) == expected


@pytest.mark.parametrize("values", MIXED_COLUMNS)
def test_positional_column_formatter_agrees_with_the_cell_formatter(values: list[object]) -> None:
    """Ecritures' amounts take a `.` mark: the bulk path (floats) keeps it."""
    f = field("Ecritures", "ECR_MONTANT")
    expected = [make_formatter(f, separator=",", positional=True)(v) for v in values]
    assert make_column_formatter(f, separator=",", positional=True)(values) == expected
