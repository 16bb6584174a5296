"""The shape of an Atlas API key: how one is made, read back, hashed and checked.

``atlas_sk_<id>_<secret><checksum>``, 75 characters:

- ``atlas_sk_``: a fixed prefix, so secret scanners (and the auth service) recognise a key;
- ``id``: 16 random hex characters, the public id the row is found by (the list shows it);
- ``secret``: 43 base62 characters holding 32 random bytes (256 bits), the part nobody guesses;
- ``checksum``: 6 base62 characters, CRC-32 of everything before it, so a typo or a look-alike
  string is refused without a database read and a scanner can check a candidate offline.

Only SHA-256 of the whole key is stored. A fast hash is right here: with 256 random bits there
is nothing to brute-force, unlike a password. Checking compares digests with
``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass

PREFIX = "atlas_sk_"
ID_HEX_CHARS = 16
SECRET_BYTES = 32
SECRET_CHARS = 43  # ceil(256 / log2(62))
CHECKSUM_CHARS = 6  # 62**6 > 2**32
START_CHARS = 6
KEY_LENGTH = len(PREFIX) + ID_HEX_CHARS + 1 + SECRET_CHARS + CHECKSUM_CHARS

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_KEY = re.compile(
    rf"^{PREFIX}(?P<id>[0-9a-f]{{{ID_HEX_CHARS}}})_(?P<secret>[0-9A-Za-z]{{{SECRET_CHARS}}})"
    rf"(?P<checksum>[0-9A-Za-z]{{{CHECKSUM_CHARS}}})$"
)
KEY_ID_PATTERN = rf"^[0-9a-f]{{{ID_HEX_CHARS}}}$"


def _base62(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        chars.append(_BASE62[digit])
    if value:
        raise ValueError("value does not fit the width")
    return "".join(reversed(chars))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_CHARS)


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: ``key`` goes to the caller once; only the rest is kept."""

    id: str
    key: str
    key_hash: bytes
    start: str


def new_key() -> NewKey:
    key_id = secrets.token_hex(ID_HEX_CHARS // 2)
    secret = _base62(int.from_bytes(secrets.token_bytes(SECRET_BYTES), "big"), SECRET_CHARS)
    body = f"{PREFIX}{key_id}_{secret}"
    key = body + _checksum(body)
    return NewKey(id=key_id, key=key, key_hash=hash_key(key), start=key_id[:START_CHARS])


def key_id_of(key: str) -> str | None:
    """The public id of a well-formed key with a valid checksum; None for anything else."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    body = key[: -CHECKSUM_CHARS]
    if not hmac.compare_digest(_checksum(body), match["checksum"]):
        return None
    return match["id"]


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def matches(key: str, stored_hash: bytes) -> bool:
    """Constant-time: does ``key`` hash to the stored digest?"""
    return hmac.compare_digest(hash_key(key), stored_hash)
