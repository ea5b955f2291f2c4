"""The release build: `python -m build` → wheel + sdist checked by twine, installed into a fresh
virtual environment, and the installed command run from there (about ten seconds)."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import addin

ROOT = Path(__file__).resolve().parents[2]
VERSION = addin.__version__
DATA = ("addin/data/gestimum.xlam", "addin/data/catalog.json", "addin/data/demo.xlsx")


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist built from this checkout, the way the README says to."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    return out


def test_build_names_the_version_and_twine_accepts_both_files(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"gestimum_excel-{VERSION}-py3-none-any.whl",
                     f"gestimum_excel-{VERSION}.tar.gz"]
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert checked.stdout.count("PASSED") == 2


def test_wheel_holds_the_addin_the_catalog_and_the_demo(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in DATA:
            assert archive.read(name) == (ROOT / name).read_bytes(), name
        metadata = archive.read(f"gestimum_excel-{VERSION}.dist-info/METADATA").decode()
        scripts = archive.read(f"gestimum_excel-{VERSION}.dist-info/entry_points.txt").decode()
    assert f"\nVersion: {VERSION}\n" in metadata and "xlwings==0.37.8" in metadata
    assert "gestimum-excel = addin.cli:main" in scripts
    # Only the package: no tests, tools or stray build output in what users install.
    assert {n.split("/")[0] for n in names} == {"addin", f"gestimum_excel-{VERSION}.dist-info"}
    for package in ("core", "io", "excel", "excel/xlam", "commands", "templates", "sandbox"):
        assert f"addin/{package}/__init__.py" in names
    json.loads((ROOT / "addin/data/catalog.json").read_text(encoding="utf-8"))


def test_sdist_holds_the_changelog_and_the_data(dist: Path) -> None:
    with tarfile.open(next(dist.glob("*.tar.gz"))) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"CHANGELOG.md", "README.md", "pyproject.toml", *DATA} <= names


def test_installed_wheel_runs_the_demo_from_a_fresh_environment(
    dist: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    wheel = next(dist.glob("*.whl"))
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel)
    # Dependencies from this environment (already installed: no network), after the wheel's
    # own site-packages so that `addin` is the installed copy, not this checkout.
    own = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
               .stdout.strip())
    (own / "parent-env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    where = _run(python, "-c", "import addin; print(addin.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(venv)

    script = venv / ("Scripts/gestimum-excel.exe" if sys.platform == "win32"
                     else "bin/gestimum-excel")
    shown = _run(script, "--version", cwd=tmp_path).stdout
    assert f"Complément gestimum-excel : {VERSION}" in shown and "xlwings : 0.37.8" in shown
    out = tmp_path / "demo.xlsx"
    demo = _run(script, "demo", "--out", out, cwd=tmp_path)
    assert "2 pièce(s) créée(s)" in demo.stdout and out.is_file()
