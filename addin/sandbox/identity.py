"""How the sandbox presents itself: the versions it emulates, and the marks saying it is one.

Every answer carries `X-Gestimum-Sandbox: 1` and both `Outils` answers carry
`"bac_a_sable": "Oui"`, so that the add-in knows it never needs a production confirmation
here (a real Gestimum sends neither). The ERP version is configurable, to test the add-in
against an older Gestimum.
"""

from __future__ import annotations

import re

HEADER = "X-Gestimum-Sandbox"
HEADER_VALUE = "1"
VERSION_FIELD = "bac_a_sable"
VERSION_FIELD_VALUE = "Oui"

# The versions emulated by default, in the documented message format.
WEB_SERVICE_VERSION = "2.0.0 (18/09/2019 14:37:08)"
ERP_VERSION = "8.4.1.856 (13/08/2019 10:50:52)"


_VERSION = re.compile(r"\d{1,5}(\.\d{1,6}){0,4}( \([^()\r\n]{1,40}\))?\Z")


def erp_version(text: str) -> str:
    """A configured ERP version: `9.5.0.1200`, optionally with its build stamp in brackets.

    Answered exactly as given; ValueError (in French) for anything a client could not parse.
    """
    if not _VERSION.match(text):
        raise ValueError(
            f"Version de l'ERP invalide : « {text[:60]} » (attendu : 9.5.0.1200 ou "
            "« 8.4.1.856 (13/08/2019 10:50:52) »)."
        )
    return text


def version_answer(message: str) -> dict[str, object]:
    """An `Outils` answer: the documented shape plus the sandbox's own field."""
    answer = {"resultat": "succès", "message": message, VERSION_FIELD: VERSION_FIELD_VALUE}
    return {"result": [answer]}
