"""The add-in's version stamp, and install-addin refusing an add-in that does not match."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import addin
from addin.excel import install, install_check
from addin.excel.install import install_addin, main_install
from addin.excel.install_files import InstallRefused
from addin.excel.xlam.stamp import (
    ADDIN_VERSION_KEY,
    CUSTOM_PART,
    XLWINGS_VERSION_KEY,
    custom_xml,
    read_stamp,
)


@pytest.fixture()
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "Users" / "compta"))
    return tmp_path


def _restamped(source: Path, target: Path, properties: dict[str, str] | None) -> Path:
    """A copy of ``source`` whose custom properties are ``properties`` (None: no part at all)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename == CUSTOM_PART:
                if properties is not None:
                    new.writestr(item, custom_xml(properties))
            else:
                new.writestr(item, old.read(item))
    return target


def test_committed_addin_is_stamped_with_this_package_and_its_xlwings(
    committed_path: Path, vba: dict[str, str]
) -> None:
    found = read_stamp(committed_path)
    assert found[ADDIN_VERSION_KEY] == addin.__version__
    # The stamp says what the VBA module really is (olevba reads the module independently).
    module = next(text for name, text in vba.items() if "xlwings" in name.lower()
                  or "'Version: " in text)
    embedded = re.search(r"'Version: (\S+)", module)
    assert embedded and found[XLWINGS_VERSION_KEY] == embedded.group(1)
    assert install_check.check_addin_matches(committed_path) == found


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({ADDIN_VERSION_KEY: "0.0.9", XLWINGS_VERSION_KEY: "0.37.8"}, "construit pour 0.0.9"),
        (None, "version antérieure non identifiée"),
        ({ADDIN_VERSION_KEY: addin.__version__, XLWINGS_VERSION_KEY: "0.33.1"},
         "module VBA d'xlwings 0.33.1"),
    ],
)
def test_install_refuses_an_addin_built_for_another_release(
    profile: Path, committed_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], properties: dict[str, str] | None, expected: str,
) -> None:
    odd = _restamped(committed_path, profile / "gestimum.xlam", properties)
    monkeypatch.setattr(install, "addin_source", lambda: odd)
    assert main_install() == 2
    err = capsys.readouterr().err
    assert expected in err and "install-addin" in err
    assert not list(profile.rglob("XLSTART"))  # refused before anything was copied
    assert not list(profile.rglob("gestimum.conf"))


def test_install_refuses_when_the_installed_xlwings_differs(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(install_check, "installed_xlwings", lambda: "0.38.0")
    with pytest.raises(InstallRefused, match=r"ce Python a xlwings 0\.38\.0 .*pip install "
                                             r"xlwings==0\.37\.8"):
        install_addin(interpreter=profile / "python.exe")
    monkeypatch.setattr(install_check, "installed_xlwings", lambda: None)
    with pytest.raises(InstallRefused, match="xlwings n'est pas installé"):
        install_addin(interpreter=profile / "python.exe")
