"""HTTP client of the Gestimum Web Service 2 (httpx): one POST per batch, never retried.

Every httpx exception is mapped here, once, into `addin.core.errors`; the password sent in the
body is scrubbed from every message and never logged.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import httpx
import truststore

from addin.core import catalog
from addin.core.answers import refusal_reason
from addin.core.catalog import Endpoint
from addin.core.errors import (
    CHECK_IN_GESTIMUM,
    AddinError,
    ConfigError,
    ImportServerError,
    InvalidAnswerError,
    InvalidImportAnswerError,
    OutcomeUnknownError,
    ServerError,
    ServerUnreachableError,
    TLSError,
)
from addin.core.report_rows import safe_url
from addin.core.trust import is_loopback

__all__ = ["GestimumClient", "DEFAULT_CONNECT_TIMEOUT", "DEFAULT_READ_TIMEOUT", "tls_context"]

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 10.0
# Gestimum opens the company (~5 s) then imports synchronously: big batches take minutes.
DEFAULT_READ_TIMEOUT = 900.0
DEFAULT_WRITE_TIMEOUT = 120.0
SANDBOX_HEADER = "X-Gestimum-Sandbox"  # set by addin/sandbox on every answer
_VERSION_URLS = ("api/rest/Outils/%22Version%22", "api/rest/Outils/%22VersionERP%22")
_MAX_SERVER_TEXT = 500


class GestimumClient:
    """Talks to one Gestimum Web Service 2 server; use it as a context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        verify: bool | ssl.SSLContext = True,
        ca_bundle: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = (base_url or "").strip()
        if not base.lower().startswith(("http://", "https://")):
            raise ConfigError(
                f"Adresse du serveur invalide « {safe_url(base)} » : elle doit commencer par "
                "http:// ou https:// (par exemple http://localhost:8080)."
            )
        self.base_url = base.rstrip("/")
        timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=connect_timeout
        )
        if verify is True:  # False only for --insecure, the last resort
            verify = tls_context(ca_bundle)
        # trust_env=False: a stray HTTP(S)_PROXY must not silently reroute company data, and
        # SSL_CERT_FILE must not replace the operating system's trust store.
        self._http = httpx.Client(
            timeout=timeout, verify=verify, transport=transport, trust_env=False
        )
        self._secrets: set[str] = set()

    def __enter__(self) -> GestimumClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def url_for(self, endpoint: Endpoint | str) -> str:
        """Full URL of an endpoint: base URL + the documented relative URL."""
        url = endpoint if isinstance(endpoint, str) and "/" in endpoint else _endpoint(endpoint).url
        return f"{self.base_url}/{url.lstrip('/')}"

    def post_import(self, endpoint: Endpoint | str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one import body; returns the decoded answer (`{"result": [...]}`). Never retried."""
        ep = _endpoint(endpoint)
        self._remember_password(body)
        url = self.url_for(ep)
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        started = time.monotonic()
        log.info("POST %s (%d octets)", safe_url(url), len(content))
        with self._map_errors(post=True):
            response = self._http.post(
                url,
                content=content,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
            )
        elapsed = time.monotonic() - started
        log.info("POST %s → HTTP %d en %.1f s", safe_url(url), response.status_code, elapsed)
        try:
            return self._answer(response, post=True)
        finally:
            _release(response)

    def versions(self) -> tuple[str, str]:
        """The web-service and ERP versions (the two documented `Outils` GET requests)."""
        messages = []
        for relative in _VERSION_URLS:
            url = f"{self.base_url}/{relative}"
            with self._map_errors(post=False):
                response = self._http.get(url, headers={"Accept": "application/json"})
            answer = self._answer(response, post=False)
            messages.append(str(answer["result"][0].get("message", "")))
        return messages[0], messages[1]

    def is_bundled_sandbox(self) -> bool:
        """True for the sandbox shipped with the add-in, on this machine (it marks its answers):
        imports into it never need a production confirmation. Any failure means "no"."""
        if not is_loopback(self.base_url):  # a remote server could claim anything
            return False
        try:
            with self._map_errors(post=False):
                response = self._http.get(f"{self.base_url}/{_VERSION_URLS[0]}",
                                          headers={"Accept": "application/json"})
        except ServerUnreachableError:
            raise  # said now, in French, rather than after a pointless confirmation
        except AddinError:
            return False
        return response.headers.get(SANDBOX_HEADER) == "1"

    # -- internals -------------------------------------------------------------------------

    def _remember_password(self, body: dict[str, Any]) -> None:
        for root in body.values():
            if isinstance(root, dict):
                password = (root.get("societe") or {}).get("mot_passe")
                if isinstance(password, str) and password:
                    self._secrets.add(password)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @contextmanager
    def _map_errors(self, *, post: bool) -> Iterator[None]:
        """Map httpx transport exceptions: nothing sent → unreachable; maybe sent → unknown."""
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            detail = self._scrub(_describe(exc))
            if _is_tls_failure(exc):
                raise TLSError(detail=detail) from exc
            raise ServerUnreachableError(
                f"{ServerUnreachableError.default_message} ({safe_url(self.base_url)} : {detail})",
                detail=detail,
            ) from exc
        except httpx.ProxyError as exc:
            raise ServerUnreachableError(detail=self._scrub(_describe(exc))) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise ConfigError(
                f"Adresse du serveur invalide « {safe_url(self.base_url)} » : "
                f"{self._scrub(str(exc))}"
            ) from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            # Read/write timeouts, dropped connections, protocol errors: the request may
            # have been received and executed by Gestimum.
            detail = self._scrub(_describe(exc))
            if not post:
                raise ServerUnreachableError(
                    f"Le serveur Gestimum n'a pas répondu ({detail}) : relancez dans un instant.",
                    detail=detail,
                ) from exc
            raise OutcomeUnknownError(
                f"{_transport_reason(exc)} : {CHECK_IN_GESTIMUM} "
                "(les lignes ont peut-être été importées).",
                detail=detail,
            ) from exc

    def _answer(self, response: httpx.Response, *, post: bool) -> dict[str, Any]:
        """Decode a response; `{"error": …}` and HTTP errors become exceptions."""
        try:
            data = _decode_json(response.content)
        except ValueError:
            data = None
        status = response.status_code
        if isinstance(data, dict) and "error" in data:
            server_message = self._scrub(_text(data["error"]))
            reason = refusal_reason(status, server_message)
            if post and reason is None:
                # An error after the body was sent that does not prove nothing was imported.
                raise ImportServerError(
                    f"Gestimum a répondu par une erreur pendant l'import ({server_message}) : "
                    f"{CHECK_IN_GESTIMUM}.",
                    status=status,
                    server_message=server_message,
                )
            raise ServerError(
                f"{reason} : {server_message}" if reason and post
                else f"Gestimum a refusé la requête : {server_message}",
                status=status,
                server_message=server_message,
            )
        if status >= 400:
            body_text = self._scrub(_text(response.text))
            detail = f"HTTP {status} {response.reason_phrase}".strip()
            if post and status >= 500:
                raise ImportServerError(
                    f"Erreur du serveur ({detail}) pendant l'import : {CHECK_IN_GESTIMUM}.",
                    status=status,
                    server_message=body_text,
                    detail=detail,
                )
            raise ServerError(
                f"Le serveur a répondu {detail}"
                + (f" : {body_text}" if body_text else "")
                + ". Vérifiez l'adresse du serveur et réessayez.",
                status=status,
                server_message=body_text,
                detail=detail,
            )
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, list) or not result or not isinstance(result[0], dict):
            cls = InvalidImportAnswerError if post else InvalidAnswerError
            preview = self._scrub(_text(response.text))[:120]
            raise cls(
                f"{cls.default_message} (reçu : « {preview} »)" if preview else None,
                detail=f"HTTP {status}",
            )
        return data


def tls_context(ca_bundle: str = "") -> ssl.SSLContext:
    """Certificates checked against the operating system's trust store (Windows: the one IT
    manages, so internal certificate authorities work), plus an optional `.pem` bundle."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise ConfigError(
                f"Certificat CA « {ca_bundle} » illisible ({type(exc).__name__}) : indiquez dans "
                "la feuille Connexion le chemin d'un fichier .pem (ou .crt en base 64) de "
                "l'autorité de certification de votre entreprise. Rien n'a été envoyé.",
                detail=repr(exc),
            ) from exc
    return context


