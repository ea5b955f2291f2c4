"""The collector is paused for a command's duration and comes back as it was, even on error."""

from __future__ import annotations

import gc

import pytest

from addin.core.gc_pause import collector_paused


def test_paused_then_back_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still off inside, still off after
            assert not gc.isenabled()
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_cli_pauses_it_for_batch_commands_not_for_the_server(monkeypatch) -> None:
    from addin import cli
    from addin.commands import actions

    seen: dict[str, bool] = {}

    def spy(name: str):
        def handler(args) -> int:
            seen[name] = gc.isenabled()
            return 0
        return handler

    monkeypatch.setattr(actions, "cmd_endpoints", spy("endpoints"))
    monkeypatch.setattr(actions, "cmd_sandbox", spy("sandbox"))
    assert cli.main(["endpoints"]) == 0
    assert cli.main(["sandbox", "--port", "0"]) == 0
    assert seen == {"endpoints": False, "sandbox": True}
    assert gc.isenabled()
