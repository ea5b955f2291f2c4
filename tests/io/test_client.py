"""GestimumClient: exception mapping (MockTransport) and real HTTP against the sandbox."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import ssl
import subprocess
import threading

import httpx
import pytest
import truststore

from addin.core import catalog, errors
from addin.io.client import GestimumClient

CLIENTS = catalog.get_endpoint("Clients")
SECRET = "S3cr3t-Motdepasse"
OK = {"result": [{"resultat": "succès", "message": "terminé"}]}


def body(password: str = SECRET, lines: list[str] | None = None) -> dict:
    return {
        "importer_clients": {
            "societe": {"fichier": "DEMO.Gestimum", "utilisateur": "DEMO", "mot_passe": password},
            "parametres": {
                "journal": "Oui",
                "statistiques": "Oui",
                "entete": "Oui",
                "separateur_champs": ";",
                "fichier_clients": lines or ["PCF_CODE;PCF_RS", "CLIMOCK;Société é"],
            },
        }
    }


def client_for(handler) -> GestimumClient:
    return GestimumClient("http://gestimum.test:8080/", transport=httpx.MockTransport(handler))


def test_post_sends_utf8_json_to_documented_url():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    with client_for(handler) as client:
        assert client.post_import(CLIENTS, body()) == OK
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "http://gestimum.test:8080/api/rest/Clients/%22Importer%22"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content.decode("utf-8")) == body()
    assert "Société é".encode() in request.content  # not \u-escaped


def test_versions_returns_both_messages():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        message = "8.4.1" if "VersionERP" in request.url.path else "2.0.0"
        return httpx.Response(200, json={"result": [{"resultat": "succès", "message": message}]})

    with client_for(handler) as client:
        assert client.versions() == ("2.0.0", "8.4.1")


def raising(exc_type):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(f"boom {SECRET}", request=request)

    return handler


@pytest.mark.parametrize(
    ("exc_type", "expected"),
    [
        (httpx.ConnectError, errors.ServerUnreachableError),
        (httpx.ConnectTimeout, errors.ServerUnreachableError),
        (httpx.PoolTimeout, errors.ServerUnreachableError),
        (httpx.ReadTimeout, errors.OutcomeUnknownError),
        (httpx.ReadError, errors.OutcomeUnknownError),
        (httpx.WriteError, errors.OutcomeUnknownError),
        (httpx.WriteTimeout, errors.OutcomeUnknownError),
        (httpx.RemoteProtocolError, errors.OutcomeUnknownError),
    ],
)
def test_transport_errors_are_mapped_once_and_scrubbed(exc_type, expected):
    with client_for(raising(exc_type)) as client, pytest.raises(expected) as info:
        client.post_import(CLIENTS, body())
    assert isinstance(info.value.__cause__, exc_type)
    assert SECRET not in info.value.user_message and SECRET not in str(info.value)
    assert SECRET not in info.value.detail
    assert info.value.exit_code == 3
    if expected is errors.OutcomeUnknownError:
        assert "vérifier dans Gestimum avant de relancer" in info.value.user_message
        assert not info.value.nothing_sent
    else:
        assert info.value.nothing_sent


def _transport_errors(cls=httpx.TransportError):
    for sub in cls.__subclasses__():
        yield sub
        yield from _transport_errors(sub)


@pytest.mark.parametrize("exc_type", sorted(set(_transport_errors()), key=lambda c: c.__name__))
def test_every_httpx_transport_error_is_mapped(exc_type):
    """Like httpx's own test: a new httpx exception must not escape the adapter."""
    with client_for(raising(exc_type)) as client, pytest.raises(errors.AddinError) as info:
        client.post_import(CLIENTS, body())
    assert info.value.user_message
    # For a POST, only errors raised before anything was sent may claim "nothing sent".
    if info.value.nothing_sent:
        assert issubclass(
            exc_type,
            httpx.ConnectError
            | httpx.ConnectTimeout
            | httpx.PoolTimeout
            | httpx.ProxyError
            | httpx.UnsupportedProtocol,
        )


def test_get_timeouts_are_not_unknown_outcomes():
    with (
        client_for(raising(httpx.ReadTimeout)) as client,
        pytest.raises(errors.ServerUnreachableError),
    ):
        client.versions()


def test_error_body_whatever_the_status_is_a_server_error_with_its_message():
    for status in (200, 400, 500):

        def handler(request, status=status):
            return httpx.Response(status, json={"error": f"Mot de passe {SECRET} incorrect"})

        with client_for(handler) as client, pytest.raises(errors.ServerError) as info:
            client.post_import(CLIENTS, body())
        assert not isinstance(info.value, errors.OutcomeUnknownError)
        assert info.value.status == status
        assert "Mot de passe *** incorrect" in info.value.user_message
        assert SECRET not in info.value.server_message


def test_http_5xx_without_error_body_after_post_is_unknown_outcome():
    with (
        client_for(lambda r: httpx.Response(502, text="<html>Bad gateway</html>")) as client,
        pytest.raises(errors.OutcomeUnknownError) as info,
    ):
        client.post_import(CLIENTS, body())
    assert isinstance(info.value, errors.ServerError)
    assert info.value.status == 502


def test_http_4xx_without_error_body_is_a_server_error():
    with (
        client_for(lambda r: httpx.Response(404, text="Not found")) as client,
        pytest.raises(errors.ServerError) as info,
    ):
        client.post_import(CLIENTS, body())
    assert not isinstance(info.value, errors.OutcomeUnknownError)
    assert "404" in info.value.user_message


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'{"result": []}', b'{"x": 1}'])
def test_unreadable_answers(content):
    with (
        client_for(lambda r: httpx.Response(200, content=content)) as client,
        pytest.raises(errors.InvalidAnswerError) as info,
    ):
        client.post_import(CLIENTS, body())
        # After a POST an unreadable answer may hide an import: never re-send blindly.
        assert isinstance(info.value, errors.OutcomeUnknownError)
        with pytest.raises(errors.InvalidAnswerError) as info:
            client.versions()
        assert not isinstance(info.value, errors.OutcomeUnknownError)


