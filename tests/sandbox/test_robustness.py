"""Odd but well-formed requests never crash the server nor answer 500."""

from __future__ import annotations

import random

import pytest

from addin.core import catalog
from addin.sandbox import SandboxHandle

from .helpers import body, post

WEIRD = ["", "x", "-1", "1,5", "1.5", "31/02/2024", "0", "1", "é", "☃", " ", '"', "A" * 300]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_endpoint_survives_odd_values(sandbox: SandboxHandle, seed: int) -> None:
    rng = random.Random(seed)
    for ep in catalog.import_endpoints():
        if ep.positional:
            lines = [
                ",".join(rng.choice(WEIRD) for _ in range(rng.randint(0, 18))) for _ in range(6)
            ] + ["E" + ",".join(rng.choice(WEIRD) for _ in range(5)), ">,,"]
            payload = body(ep.name, lines, format="GestimumComptaVariable")
        else:
            codes = [f.code for f in ep.fields]
            rng.shuffle(codes)
            header = codes[: rng.randint(1, len(codes))]
            lines = [";".join(header)] + [
                ";".join(rng.choice(WEIRD) for _ in range(len(header) + rng.randint(-2, 1)))
                for _ in range(5)
            ]
            payload = body(ep.name, lines, identificateur_texte=rng.choice(["", '"']))
        answer = post(sandbox, ep.name, payload)
        assert answer.status_code in (200, 400), (ep.name, answer.text)
        data = answer.json()
        if answer.status_code == 200:
            res = data["result"][0]
            assert res["resultat"] == "succès"
            assert all(isinstance(v, str) for v in res["statistiques"].values())
        else:
            assert isinstance(data["error"], str)
