"""Fault injection, latency and clean stops."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from addin.sandbox import SandboxHandle, running_sandbox

from .helpers import HTTP, body, post, result

LINES = ["PCF_CODE;PCF_RS;CPT_NUMERO", "FLT1;Panne;411FLT1"]


def codes(sb: SandboxHandle) -> set[str]:
    return {r["PCF_CODE"] for r in sb.rows("Clients")}


def test_http500_is_a_plain_server_error_and_writes_nothing(sandbox: SandboxHandle) -> None:
    sandbox.inject("http500")
    answer = post(sandbox, "Clients", body("Clients", LINES))
    assert answer.status_code == 500
    assert not answer.headers["content-type"].startswith("application/json")
    assert "FLT1" not in codes(sandbox)
    assert result(post(sandbox, "Clients", body("Clients", LINES)))  # consumed: next call works


def test_error_fault_answers_the_datasnap_way(sandbox: SandboxHandle) -> None:
    sandbox.inject("error", times=2)
    for _ in range(2):
        answer = post(sandbox, "Clients", body("Clients", LINES))
        assert answer.status_code == 500
        assert "panne injectée" in answer.json()["error"]
    assert "FLT1" not in codes(sandbox)
    assert post(sandbox, "Clients", body("Clients", LINES)).status_code == 200


def test_drop_before_processing_writes_nothing(sandbox: SandboxHandle) -> None:
    sandbox.inject("drop_before")
    with pytest.raises(httpx.RemoteProtocolError):
        post(sandbox, "Clients", body("Clients", LINES))
    assert "FLT1" not in codes(sandbox)


def test_drop_after_commit_writes_but_never_answers(sandbox: SandboxHandle) -> None:
    sandbox.inject("drop_after_commit")
    with pytest.raises(httpx.RemoteProtocolError):
        post(sandbox, "Clients", body("Clients", LINES))
    assert "FLT1" in codes(sandbox)


def test_hang_outlives_the_client_timeout_then_processes(sandbox: SandboxHandle) -> None:
    sandbox.inject("hang", seconds=1.5)
    with pytest.raises(httpx.ReadTimeout):
        post(sandbox, "Clients", body("Clients", LINES), timeout=0.3)
    assert "FLT1" not in codes(sandbox)
    deadline = time.monotonic() + 10
    while "FLT1" not in codes(sandbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "FLT1" in codes(sandbox)  # the outcome was unknown to the client, yet it landed


def test_faults_target_an_endpoint(sandbox: SandboxHandle) -> None:
    sandbox.inject("error", endpoint="Fournisseurs")
    assert post(sandbox, "Clients", body("Clients", LINES)).status_code == 200
    lines = ["PCF_CODE;PCF_RS", "F1;F"]
    assert post(sandbox, "Fournisseurs", body("Fournisseurs", lines)).status_code == 500
    assert sandbox.faults() == []


def test_faults_over_http_and_clear(sandbox: SandboxHandle) -> None:
    answer = HTTP.post(
        f"{sandbox.url}/sandbox/faults", json={"fault": "http500", "times": 3}, timeout=10
    )
    assert answer.json()["faults"] == [
        {"fault": "http500", "times": 3, "endpoint": None, "seconds": None}
    ]
    assert post(sandbox, "Clients", body("Clients", LINES)).status_code == 500
    assert sandbox.faults()[0]["times"] == 2
    assert HTTP.delete(f"{sandbox.url}/sandbox/faults", timeout=10).json()["faults"] == []
    assert post(sandbox, "Clients", body("Clients", LINES)).status_code == 200
    bad = HTTP.post(f"{sandbox.url}/sandbox/faults", json={"fault": "meteor"}, timeout=10)
    assert bad.status_code == 400 and "meteor" in bad.json()["error"]
    with pytest.raises(ValueError, match="meteor"):
        sandbox.inject("meteor")


def test_faults_apply_to_the_tool_requests(sandbox: SandboxHandle) -> None:
    sandbox.inject("error", endpoint="Outils.Version")
    url = f"{sandbox.url}/api/rest/Outils/%22Version%22"
    assert HTTP.get(url, timeout=10).status_code == 500
    assert HTTP.get(url, timeout=10).status_code == 200


def test_latency_per_call(sandbox: SandboxHandle) -> None:
    HTTP.post(f"{sandbox.url}/sandbox/latency", json={"seconds": 0.4}, timeout=10)
    assert sandbox.latency == 0.4
    start = time.monotonic()
    res = result(post(sandbox, "Clients", body("Clients", LINES)))
    assert time.monotonic() - start >= 0.4
    assert res["journal"][1].endswith("ouverte")


def test_stop_is_clean_even_with_a_hanging_request_and_a_raising_body(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), running_sandbox(tmp_path, faults=True) as sb:
        sb.inject("hang")  # an hour
        port = sb.port
        sock = socket.create_connection(("127.0.0.1", port))
        payload = b'{"importer_clients": {}}'
        sock.sendall(
            b"POST /api/rest/Clients/%22Importer%22 HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload
        )
        time.sleep(0.2)
        started = time.monotonic()
        raise RuntimeError("the body of the with block fails")
    assert time.monotonic() - started < 5
    sock.close()
    alive = [t.name for t in threading.enumerate()]
    assert not [n for n in alive if "gestimum-sandbox" in n or "process_request" in n], alive
    with pytest.raises(ConnectionRefusedError):  # nobody listens any more
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with socket.socket() as probe:  # and the port can be bound again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_temporary_data_dir_is_seeded_and_removed() -> None:
    with running_sandbox() as sb:
        folder = sb.data_dir
        assert (folder / "DEMO.Gestimum.sqlite").exists()
        assert sb.url.startswith("http://127.0.0.1:")
    assert not folder.exists()


def test_faults_and_latency_changes_are_refused_unless_enabled(tmp_path: Path) -> None:
    with running_sandbox(tmp_path) as sb:
        assert not sb.faults_enabled
        for path, payload in (("faults", {"fault": "error"}), ("latency", {"seconds": 5})):
            answer = HTTP.post(f"{sb.url}/sandbox/{path}", json=payload, timeout=10)
            assert answer.status_code == 403 and "--pannes" in answer.json()["error"]
        listed = HTTP.get(f"{sb.url}/sandbox/faults", timeout=10).json()
        assert listed == {"faults": [], "latency": 0.0, "line_latency": 0.0, "enabled": False}
        assert HTTP.delete(f"{sb.url}/sandbox/faults", timeout=10).status_code == 200
        with pytest.raises(RuntimeError, match="--pannes"):
            sb.inject("error")
        with pytest.raises(RuntimeError, match="--pannes"):
            sb.latency = 5
        assert sb.latency == 0.0
        assert result(post(sb, "Clients", body("Clients", LINES)))["resultat"] == "succès"


@pytest.mark.parametrize("seconds", ["-1", '"x"', "null", "1e9", "Infinity", "NaN"])
def test_a_delay_must_be_a_sane_number_of_seconds(sandbox: SandboxHandle, seconds: str) -> None:
    latency = f'{{"seconds": {seconds}}}'.encode()
    answer = HTTP.post(f"{sandbox.url}/sandbox/latency", content=latency, timeout=10)
    assert answer.status_code == 400 and "secondes" in answer.json()["error"]
    assert sandbox.latency == 0.0
    if seconds != "null":  # a hang without seconds is the default one (an hour)
        hang = f'{{"fault": "hang", "seconds": {seconds}}}'.encode()
        answer = HTTP.post(f"{sandbox.url}/sandbox/faults", content=hang, timeout=10)
        assert answer.status_code == 400 and sandbox.faults() == []


def test_line_latency_is_spent_per_data_line(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, line_latency=0.2) as sb:
        assert sb.line_latency == 0.2
        lines = ["PCF_CODE;PCF_RS", "LL1;Un", "", "LL2;Deux", "LL3;Trois"]  # 3 data lines
        started = time.monotonic()
        assert result(post(sb, "Prospects", body("Prospects", lines)))["resultat"] == "succès"
        three = time.monotonic() - started
        started = time.monotonic()
        result(post(sb, "Prospects", body("Prospects", lines[:2])))
        one = time.monotonic() - started
        assert three >= 0.6 and one >= 0.2
        assert three - one >= 0.3  # the header and the blank line cost nothing
        started = time.monotonic()  # the test mode checks every line too
        result(post(sb, "Clients", body("Clients", ["PCF_CODE;PCF_RS;CPT_NUMERO", "T;T;411T"],
                                        tester="Oui")))
        assert time.monotonic() - started >= 0.2
        entries = [
            "1,19/02/2019,VTE,411C25,,X,P1,EUR,10,D", "2,19/02/2019,VTE,707100,,X,P1,EUR,10,C",
        ]
        started = time.monotonic()  # Ecritures: positional lines, no header
        result(post(sb, "Ecritures", body("Ecritures", entries, format="GestimumComptaVariable")))
        assert time.monotonic() - started >= 0.4
        with pytest.raises(RuntimeError, match="--pannes"):
            sb.line_latency = 0


def test_line_latency_over_http(sandbox: SandboxHandle) -> None:
    answer = HTTP.post(f"{sandbox.url}/sandbox/latency", json={"line_seconds": 0.05}, timeout=10)
    assert answer.json() == {"latency": 0.0, "line_latency": 0.05}
    assert HTTP.get(f"{sandbox.url}/sandbox/faults", timeout=10).json()["line_latency"] == 0.05
    both = {"seconds": 1, "line_seconds": 61}  # checked together: nothing changes
    answer = HTTP.post(f"{sandbox.url}/sandbox/latency", json=both, timeout=10)
    assert answer.status_code == 400 and "line_seconds" in answer.json()["error"]
    assert (sandbox.latency, sandbox.line_latency) == (0.0, 0.05)
    for wrong in ({}, {"secondes": 1}, [1]):
        answer = HTTP.post(f"{sandbox.url}/sandbox/latency", json=wrong, timeout=10)
        assert answer.status_code == 400
    sandbox.line_latency = 0
    assert sandbox.line_latency == 0.0
