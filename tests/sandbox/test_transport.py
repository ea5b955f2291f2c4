"""HTTP framing and resource bounds: Content-Length checks, deadlines, a bounded worker pool.

Raw sockets on loopback, because a well-behaved client (httpx) cannot send the requests that
matter here: a negative or missing length, a body that never comes, a trickle of bytes.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from addin.sandbox import SandboxHandle
from addin.sandbox.app import SandboxApp
from addin.sandbox.seed import seed_demo
from addin.sandbox.server import SandboxServer

from .helpers import HTTP, body, post, result

URL = "/api/rest/Clients/%22Importer%22"
CLIENT_LINES = ["PCF_CODE;PCF_RS;CPT_NUMERO", "TR1;Transport 1;411TR1"]


def exchange(sb: SandboxHandle, raw: bytes, *, half_close: bool = False) -> tuple[int, dict]:
    """Send raw bytes, read the whole answer: (status, JSON body)."""
    with socket.create_connection((sb.host, sb.port), timeout=10) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"content-type: application/json" in head.lower(), head
    assert b"\r\nx-gestimum-sandbox: 1" in head.lower(), head
    return status, json.loads(payload)


def request(headers: str, payload: bytes = b"", method: str = "POST") -> bytes:
    return f"{method} {URL} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode() + payload


@pytest.mark.parametrize(
    ("headers", "status", "words"),
    [
        ("Content-Length: -1\r\n", 400, "Content-Length invalide"),
        ("Content-Length: abc\r\n", 400, "Content-Length invalide"),
        ("Content-Length: +5\r\n", 400, "Content-Length invalide"),
        ("Content-Length: 5\r\nContent-Length: 6\r\n", 400, "un seul nombre"),
        ("", 411, "Content-Length obligatoire"),
        ("Transfer-Encoding: chunked\r\n", 411, "Transfer-Encoding"),
        ("Content-Length: 268435457\r\n", 413, "256 Mo"),
        ("Content-Length: 99999999999999999999\r\n", 413, "256 Mo"),
    ],
)
def test_content_length_is_checked_before_reading(
    sandbox: SandboxHandle, headers: str, status: int, words: str
) -> None:
    started = time.monotonic()
    code, answer = exchange(sandbox, request(headers))
    assert (code, list(answer)) == (status, ["error"]) and words in answer["error"]
    assert time.monotonic() - started < 5  # answered at once, nothing waited for


def test_framing_errors_are_datasnap_errors(sandbox: SandboxHandle) -> None:
    for raw, status in (
        (request("Content-Length: -1\r\n"), 400),
        (request("", method="PATCH"), 501),
        (b"GARBAGE\r\n\r\n", 400),
    ):
        code, answer = exchange(sandbox, raw)
        assert code == status and list(answer) == ["error"] and answer["error"]


def test_a_body_shorter_than_announced_is_refused(sandbox: SandboxHandle) -> None:
    payload = json.dumps(body("Clients", CLIENT_LINES)).encode()
    raw = request(f"Content-Length: {len(payload) + 10}\r\n", payload)
    status, answer = exchange(sandbox, raw, half_close=True)
    assert status == 400 and "incomplet" in answer["error"]
    assert "TR1" not in {r["PCF_CODE"] for r in sandbox.rows("Clients")}


def test_the_same_import_with_a_right_length_works(sandbox: SandboxHandle) -> None:
    payload = json.dumps(body("Clients", CLIENT_LINES)).encode()
    status, answer = exchange(sandbox, request(f"Content-Length: {len(payload)}\r\n", payload))
    assert status == 200 and answer["result"][0]["statistiques"]["nombre_lignes_importées"] == "1"


# ── a sandbox with small limits, to see them hold within seconds ────────────────────────────
@pytest.fixture
def small(tmp_path: Path) -> Iterator[SandboxHandle]:
    """4 workers, 4 waiting connections, 1 s to send a request (+ 1 s per 64 KiB of body)."""
    seed_demo(tmp_path)
    server = SandboxServer(
        ("127.0.0.1", 0), SandboxApp(tmp_path), workers=4, waiting=4, read_seconds=1.0,
        min_body_rate=64 * 1024,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="gestimum-sandbox"
    )
    thread.start()
    handle = SandboxHandle(server, thread)
    try:
        yield handle
    finally:
        handle.stop()


def _workers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("gestimum-sandbox-worker")]


def _outcome(sock: socket.socket) -> bytes | None:
    """What a slow client got: the server's answer, b"" when simply closed, None if still open."""
    try:
        return sock.recv(65536)
    except (BlockingIOError, TimeoutError):
        return None
    except OSError:
        return b""


