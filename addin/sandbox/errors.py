"""Request-level failures of the sandbox, answered the DataSnap way (`{"error": "..."}`)."""

from __future__ import annotations


class RequestError(Exception):
    """A request refused as a whole: HTTP status plus a French message for the `error` key."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> RequestError:
    """The body or its parameters are malformed (400)."""
    return RequestError(400, message)
