"""Run the CLI on every corpus file in ONE child process, so a native crash (a segfault in a
reader) fails the test instead of killing pytest, and start-up is paid once.

`python -m tests.e2e.corpus.runner RESULTS.json VARIANT=DIR…` runs, for each case of
`cases.CASES` whose file exists under DIR, the case's command and, when the case says so,
`import --yes` against a recording HTTP server on loopback. Results (exit codes, output,
tracebacks, requests received, bytes before/after) go to RESULTS.json; the case being run is
written first to RESULTS.json.running, so a crash names its case.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from addin.cli import main
from tests.e2e.corpus.cases import CASES


class _Recorder(BaseHTTPRequestHandler):
    """Counts every request; answers like a Gestimum that imported every line."""

    received: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.received.append(self.path)
        body = json.dumps({"result": [{"resultat": "succès", "statistiques": [],
                                       "journal": []}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _run(argv: list[str]) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    result: dict[str, object] = {"argv": argv, "traceback": None}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result["exit"] = main(argv)
        except SystemExit as exc:  # argparse
            result["exit"] = exc.code
        except BaseException:  # noqa: BLE001 - a traceback is the finding
            result["exit"] = None
            result["traceback"] = traceback.format_exc()
    result["out"] = out.getvalue() + err.getvalue()
    return result


def _codes(result: dict[str, object]) -> list[str]:
    """The issue codes of a `check --json` run ([] when it printed no JSON)."""
    text = str(result.get("out") or "")
    start = text.find("[")
    try:
        return [i["code"] for i in json.JSONDecoder().raw_decode(text[start:])[0]]
    except (ValueError, KeyError, TypeError):
        return []


def run_all(results: Path, variants: dict[str, Path]) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    found: dict[str, dict[str, object]] = {}
    running = results.with_suffix(".running")
    try:
        for variant, folder in variants.items():
            for case in CASES:
                path = folder / f"{case.name}.xlsx"
                if not (path.exists() or path.is_symlink()) and variant != "openpyxl":
                    continue
                key = f"{variant}/{case.name}"
                running.write_text(key)
                command, *options = case.args
                entry = {"case": case.name, "variant": variant,
                         "check": _run([command, str(path), *options])}
                if command == "check":  # codes are for machines: in --json, not in the text
                    entry["codes"] = _codes(_run([command, str(path), *options, "--json"]))
                if case.send:
                    before = _digest(path)
                    _Recorder.received.clear()
                    entry["import"] = _run(["import", str(path), "--server", url, "--yes",
                                            *_sheet_options(options)])
                    entry["requests"] = len(_Recorder.received)
                    entry["unchanged"] = before == _digest(path)
                found[key] = entry
    finally:
        server.shutdown()
        server.server_close()
    results.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    running.unlink(missing_ok=True)


def _sheet_options(options: list[str]) -> list[str]:
    """The --sheet/--endpoint options of the case's command, for the import attempt."""
    kept, it = [], iter(options)
    for option in it:
        if option in ("--sheet", "--endpoint"):
            kept += [option, next(it)]
    return kept


if __name__ == "__main__":
    pairs = (arg.split("=", 1) for arg in sys.argv[2:])
    run_all(Path(sys.argv[1]), {name: Path(folder) for name, folder in pairs})
