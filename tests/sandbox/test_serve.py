"""`serve_forever`, as the `gestimum-excel sandbox` command runs it: French banner, Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

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