def test_cp1252_answer_is_decoded():
    text = '{"result": [{"resultat": "succès", "message": "terminé"}]}'.encode("cp1252")
    with client_for(lambda r: httpx.Response(200, content=text)) as client:
        assert client.post_import(CLIENTS, body())["result"][0]["resultat"] == "succès"


def test_bad_base_url_is_a_config_error():
    with pytest.raises(errors.ConfigError):
        GestimumClient("localhost:8080")


def test_post_is_never_retried():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadTimeout("timed out", request=request)

    with client_for(handler) as client, pytest.raises(errors.OutcomeUnknownError):
        client.post_import(CLIENTS, body())
    assert len(calls) == 1


def test_tls_verified_by_default(monkeypatch):
    captured = {}
    real = httpx.Client.__init__

    def spy(self, *args, **kwargs):
        captured.update(kwargs)
        real(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", spy)
    GestimumClient("https://gestimum.example").close()
    # The operating system's trust store (truststore), not certifi's bundle.
    assert isinstance(captured["verify"], truststore.SSLContext)
    assert captured["verify"].verify_mode == ssl.CERT_REQUIRED
    assert captured["timeout"].connect == 10.0 and captured["timeout"].read == 900.0


# -- against the real sandbox on loopback ------------------------------------------------

sandbox = pytest.importorskip("addin.sandbox")


@pytest.fixture(scope="module")
def server():
    with sandbox.running_sandbox(faults=True) as handle:
        yield handle


def sandbox_body(code: str) -> dict:
    return body(password="", lines=["PCF_CODE;CPT_NUMERO;PCF_RS", f"{code};411{code};Client"])


def test_sandbox_import_and_versions(server):
    with GestimumClient(server.url) as client:
        answer = client.post_import(CLIENTS, sandbox_body("CLILOOP1"))
        web, erp = client.versions()
    assert answer["result"][0]["statistiques"]["nombre_lignes_importées"] == "1"
    assert web and erp
    assert any(r.get("PCF_CODE") == "CLILOOP1" for r in server.rows("Clients"))


@pytest.mark.parametrize("code", ["CLIFREE1", "BAD;CODE"])  # an answer, and a refusal
def test_a_batch_sent_is_freed_at_once_with_the_collector_paused(server, code) -> None:
    """Imports pause the cyclic collector: httpx's response ↔ stream cycle must not keep each
    request body alive until the end of the run."""
    import gc
    import weakref

    seen: list[weakref.ref] = []
    with GestimumClient(server.url) as client:
        post = client._http.post

        def spying_post(*args, **kwargs):
            response = post(*args, **kwargs)
            seen.append(weakref.ref(response.request))
            return response

        client._http.post = spying_post
        gc.disable()
        try:
            with contextlib.suppress(errors.AddinError):  # a refusal is freed just the same
                client.post_import(CLIENTS, sandbox_body(code))
            assert [ref() for ref in seen] == [None]
        finally:
            gc.enable()


def test_sandbox_unreachable_port():
    with (
        GestimumClient("http://127.0.0.1:9", connect_timeout=2) as client,
        pytest.raises(errors.ServerUnreachableError),
    ):
        client.versions()


@pytest.mark.parametrize(
    ("fault", "expected", "landed"),
    [
        ("error", errors.ServerError, False),
        ("http500", errors.OutcomeUnknownError, False),
        ("drop_before", errors.OutcomeUnknownError, False),
        ("drop_after_commit", errors.OutcomeUnknownError, True),
    ],
)
def test_sandbox_faults(server, fault, expected, landed):
    code = f"CLIF{fault.upper()[:6]}"
    server.inject(fault, endpoint="Clients")
    with GestimumClient(server.url) as client, pytest.raises(expected) as info:
        client.post_import(CLIENTS, sandbox_body(code))
    assert info.value.exit_code == 3
    assert any(r.get("PCF_CODE") == code for r in server.rows("Clients")) is landed
    if expected is errors.ServerError:
        assert info.value.server_message  # the sandbox's French message is carried


def test_sandbox_hang_is_a_read_timeout_with_unknown_outcome(server):
    server.inject("hang", endpoint="Clients", seconds=3)
    with (
        GestimumClient(server.url, read_timeout=0.5) as client,
        pytest.raises(errors.OutcomeUnknownError) as info,
    ):
        client.post_import(CLIENTS, sandbox_body("CLIHANG"))
    assert "délai" in info.value.user_message


def test_credentials_in_the_url_never_reach_messages():
    transport = httpx.MockTransport(raising(httpx.ConnectError))
    with (
        GestimumClient("http://jean:Pa55w0rd@gestimum.test", transport=transport) as client,
        pytest.raises(errors.ServerUnreachableError) as info,
    ):
        client.versions()
    assert "Pa55w0rd" not in info.value.user_message
    assert "gestimum.test" in info.value.user_message


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl absent")
def test_untrusted_certificate_is_refused_by_default(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        with (
            GestimumClient(url, connect_timeout=5) as client,
            pytest.raises(errors.TLSError) as info,
        ):
            client.versions()
        assert info.value.nothing_sent and "certificat" in info.value.user_message
    finally:
        server.shutdown()
        server.server_close()
