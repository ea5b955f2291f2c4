"""install-addin on a fake Windows user profile (APPDATA/USERPROFILE pointed at tmp_path).

Windows-only conditions (a Store Python, conda, a network AppData) are given as the paths and
environment Windows would show; nothing here needs Windows.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from addin.excel import install, install_files, install_python
from addin.excel.install import install_addin, main_install
from addin.excel.install_files import (
    InstallError,
    InstallRefused,
    read_install_record,
    read_user_settings,
)
from addin.excel.install_python import (
    PythonSetup,
    current_python,
    interpreter_warnings,
    setup_warnings,
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
    installed = install_addin(interpreter=python).path
    assert installed == _xlstart(profile) / "gestimum.xlam"
    assert installed.read_bytes() == committed_path.read_bytes()
    assert _read_like_vba(_conf(profile)) == [
        ["INTERPRETER_WIN", str(python)],
        ["UDF MODULES", "addin.udfs"],
    ]
    assert not list(profile.rglob("*.tmp"))


def test_install_into_a_given_startup_folder(profile: Path, tmp_path: Path) -> None:
    target = tmp_path / "IT" / "XLSTART"
    installed = install_addin(startup_dir=target, interpreter=Path("C:/Python311/pythonw.exe")).path
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

    installed = install_addin(interpreter=Path("C:/py/pythonw.exe")).path
    removed = install_addin(uninstall=True)

    assert removed.path == installed and removed.removed and not installed.exists()
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
    expected = (Path(sys.executable) if sys.platform != "win32"
                else install_python.default_interpreter())
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


# ── --uninstall removes only what this command installed ───────────────────────────────────


def test_install_records_where_the_addin_went_and_its_hash(profile: Path) -> None:
    installed = install_addin(interpreter=Path("C:/py/pythonw.exe")).path
    record = read_install_record()
    assert record is not None
    assert record["addin"] == str(installed)
    assert record["sha256"] == install_files.sha256(installed)
    assert record["settings"] == {"INTERPRETER_WIN": str(Path("C:/py/pythonw.exe")),
                                  "UDF MODULES": "addin.udfs"}
    assert install_files.install_record_path().parent == _conf(profile).parent


def test_uninstall_keeps_a_file_it_did_not_install(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = install_addin(interpreter=Path("C:/py/pythonw.exe")).path
    installed.write_bytes(b"PK someone else's gestimum.xlam")  # replaced or edited since
    assert main_install(True) == 0
    assert installed.read_bytes() == b"PK someone else's gestimum.xlam"
    assert "laissé en place" in capsys.readouterr().err
    # The settings file is the add-in's own: our keys go anyway, and the record with them.
    assert not _conf(profile).exists() and read_install_record() is None


def test_uninstall_of_an_older_version_uses_the_recorded_hash(profile: Path) -> None:
    installed = install_addin(interpreter=Path("C:/py/pythonw.exe")).path
    # What a later `pip install --upgrade` without re-running install-addin leaves behind:
    # the installed file no longer equals the packaged one, but the record knows it.
    installed.write_bytes(b"PK gestimum.xlam of the previous version")
    record = read_install_record()
    assert record is not None
    record["sha256"] = install_files.sha256(installed)
    install_files.install_record_path().write_text(json.dumps(record), encoding="utf-8")
    assert install_addin(uninstall=True).removed and not installed.exists()


def test_uninstall_without_record_removes_only_the_packaged_file(
    profile: Path, committed_path: Path
) -> None:
    # An add-in copied by hand, or by a gestimum-excel that kept no record.
    target = _xlstart(profile) / "gestimum.xlam"
    target.parent.mkdir(parents=True)
    target.write_bytes(committed_path.read_bytes())
    assert install_addin(uninstall=True).removed and not target.exists()
    target.write_bytes(b"PK unknown")
    report = install_addin(uninstall=True)
    assert report.kept and not report.removed and target.exists()


def test_uninstall_leaves_a_setting_the_user_changed(profile: Path) -> None:
    install_addin(interpreter=Path("C:/py/pythonw.exe"))
    install_files.update_user_settings(_conf(profile), {"INTERPRETER_WIN": "D:\\mine\\pythonw.exe"})
    install_addin(uninstall=True)
    assert read_user_settings(_conf(profile)) == {"INTERPRETER_WIN": "D:\\mine\\pythonw.exe"}


def test_uninstall_finds_an_addin_installed_in_another_folder(
    profile: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "Gestimum" / "Excel"
    installed = install_addin(startup_dir=folder, interpreter=Path("C:/py/pythonw.exe")).path
    assert install_addin(uninstall=True).removed and not installed.exists()


def test_reinstall_elsewhere_removes_the_earlier_copy(profile: Path, tmp_path: Path) -> None:
    # Two copies would both load: two Gestimum tabs, and the functions of either.
    first = install_addin(startup_dir=tmp_path / "local",
                          interpreter=Path("C:/py/pythonw.exe")).path
    report = install_addin(interpreter=Path("C:/py/pythonw.exe"))
    assert report.replaced == first and not first.exists() and report.path.is_file()


# ── which Python Excel will start ──────────────────────────────────────────────────────────

STORE_EXE = ("C:\\Users\\compta\\AppData\\Local\\Microsoft\\WindowsApps\\"
             "PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0\\python.exe")
STORE_PREFIX = ("C:\\Program Files\\WindowsApps\\"
                "PythonSoftwareFoundation.Python.3.12_3.12.2800.0_x64__qbz5n2kfra8p0")


@pytest.mark.parametrize(
    ("executable", "prefix", "base_prefix"),
    [
        (STORE_EXE, STORE_PREFIX, STORE_PREFIX),
        # A venv made from the Store Python: only its base gives it away.
        ("C:\\gestimum\\venv\\Scripts\\python.exe", "C:\\gestimum\\venv", STORE_PREFIX),
    ],
    ids=["store", "venv-on-store"],
)
def test_microsoft_store_python_is_refused_in_french(
    executable: str, prefix: str, base_prefix: str
) -> None:
    with pytest.raises(InstallRefused, match="Microsoft Store") as refused:
        current_python(executable, prefix, base_prefix, environ={})
    assert "python.org" in str(refused.value) and refused.value.exit_code == 2


def test_store_python_refusal_changes_nothing(
    profile: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "executable", STORE_EXE)
    monkeypatch.setattr(sys, "prefix", STORE_PREFIX)
    monkeypatch.setattr(sys, "base_prefix", STORE_PREFIX)
    assert main_install(False) == 2
    assert "Microsoft Store" in capsys.readouterr().err
    assert [p for p in profile.rglob("*") if p.is_file()] == []


def _conda(root: Path, *, bat: bool = True) -> Path:
    (root / "condabin").mkdir(parents=True)
    if bat:
        (root / "condabin" / "conda.bat").write_bytes(b"@echo off")
    (root / "conda-meta").mkdir()
    return root


def _env(prefix: Path) -> Path:
    (prefix / "conda-meta").mkdir(parents=True)
    return prefix


def test_conda_environment_gets_activation_settings(profile: Path, tmp_path: Path) -> None:
    root = _conda(tmp_path / "miniconda3")
    prefix = _env(root / "envs" / "gestimum")
    python = current_python(str(prefix / "python.exe"), str(prefix), str(root), environ={})
    assert python == PythonSetup(prefix / "pythonw.exe", conda_root=root, conda_env="gestimum")

    conf = _conf(profile)
    conf.parent.mkdir(parents=True)
    conf.write_bytes(b'"INTERPRETER_WIN","C:\\old\\pythonw.exe"\r\n')
    report = install_addin(python=python)
    # Without INTERPRETER_WIN: xlwings then runs "conda activate gestimum && python".
    assert _read_like_vba(conf) == [
        ["CONDA PATH", str(root)], ["CONDA ENV", "gestimum"], ["UDF MODULES", "addin.udfs"],
    ]
    assert report.settings == {"CONDA PATH": str(root), "CONDA ENV": "gestimum",
                               "UDF MODULES": "addin.udfs"}
    install_addin(uninstall=True)
    assert not conf.exists()


def test_conda_base_and_environments_outside_envs(tmp_path: Path) -> None:
    root = _conda(tmp_path / "Anaconda3")
    base = current_python(str(root / "python.exe"), str(root), str(root), environ={})
    assert (base.conda_root, base.conda_env) == (root, "base")
    # conda create -p D:\projets\gestimum: xlwings takes the full path as CONDA ENV.
    elsewhere = _env(tmp_path / "projets" / "gestimum")
    conda_exe = str(root / "Scripts" / "conda.exe")
    python = current_python(str(elsewhere / "python.exe"), str(elsewhere), str(elsewhere),
                            environ={"CONDA_EXE": conda_exe})
    assert (python.conda_root, python.conda_env) == (root, str(elsewhere))


def test_conda_that_xlwings_cannot_activate_is_refused(tmp_path: Path) -> None:
    old = _conda(tmp_path / "old", bat=False)
    with pytest.raises(InstallRefused, match="conda.bat"):
        current_python(str(old / "python.exe"), str(old), str(old), environ={})
    stray = _env(tmp_path / "stray" / "env")
    with pytest.raises(InstallRefused, match="Anaconda Prompt"):
        current_python(str(stray / "python.exe"), str(stray), str(stray), environ={})
    root = _conda(tmp_path / "conda")
    spaced = _env(tmp_path / "mes projets" / "env")
    with pytest.raises(InstallRefused, match="espace"):
        current_python(str(spaced / "python.exe"), str(spaced), str(spaced),
                       environ={"CONDA_EXE": str(root / "Scripts" / "conda.exe")})


def test_conda_keys_are_the_ones_the_vba_reads(vba: dict[str, str]) -> None:
    for key in ("CONDA PATH", "CONDA ENV", "INTERPRETER_WIN", "UDF MODULES"):
        assert f'GetConfig("{key}"' in vba["xlwings"], key


def test_venv_made_from_conda_python_is_warned_about(tmp_path: Path) -> None:
    root = _conda(tmp_path / "miniconda3")
    warnings = setup_warnings(PythonSetup(tmp_path / "venv" / "Scripts" / "pythonw.exe"),
                              base_prefix=str(root))
    assert any("conda" in w and "activation" in w for w in warnings)


# ── an AppData on the network ──────────────────────────────────────────────────────────────


def test_unc_appdata_is_refused_with_what_to_do(
    profile: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APPDATA", "\\\\fichiers\\profils$\\compta\\AppData\\Roaming")
    assert main_install(False) == 2
    message = capsys.readouterr().err
    assert "réseau" in message and "--dossier" in message and "--forcer" in message
    assert "Emplacements approuvés" in message
    assert [p for p in profile.rglob("*") if p.is_file()] == []


def test_mapped_network_drive_appdata_is_refused(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPDATA", "H:\\AppData\\Roaming")
    monkeypatch.setattr(install, "_drive_is_remote", lambda drive: drive.upper() == "H:")
    with pytest.raises(InstallRefused, match="réseau"):
        install_addin(interpreter=Path("C:/py/pythonw.exe"))
    monkeypatch.setenv("APPDATA", "C:\\Users\\compta\\AppData\\Roaming")
    assert not install.is_network_path(os.environ["APPDATA"])


def test_network_appdata_with_a_local_folder_or_forced(
    profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("APPDATA", "//fichiers/profils/compta")
    folder = tmp_path / "Gestimum"
    assert main_install(False, folder=folder) == 0
    out = capsys.readouterr().out
    assert (folder / "gestimum.xlam").is_file()
    assert "emplacements approuvés" in out and "Parcourir" in out
    # IT approved network locations: --forcer installs into the (redirected) XLSTART.
    monkeypatch.setattr(install, "default_startup_dir", lambda: tmp_path / "net" / "XLSTART")
    assert install_addin(force=True, interpreter=Path("C:/py/pythonw.exe")).path == (
        tmp_path / "net" / "XLSTART" / "gestimum.xlam")


# ── silent, scriptable ─────────────────────────────────────────────────────────────────────


def test_silent_install_and_uninstall_print_nothing_on_success(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from addin.cli import main

    assert main(["install-addin", "--silencieux"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (_xlstart(profile) / "gestimum.xlam").is_file()
    assert main(["install-addin", "--desinstaller", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert not (_xlstart(profile) / "gestimum.xlam").exists()


def test_install_never_reads_the_terminal(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_prompt(*args: object) -> str:
        raise AssertionError("install-addin asked a question")

    monkeypatch.setattr("builtins.input", no_prompt)
    monkeypatch.setattr(sys, "stdin", None)
    assert main_install(False, quiet=True) == 0
    assert main_install(True, quiet=True) == 0
