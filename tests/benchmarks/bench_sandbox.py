"""Benchmark (not a test): one request of 100,000 Clients lines against the sandbox.

Prints lines/s and the ratio to a floor measured in the same run on the same machine: plain
SQLite `executemany` of the same rows (same columns, one transaction, same pragmas). Ratios
side by side, because these machines are noisy. Run: `python tests/benchmarks/bench_sandbox.py`.
Target: at least 50,000 lines/s and a ratio of 3 or less.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from addin.sandbox import running_sandbox

LINES = 100_000
REPEAT = 3
HEADER = ["PCF_CODE", "CPT_NUMERO", "PCF_RS", "PCF_RUE", "PCF_COMP", "PCF_CP", "PCF_VILLE"]


def make_rows(run: int) -> list[list[str]]:
    """Distinct clients (a fresh code range per run, so every line is an insert)."""
    return [
        [
            f"B{run}{i:07d}", f"411B{run}{i:07d}", f"Client {i}", f"{i % 300} rue Cugnot",
            "ZA Du Pâtis", f"{78000 + i % 999:05d}", "RAMBOUILLET",
        ]
        for i in range(LINES)
    ]


def payload(rows: list[list[str]]) -> bytes:
    lines = [";".join(HEADER), *(";".join(r) for r in rows)]
    return json.dumps({
        "importer_clients": {
            "societe": {"fichier": "DEMO.Gestimum", "utilisateur": "DEMO", "mot_passe": "",
                        "deconnecter": "Non", "exclusif": "Non"},
            "parametres": {"journal": "Oui", "statistiques": "Oui", "entete": "Oui",
                           "noms_champs": "", "separateur_champs": ";",
                           "identificateur_texte": "", "fichier_clients": lines},
        }
    }).encode("utf-8")


def sandbox_seconds(url: str, body: bytes) -> float:
    request = urllib.request.Request(
        f"{url}/api/rest/Clients/%22Importer%22", data=body, method="POST",
        headers={"Content-Type": "application/json"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as answer:
        result = json.loads(answer.read())["result"][0]
    elapsed = time.perf_counter() - start
    assert result["statistiques"]["nombre_lignes_importées"] == str(LINES), result
    return elapsed


def floor_seconds(folder: Path, rows: list[list[str]], run: int) -> float:
    conn = sqlite3.connect(folder / f"floor{run}.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE clients ({', '.join(c + ' TEXT' for c in HEADER)})")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO clients VALUES ({', '.join('?' * len(HEADER))})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> int:
    sandbox_times, floor_times = [], []
    with tempfile.TemporaryDirectory() as tmp, running_sandbox(Path(tmp) / "data") as sb:
        for run in range(REPEAT):
            rows = make_rows(run)
            body = payload(rows)
            floor_times.append(floor_seconds(Path(tmp), rows, run))
            sandbox_times.append(sandbox_seconds(sb.url, body))
        assert len(sb.rows("Clients")) >= LINES * REPEAT
    best_sandbox, best_floor = min(sandbox_times), min(floor_times)
    rate = LINES / best_sandbox
    ratio = best_sandbox / best_floor
    print(f"Sandbox : {LINES} lignes Clients en une requête, meilleur de {REPEAT} : "
          f"{best_sandbox:.3f} s (médiane {statistics.median(sandbox_times):.3f} s)")
    print(f"Plancher (SQLite executemany des mêmes lignes) : {best_floor:.3f} s")
    print(f"lines/s: {rate:,.0f}  ratio: {ratio:.2f}  (cible : >= 50 000 lignes/s, ratio <= 3)")
    return 0 if rate >= 50_000 and ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
