"""The odd-workbook corpus (tests/e2e/corpus/cases.py), written by openpyxl and re-saved by
LibreOffice, played through the real CLI in one child process: for every file, no traceback,
no native crash, the expected exit code and French message (sheet!cell), nothing sent when
blocked and the file's bytes unchanged when refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.corpus.cases import CASES, Case, build_corpus

REPO = Path(__file__).resolve().parents[2]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ERP_PASSWORD = "ErpCanary-93"


def _libreoffice(sources: dict[str, Path], out: Path, profile: Path) -> Path | None:
    """Re-save the plain corpus files through LibreOffice (one process for all)."""
    if SOFFICE is None:
        return None
    files = [sources[c.name] for c in CASES if c.libreoffice]
    job = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, files)],
        capture_output=True, timeout=300, check=False,
    )
    assert job.returncode == 0, job.stderr.decode(errors="replace")
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    base = tmp_path_factory.mktemp("odd")
    sources = build_corpus(base / "openpyxl")
    variants = {"openpyxl": base / "openpyxl"}
    converted = _libreoffice(sources, base / "libreoffice", base / "profile")
    if converted is not None:
        variants["libreoffice"] = converted
    out = base / "results.json"
    env = {**os.environ, "GESTIMUM_MOT_PASSE": ERP_PASSWORD, "COLUMNS": "200",
           "GESTIMUM_JOURNAL": str(base / "journal.sqlite3")}
    job = subprocess.run(
        [sys.executable, "-m", "tests.e2e.corpus.runner", str(out),
         *(f"{name}={folder}" for name, folder in variants.items())],
        cwd=REPO, env=env, capture_output=True, timeout=600, check=False,
    )
    running = out.with_suffix(".running")
    crashed = running.read_text() if running.exists() else ""
    assert job.returncode == 0, (
        f"runner died (code {job.returncode}) on {crashed}: "
        + job.stderr.decode(errors="replace")[-3000:]
    )
    return json.loads(out.read_text())


def _variants(case: Case) -> list[str]:
    return ["openpyxl", "libreoffice"] if case.libreoffice else ["openpyxl"]


@pytest.mark.parametrize(
    ("case", "variant"),
    [pytest.param(c, v, id=f"{v}-{c.name}",
                  marks=[pytest.mark.libreoffice] if v == "libreoffice" else [])
     for c in CASES for v in _variants(c)],
)
def test_odd_workbook(case: Case, variant: str, results: dict[str, dict]) -> None:
    key = f"{variant}/{case.name}"
    if key not in results:
        pytest.skip("LibreOffice absent")
    entry = results[key]
    check = entry["check"]
    assert check["traceback"] is None, check["traceback"]
    printed = check["out"]
    assert check["exit"] == case.exit, printed
    codes = entry.get("codes", [])  # check prints plain French; its codes are in --json
    for fragment in case.says:
        assert fragment in printed or fragment in codes, (
            f"« {fragment} » missing from:\n{printed}\n{codes}")
    for fragment in (*case.never, ERP_PASSWORD):
        assert fragment not in printed, f"« {fragment!r} » printed:\n{printed}"
    if "import" in entry:
        sent = entry["import"]
        assert sent["traceback"] is None, sent["traceback"]
        if case.exit == 2:
            assert sent["exit"] == 2, sent["out"]
            assert entry["requests"] == 0, "a blocked workbook reached the server"
            assert entry["unchanged"], "a refused workbook was modified"
        for fragment in (*case.never, ERP_PASSWORD):
            assert fragment not in sent["out"], sent["out"]
