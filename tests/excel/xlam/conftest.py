"""Shared fixtures: the committed add-in, a fresh build of it, and its VBA read back by olevba."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from addin.excel.xlam.build import default_output, xlam_bytes

COMMITTED = default_output()


@pytest.fixture(scope="session")
def committed_bytes() -> bytes:
    """The add-in file as committed in addin/data."""
    return COMMITTED.read_bytes()


@pytest.fixture(scope="session")
def built_bytes() -> bytes:
    """A fresh build (about ten seconds: the MS-OVBA compressor is quadratic)."""
    return xlam_bytes()


@pytest.fixture(scope="session")
def xlam_zip(committed_bytes: bytes) -> zipfile.ZipFile:
    """The committed add-in opened as a zip archive."""
    return zipfile.ZipFile(io.BytesIO(committed_bytes))


def extract_vba(path_or_bytes: Path | bytes, filename: str = "gestimum.xlam") -> dict[str, str]:
    """Module name → source text, as olevba (an independent reader) extracts them."""
    from oletools.olevba import VBA_Parser

    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    parser = VBA_Parser(filename, data=data)
    try:
        modules: dict[str, str] = {}
        for _, stream_path, _, code in parser.extract_macros():
            name = stream_path.split("/")[-1]
            modules[name] = code if isinstance(code, str) else code.decode("cp1252")
        return modules
    finally:
        parser.close()


@pytest.fixture(scope="session")
def vba(committed_bytes: bytes) -> dict[str, str]:
    """The VBA modules of the committed add-in, read back with olevba."""
    return extract_vba(committed_bytes)


@pytest.fixture(scope="session")
def vba_reader() -> Callable[..., dict[str, str]]:
    """``extract_vba`` for tests that read other files (fixtures, not imports, share helpers)."""
    return extract_vba


@pytest.fixture(scope="session")
def committed_path() -> Path:
    """Path of the committed add-in."""
    return COMMITTED