def _endpoint(endpoint: Endpoint | str) -> Endpoint:
    return catalog.get_endpoint(endpoint) if isinstance(endpoint, str) else endpoint


def _decode_json(content: bytes) -> Any:
    """JSON in UTF-8 (any BOM); falls back to Windows-1252, which Delphi servers may send."""
    try:
        return json.loads(content)
    except UnicodeDecodeError:
        return json.loads(content.decode("cp1252"))


def _text(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SERVER_TEXT else text[: _MAX_SERVER_TEXT - 1] + "…"


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _is_tls_failure(exc: Exception) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).upper()
    return "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "TLS" in text


def _transport_reason(exc: Exception) -> str:
    if isinstance(exc, httpx.ReadTimeout):
        return "Pas de réponse du serveur dans le délai imparti après l'envoi"
    if isinstance(exc, httpx.WriteTimeout | httpx.WriteError):
        return "Envoi interrompu en cours de transmission"
    return "Connexion interrompue après l'envoi"


def _release(response: httpx.Response) -> None:
    """Free a read response, and the request body it holds, now: httpx links a response and its
    stream in a reference cycle, which would keep every batch sent (megabytes each) until the
    cyclic garbage collector runs, and imports pause it (`core/gc_pause.py`)."""
    response.close()
    response.stream = httpx.ByteStream(b"")
