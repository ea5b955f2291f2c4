"""The VBA project read back with olevba: modules, the pinned xlwings runtime, UDF wrappers."""

from __future__ import annotations

import importlib
import importlib.resources
import inspect
import random
import re

import olefile
import pytest
from oletools.olevba import decompress_stream

from addin.excel.xlam import ovba
from addin.excel.xlam import vba as vba_sources
from addin.excel.xlam.ribbon import UDFS
from addin.excel.xlam.xlwings_patch import patch_xlwings_module

EXPECTED_MODULES = {
    "ThisWorkbook", "Sheet1", "xlwings", "RibbonGestimum", "xlwings_udfs", "GestimumEvents",
}


def code_lines(source: str) -> list[str]:
    """Lines without ``Attribute VB_`` lines and trailing blank lines (readers differ there)."""
    lines = source.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.rstrip() for line in lines if not line.startswith("Attribute VB_")]


def test_olevba_finds_every_module(vba: dict[str, str]) -> None:
    assert set(vba) == EXPECTED_MODULES


def test_every_module_reads_back_identical_to_its_source(vba: dict[str, str]) -> None:
    for module in vba_sources.vba_modules():
        assert code_lines(vba[module.name]) == code_lines(module.source), module.name


def test_xlwings_module_is_the_pinned_one_with_only_the_written_down_patches(
    vba: dict[str, str],
) -> None:
    import xlwings

    assert xlwings.__version__ == "0.37.8"
    original = importlib.resources.files("xlwings").joinpath("xlwings_custom_addin.bas").read_text()
    embedded = code_lines(vba["xlwings"])
    assert embedded == code_lines(patch_xlwings_module(original))
    assert embedded != code_lines(original)
    assert 'Public Const PROJECT_NAME As String = "gestimum"' in embedded
    assert '"xlwings64-0.37.8.dll"' in vba["xlwings"]


def _functions(source: str) -> dict[str, list[str]]:
    pattern = r"^Function\s+(\w+)\(([^)]*)\)"
    return {
        m.group(1): [a.strip() for a in m.group(2).split(",") if a.strip()]
        for m in re.finditer(pattern, source, re.M)
    }


def test_udf_wrappers_call_addin_udfs_with_the_right_arguments(vba: dict[str, str]) -> None:
    source = vba["xlwings_udfs"]
    functions = _functions(source)
    assert set(functions) == {udf.name for udf in UDFS}
    for udf in UDFS:
        assert functions[udf.name] == list(udf.args)
        array = "Array(" + ", ".join(udf.args) + ")"
        calls = re.findall(
            rf'{udf.name} = XLPy\.CallUDF\("([\w.]+)", "(\w+)", (Array\([^)]*\))', source
        )
        # Excel branch and non-Excel branch, both to addin.udfs.<name> with every argument.
        assert calls == [("addin.udfs", udf.name, array)] * 2
        # The add-in passes the user's workbook, not itself (xlwings does so for .xlam).
        assert f"{array}, ActiveWorkbook, Application.Caller)" in source
    assert "Application.Volatile" not in source, "the UDFs are not volatile"


def test_udfs_exist() -> None:
    udfs = importlib.import_module("addin.udfs")
    for udf in UDFS:
        function = getattr(udfs, udf.name, None)
        assert callable(function), f"addin.udfs.{udf.name} missing"
        parameters = [
            p.name
            for p in inspect.signature(function).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        assert parameters == list(udf.args), udf.name


def test_function_wizard_help_is_registered_in_french(vba: dict[str, str]) -> None:
    source = vba["ThisWorkbook"]
    assert "Private Sub Workbook_Open()" in source
    assert "On Error Resume Next" in source
    for udf in UDFS:
        assert f"'!{udf.name}\"" in source
        assert udf.description in source  # accents survive the cp1252 round trip


def test_our_modules_declare_nothing(vba: dict[str, str]) -> None:
    # A Declare without PtrSafe breaks 64-bit Office; only xlwings' vetted module may declare.
    for name in EXPECTED_MODULES - {"xlwings"}:
        assert not re.search(r"^\s*(Private\s+|Public\s+)?Declare\b", vba[name], re.M | re.I)


def test_project_references_the_office_library(committed_bytes: bytes) -> None:
    # IRibbonControl is defined by the Office object library.
    import io
    import zipfile

    data = zipfile.ZipFile(io.BytesIO(committed_bytes)).read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    try:
        directory = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
        project = ole.openstream("PROJECT").read().decode("cp1252")
    finally:
        ole.close()
    assert b"{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}" in directory
    assert b"Microsoft Office 16.0 Object Library" in directory
    assert f'ID="{ovba.PROJECT_ID}"' in project
    for name in EXPECTED_MODULES - {"ThisWorkbook", "Sheet1", "GestimumEvents"}:
        assert f"Module={name}\r\n" in project
    assert "Document=ThisWorkbook/" in project and "Document=Sheet1/" in project
    assert "Class=GestimumEvents\r\n" in project


def _long_repetitive_module() -> bytes:
    # Repeated runs far longer than the copy-token limit late in a 4 KB chunk (18 bytes there):
    # exactly what the 45 KB xlwings module is full of.
    rows = [f'    Range("A{i}").Value = "{"x" * (i % 7)}"' for i in range(1, 120)]
    text = 'Attribute VB_Name = "Long"\r\nSub Fill()\r\n' + "\r\n".join(rows) + "\r\nEnd Sub\r\n"
    return (text + "' " + "=" * 400 + "\r\n").encode("cp1252")


def test_fixed_compressor_round_trips_a_long_repetitive_module() -> None:
    data = _long_repetitive_module()
    assert len(data) > 4096  # more than one compression chunk
    assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data


def test_fixed_compressor_round_trips_random_inputs() -> None:
    generator = random.Random(20261123)
    for _ in range(12):
        alphabet = b"ab \r\n"[: generator.randint(1, 5)]
        data = bytes(generator.choice(alphabet) for _ in range(generator.randint(0, 3000)))
        assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data


def test_unfixed_compressor_corrupts_the_same_module() -> None:
    # Documents why ovba patches ms-ovba-compression 1.0.1: without the fix the module is lost.
    from ms_ovba_compression.ms_ovba import MsOvba

    data = _long_repetitive_module()
    try:
        restored = bytes(decompress_stream(bytearray(MsOvba().compress(data))))
    except Exception:  # the broken stream may not even decompress
        return
    assert restored != data


def test_patch_is_undone_after_a_build() -> None:
    from ms_ovba_compression.ms_ovba import MsOvba
    from ms_ovba_crypto import ms_ovba_crypto

    before = (MsOvba.__dict__["copytoken_help"], ms_ovba_crypto.random)
    ovba.compress(b"abcabcabcabc")
    assert (MsOvba.__dict__["copytoken_help"], ms_ovba_crypto.random) == before


@pytest.mark.parametrize("text", ["Contrôler l'écriture « été » — 10 €", 'a "quoted" word'])
def test_sources_are_stored_as_cp1252(text: str) -> None:
    module = vba_sources.VbaModule("M", f"' {text}\nSub A()\nEnd Sub\n")
    stored = module.source_bytes()
    assert stored.decode("cp1252") == f"' {text}\r\nSub A()\r\nEnd Sub\r\n"
    assert b"\r\n" in stored and b"\n\n" not in stored
