"""install-addin on a fake Windows user profile (APPDATA/USERPROFILE pointed at tmp_path)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from addin.excel import install
from addin.excel.install import (
    InstallError,
    install_addin,
    interpreter_warnings,
    main_install,
    read_user_settings,
)


@pytest.fixture()
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "Users" / "compta"))
    return tmp_path


def _xlstart(profile: Path) -> Path:
    return profile / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"


def _conf(profile: Path) -> Path:
    return profile / "Users" / "compta" / ".gestimum" / "gestimum.conf"


def _read_like_vba(path: Path) -> list[list[str]]:
    """Two quoted fields per CRLF line, the format of VBA's Write #/Input #."""
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    return [row for row in csv.reader(raw.decode("cp1252").splitlines()) if row]


def test_install_copies_the_addin_and_writes_the_user_settings(
    profile: Path, committed_path: Path
) -> None:
    python = profile / "venv" / "Scripts" / "pythonw.exe"
    installed = install_addin(interpreter=python)
    assert installed == _xlstart(profile) / "gestimum.xlam"
    assert installed.read_bytes() == committed_path.read_bytes()
    assert _read_like_vba(_conf(profile)) == [
        ["INTERPRETER_WIN", str(python)],
        ["UDF MODULES", "addin.udfs"],
    ]
    assert not list(profile.rglob("*.tmp"))


def test_install_into_a_given_startup_folder(profile: Path, tmp_path: Path) -> None:
    target = tmp_path / "IT" / "XLSTART"
    installed = install_addin(startup_dir=target, interpreter=Path("C:/Python311/pythonw.exe"))
    assert installed == target / "gestimum.xlam" and installed.is_file()
    assert not _xlstart(profile).exists()


def test_reinstall_replaces_our_keys_and_keeps_the_others(profile: Path) -> None:
    conf = _conf(profile)
    conf.parent.mkdir(parents=True)
    conf.write_bytes(
        b'"Show Console","True"\r\n"interpreter_win","C:\\old\\pythonw.exe"\r\n'
        b'"PYTHONPATH","C:\\lib\\d\xe9j\xe0"\r\n'
    )
    install_addin(interpreter=Path("C:/new/pythonw.exe"))
    install_addin(interpreter=Path("C:/newer/pythonw.exe"))
    settings = read_user_settings(conf)
    assert settings == {
        "SHOW CONSOLE": "True",
        "PYTHONPATH": "C:\\lib\\déjà",
        "INTERPRETER_WIN": str(Path("C:/newer/pythonw.exe")),
        "UDF MODULES": "addin.udfs",
    }
    # Lines we do not own are kept byte for byte.
    kept = b'"Show Console","True"\r\n"PYTHONPATH","C:\\lib\\d\xe9j\xe0"\r\n'
    assert conf.read_bytes().startswith(kept)


def test_uninstall_removes_only_what_install_wrote(profile: Path) -> None:
    conf = _conf(profile)
    conf.parent.mkdir(parents=True)
    conf.write_bytes(b'"Use UDF Server","True"\r\n')
    other = _xlstart(profile) / "perso.xlsb"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"personal macros")

    installed = install_addin(interpreter=Path("C:/py/pythonw.exe"))
    removed = install_addin(uninstall=True)

    assert removed == installed and not installed.exists()
    assert other.read_bytes() == b"personal macros"
    assert read_user_settings(conf) == {"USE UDF SERVER": "True"}


def test_uninstall_after_install_leaves_no_settings_behind(profile: Path) -> None:
    install_addin(interpreter=Path("C:/py/pythonw.exe"))
    install_addin(uninstall=True)
    assert not _conf(profile).exists()
    assert not _conf(profile).parent.exists()
    assert not (_xlstart(profile) / "gestimum.xlam").exists()


def test_uninstall_without_install_changes_nothing(profile: Path) -> None:
    install_addin(uninstall=True)
    assert [p for p in profile.rglob("*") if p.is_file()] == []


def test_default_interpreter_is_this_one_off_windows(profile: Path) -> None:
    install_addin()
    expected = Path(sys.executable) if sys.platform != "win32" else install.default_interpreter()
    assert read_user_settings(_conf(profile))["INTERPRETER_WIN"] == str(expected)


def test_missing_appdata_is_a_french_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("APPDATA", raising=False)
    with pytest.raises(InstallError, match="APPDATA"):
        install_addin(interpreter=Path("C:/py/pythonw.exe"))
    assert main_install(False) == 1
    assert "Erreur" in capsys.readouterr().err


def test_unreadable_interpreter_path_is_refused(profile: Path) -> None:
    with pytest.raises(InstallError, match="caractères"):
        install_addin(interpreter=Path("C:/Users/Łukasz/pythonw.exe"))


def test_locked_addin_file_asks_to_close_excel(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(_xlstart(profile) / "gestimum.xlam"))

    monkeypatch.setattr(install.shutil, "copyfile", locked)
    with pytest.raises(InstallError, match="fermez Excel"):
        install_addin(interpreter=Path("C:/py/pythonw.exe"))


def test_failed_copy_leaves_nothing_in_xlstart(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_copy(source: Path, destination: Path) -> None:
        Path(destination).write_bytes(b"PK half")
        raise OSError(28, "No space left on device", str(destination))

    monkeypatch.setattr(install.shutil, "copyfile", half_copy)
    with pytest.raises(InstallError, match="No space left"):
        install_addin(interpreter=Path("C:/py/pythonw.exe"))
    assert list(_xlstart(profile).iterdir()) == []


def test_main_install_prints_what_was_done_and_what_to_do_next(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main_install(False) == 0
    out = capsys.readouterr().out
    assert str(_xlstart(profile) / "gestimum.xlam") in out
    assert str(_conf(profile)) in out
    assert "INTERPRETER_WIN" in out and "addin.udfs" in out
    assert "rouvrez Excel" in out
    assert "Faire confiance à l'accès au modèle d'objet du projet VBA" in out

    assert main_install(True) == 0
    out = capsys.readouterr().out
    assert "retiré" in out
    assert not (_xlstart(profile) / "gestimum.xlam").exists()


def test_interpreter_warnings_look_where_xlwings_vba_looks(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    python = venv / "Scripts" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    assert any("xlwings64-0.37.8.dll" in w for w in interpreter_warnings(python))
    (venv / "xlwings64-0.37.8.dll").write_bytes(b"")  # a venv keeps the DLL at its root
    assert interpreter_warnings(python) == []
    assert any("n'existe pas" in w for w in interpreter_warnings(venv / "missing.exe"))


def test_install_module_does_not_need_the_build_tools() -> None:
    code = (
        "import sys, addin.excel.install, addin.excel.xlam, addin.excel.xlam.ribbon;"
        "import addin.excel.xlam.settings;"
        "bad = [m for m in sys.modules if m.startswith(('ms_ovba', 'ms_cfb', 'oletools'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
