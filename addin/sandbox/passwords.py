"""Salted, slow password hashes (stdlib scrypt) for the sandbox's users.

Passwords (company users and `USR_PASSWD` of the Utilisateurs import) are stored only as
`scrypt$n$r$p$salt$digest`, compared in constant time and never returned. Every call logs in,
so a successful check is remembered in memory, keyed by an HMAC under a per-process random key:
the slow hash runs once per user and password, and nothing reusable is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

SCHEME = "scrypt"
MASK = "********"  # what read endpoints show instead of a secret value
# Interactive-login parameters (16 MiB, ~50 ms here): slow for a guesser, quick for one login.
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024
_SALT_BYTES = 16
_DIGEST_BYTES = 32

_process_key = os.urandom(32)
_verified: set[bytes] = set()
_verified_lock = threading.Lock()
_VERIFIED_MAX = 4096  # a bound on memory; forgetting only costs one slow hash


def hash_password(password: str) -> str:
    """A fresh salted scrypt hash of the password, in the stored text form."""
    salt = os.urandom(_SALT_BYTES)
    digest = _scrypt(password, salt, _N, _R, _P, _DIGEST_BYTES)
    return f"{SCHEME}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def is_hash(value: str) -> bool:
    """Whether a stored value is already in the hashed form (legacy databases held plain text)."""
    return value.startswith(SCHEME + "$") and value.count("$") == 5


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash (constant-time comparison)."""
    tag = hmac.new(_process_key, f"{stored}\0{password}".encode(), hashlib.sha256).digest()
    with _verified_lock:
        if tag in _verified:
            return True
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        ok = scheme == SCHEME and hmac.compare_digest(
            _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p), len(expected)),
            expected,
        )
    except ValueError:  # not a hash we wrote: never matches
        return False
    if ok:
        with _verified_lock:
            if len(_verified) >= _VERIFIED_MAX:
                _verified.clear()
            _verified.add(tag)
    return ok


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, size: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=size
    )