def test_slow_clients_hold_bounded_resources_and_never_block_others(small: SandboxHandle) -> None:
    slow = []
    for _ in range(20):  # far more than workers + waiting places
        sock = socket.create_connection((small.host, small.port), timeout=5)
        sock.sendall(f"POST {URL} HTTP/1.1\r\n".encode())
        slow.append(sock)
    stop_trickle = threading.Event()

    def trickle() -> None:  # one header byte per socket every 0.2 s: per-recv time-outs never fire
        while not stop_trickle.wait(0.2):
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.send(b"X")

    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        time.sleep(0.3)
        assert len(_workers()) <= 4
        started = time.monotonic()
        busy = HTTP.get(f"{small.url}/sandbox/health", timeout=5)  # answered at once, never hung
        assert time.monotonic() - started < 1.5
        assert busy.status_code in (200, 503)
        assert busy.headers["x-gestimum-sandbox"] == "1"  # even the saturation answer
        if busy.status_code == 503:
            assert "saturé" in busy.json()["error"] and busy.headers["retry-after"] == "1"
        # Within the deadlines (1 s per round of 4 workers), every slow client is answered
        # (503) or cut off, and the sandbox serves normally again.
        deadline = time.monotonic() + 6
        for sock in slow:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            got = _outcome(sock)
            assert got is not None, "a slow client still holds its connection"
            assert got == b"" or got.startswith(b"HTTP/1.0 503")
        assert len(_workers()) <= 4
        assert result(post(small, "Clients", body("Clients", CLIENT_LINES)))["resultat"] == "succès"
    finally:
        stop_trickle.set()
        trickler.join()
        for sock in slow:
            sock.close()


def test_a_trickled_body_is_cut_at_its_deadline(small: SandboxHandle) -> None:
    payload = json.dumps(body("Clients", CLIENT_LINES)).encode()
    with socket.create_connection((small.host, small.port), timeout=10) as sock:
        sock.sendall(request(f"Content-Length: {len(payload)}\r\n", payload[:10]))
        started = time.monotonic()
        for byte in payload[10:40]:  # 1 byte every 0.1 s: far below the minimum rate
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.1)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.0 408"), answer
    assert "trop lentement" in json.loads(answer.partition(b"\r\n\r\n")[2])["error"]
    assert time.monotonic() - started < 4


def test_stop_does_not_wait_for_slow_clients(tmp_path: Path) -> None:
    seed_demo(tmp_path)
    server = SandboxServer(("127.0.0.1", 0), SandboxApp(tmp_path), workers=2, waiting=2)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    handle = SandboxHandle(server, thread)
    socks = [socket.create_connection((handle.host, handle.port)) for _ in range(4)]
    for sock in socks:
        sock.sendall(b"POST / HTTP/1.1\r\n")  # and nothing more, for the default 10 s
    time.sleep(0.3)
    started = time.monotonic()
    handle.stop()
    assert time.monotonic() - started < 2
    assert _workers() == []
    for sock in socks:
        sock.close()


def test_saturation_is_an_immediate_503(tmp_path: Path) -> None:
    seed_demo(tmp_path)
    server = SandboxServer(("127.0.0.1", 0), SandboxApp(tmp_path), workers=1, waiting=1,
                           read_seconds=2.0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    handle = SandboxHandle(server, thread)
    try:
        def settled(waiting: int) -> None:
            deadline = time.monotonic() + 5
            while (server._jobs.qsize(), server._idle, len(server._threads)) != (waiting, 0, 1):
                assert time.monotonic() < deadline
                time.sleep(0.01)

        silent = [socket.create_connection((handle.host, handle.port))]
        settled(0)  # the only worker is reading it
        silent.append(socket.create_connection((handle.host, handle.port)))
        settled(1)  # and this one waits for the worker
        started = time.monotonic()
        code, answer = exchange(handle, request("", method="GET"))
        assert time.monotonic() - started < 1
        assert code == 503 and "saturé" in answer["error"]
        for sock in silent:
            sock.close()
    finally:
        handle.stop()
