"""The trusted-server rules (pure): who may receive a password without asking."""

from __future__ import annotations

import pytest

from addin.core import trust
from addin.core.trust import Source


@pytest.mark.parametrize(("url", "expected"), [
    ("http://Gestimum.LAN:8080/", "http://gestimum.lan:8080"),
    ("https://erp.example", "https://erp.example:443"),
    ("http://erp.example", "http://erp.example:80"),
    ("http://user:pw@erp.example:8080/api", "http://erp.example:8080"),
    ("http://[::1]:8080", "http://[::1]:8080"),
])
def test_origin_is_what_decides_who_receives_the_data(url: str, expected: str) -> None:
    assert trust.origin(url) == expected


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://localhost:8080", True), ("http://127.0.0.1:8080", True),
    ("http://127.4.5.6", True), ("http://[::1]:8080", True), ("http://app.localhost", True),
    ("http://10.0.0.5:8080", False), ("http://gestimum", False),
    ("http://localhost.evil.com", False), ("http://127.0.0.1.evil.com", False),
])
def test_loopback_is_this_machine_only(url: str, loopback: bool) -> None:
    assert trust.is_loopback(url) is loopback


def test_only_a_server_named_by_the_workbook_and_unknown_needs_confirmation() -> None:
    remote = "http://srv:8080"
    assert trust.needs_confirmation(remote, Source.WORKBOOK, frozenset())
    assert not trust.needs_confirmation(remote, Source.TYPED, frozenset())
    assert not trust.needs_confirmation(remote, Source.WORKBOOK, {"http://srv:8080"})
    assert not trust.needs_confirmation("http://127.0.0.1:9", Source.WORKBOOK, frozenset())
    # Known over https is not known over http: the downgrade is confirmed again.
    assert trust.needs_confirmation(remote, Source.WORKBOOK, {"https://srv:8080"})


def test_plain_http_warning_only_off_this_machine() -> None:
    assert "non chiffrée" in trust.http_warning("http://srv:8080")
    assert trust.http_warning("https://srv:8080") == ""
    assert trust.http_warning("http://localhost:8080") == ""
