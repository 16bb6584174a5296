"""The key's shape: 256 random bits, a recognisable prefix, a public id, a checksum; only a
hash is kept and it is compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from atlas_keys import keyformat


def test_a_new_key_has_the_documented_shape() -> None:
    made = keyformat.new_key()
    assert re.fullmatch(r"atlas_sk_[0-9a-f]{16}_[0-9A-Za-z]{49}", made.key)
    assert len(made.key) == keyformat.KEY_LENGTH == 75
    assert made.key.startswith(keyformat.PREFIX + made.id + "_")
    assert made.start == made.id[:6]
    assert keyformat.key_id_of(made.key) == made.id


def test_the_secret_holds_256_random_bits() -> None:
    assert keyformat.SECRET_BYTES * 8 >= 256
    assert 62**keyformat.SECRET_CHARS >= 2**256  # the encoding loses nothing
    keys = {keyformat.new_key().key for _ in range(2000)}
    assert len(keys) == 2000
    secrets = [k[26:69] for k in keys]
    # Every base62 digit shows up in every position range: nothing is fixed or biased away.
    assert set("".join(secrets)) == set(keyformat._BASE62)


def test_only_a_sha256_digest_is_kept() -> None:
    made = keyformat.new_key()
    assert made.key_hash == hashlib.sha256(made.key.encode()).digest()
    assert made.key.encode() not in made.key_hash
    assert keyformat.matches(made.key, made.key_hash)
    assert not keyformat.matches(keyformat.new_key().key, made.key_hash)


def test_matching_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    made = keyformat.new_key()
    assert keyformat.matches(made.key, made.key_hash)
    assert calls and calls[-1][1] == made.key_hash


@pytest.mark.parametrize("position", [0, 9, 12, 25, 26, 50, 68, 69, 74])
def test_any_typo_breaks_the_checksum_or_the_shape(position: int) -> None:
    key = keyformat.new_key().key
    replacement = "1" if key[position] != "1" else "2"
    typo = key[:position] + replacement + key[position + 1:]
    assert keyformat.key_id_of(typo) is None


@pytest.mark.parametrize("value", [
    "", "atlas_sk_", "atlas_sk_0123456789abcdef", "ATLAS_SK_" + "a" * 66,
    "sk_" + "a" * 72, " " + "a" * 74, "atlas_sk_" + "g" * 16 + "_" + "a" * 49,
])
def test_malformed_values_have_no_id(value: str) -> None:
    assert keyformat.key_id_of(value) is None


def test_surrounding_whitespace_or_extra_characters_are_refused() -> None:
    key = keyformat.new_key().key
    for value in (key + " ", " " + key, key + "a", key[:-1], key + "\n"):
        assert keyformat.key_id_of(value) is None
