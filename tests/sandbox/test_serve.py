"""`serve_forever`, as the `gestimum-excel sandbox` command runs it: French banner, Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from addin.cli import main

from .helpers import HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_forever_prints_where_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    code = (
        "from pathlib import Path; from addin.sandbox import serve_forever; "
        f"serve_forever('127.0.0.1', {port}, Path({str(tmp_path)!r}), 0.0)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(5)]
        assert banner[0].strip() == f"Bac à sable Gestimum à l'écoute sur http://127.0.0.1:{port}"
        answer = HTTP.get(f"http://127.0.0.1:{port}/api/rest/Outils/%22Version%22", timeout=10)
        assert answer.json()["result"][0]["resultat"] == "succès"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert "Ctrl+C pour arrêter." in "".join(banner) + out
    assert "Arrêt du bac à sable" in out
    assert proc.returncode == 0, err
    assert (tmp_path / "DEMO.Gestimum.sqlite").exists()  # --data keeps the company


def _banner(proc: subprocess.Popen[str]) -> list[str]:
    """The lines printed up to "Ctrl+C pour arrêter."."""
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or "Ctrl+C" not in lines[-1]:
        line = proc.stdout.readline()
        assert line, "".join(lines)
        lines.append(line.rstrip("\n"))
    return lines


def test_cli_sandbox_options(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "addin", "sandbox", "--port", str(port), "--data", str(tmp_path),
         "--pannes", "--latence-ligne", "0.05", "--version-erp", "8.0.0.100"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        banner = _banner(proc)
        assert "Pannes et changements de latence acceptés" in "\n".join(banner)
        assert "Temps de traitement simulé par ligne de données : 0.05 s" in banner
        assert "Version de l'ERP annoncée : 8.0.0.100" in banner
        erp = HTTP.get(f"http://127.0.0.1:{port}/api/rest/Outils/%22VersionERP%22", timeout=10)
        assert erp.json()["result"][0]["message"] == "8.0.0.100"
        url = f"http://127.0.0.1:{port}/sandbox/faults"
        answer = HTTP.post(url, json={"fault": "error", "endpoint": "Clients"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["enabled"] is True
        assert answer.json()["line_latency"] == 0.05
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0, err


def test_cli_sandbox_refuses_a_bad_option_or_a_taken_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--latency", "-1", "--data", str(tmp_path)]) == 2
    assert "Erreur : « latency » doit être un nombre de secondes" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "--port", str(port), "--data", str(tmp_path)]) == 2
    assert f"impossible d'écouter sur 127.0.0.1:{port}" in capsys.readouterr().err
