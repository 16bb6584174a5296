"""The verify dispatcher: the stored-key seam, credential sources, and cache TTLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atlas_auth.credentials import Presented, origin_allowed, pick
from atlas_auth.errors import AuthFailed
from atlas_auth.simple_key import SimpleKeyVerifier
from atlas_auth.stored_keys import RefusingStoredKeyVerifier
from atlas_auth.verify import Verifier
from atlas_common.principal import Principal

KEY_PRINCIPAL = Principal(user_id="u1", workspace_id="w1", role="analyst", auth_mode="managed",
                          credential_id="key-1")


class FakeStoredKeys:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def verify(self, key: str) -> Principal:
        self.seen.append(key)
        return KEY_PRINCIPAL

    async def aclose(self) -> None:
        return None


def verifier(mode: str, stored: object, **parts: object) -> Verifier:
    return Verifier(mode, cache_ttl_s=60, trusted_origins=[],  # type: ignore[arg-type]
                    stored_keys=stored, **parts)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["managed", "byot"])
async def test_stored_keys_go_through_the_seam(mode: str) -> None:
    stored = FakeStoredKeys()
    v = verifier(mode, stored)
    for source in ("bearer", "api-key"):
        assert await v.verify(Presented("atlas_sk_abc", source)) == KEY_PRINCIPAL  # type: ignore[arg-type]
    assert stored.seen == ["atlas_sk_abc", "atlas_sk_abc"]
    with pytest.raises(AuthFailed):  # never from a cookie
        await v.verify(Presented("atlas_sk_abc", "cookie"))


async def test_the_default_seam_refuses_every_stored_key() -> None:
    with pytest.raises(AuthFailed):
        await verifier("byot", RefusingStoredKeyVerifier()).verify(
            Presented("atlas_sk_abc", "bearer"))


async def test_simple_key_mode_does_not_consult_stored_keys() -> None:
    stored = FakeStoredKeys()
    v = verifier("simple-key", stored, simple_key=SimpleKeyVerifier("k" * 20, "analyst", {}))
    with pytest.raises(AuthFailed):
        await v.verify(Presented("atlas_sk_abc", "bearer"))
    assert stored.seen == []


def test_cache_ttl_never_outlives_the_credential() -> None:
    v = verifier("byot", RefusingStoredKeyVerifier())
    soon = datetime.now(UTC) + timedelta(seconds=10)
    assert v.cache_ttl(KEY_PRINCIPAL) == 60
    assert 8 <= v.cache_ttl(KEY_PRINCIPAL.model_copy(update={"expires_at": soon})) <= 10
    past = datetime.now(UTC) - timedelta(seconds=10)
    assert v.cache_ttl(KEY_PRINCIPAL.model_copy(update={"expires_at": past})) == 0


def test_credential_precedence_and_origins() -> None:
    assert pick("Bearer a", "b", "c") == ("a", "bearer")
    assert pick(None, "b", "c") == ("b", "api-key")
    assert pick(None, " ", "c") == ("c", "cookie")
    with pytest.raises(AuthFailed):
        pick("Token a", None, None)
    assert origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000", [])
    assert not origin_allowed("http://127.0.0.1:8001", "127.0.0.1:8000", [])
    assert origin_allowed("https://app.example.test/", "api", ["https://app.example.test"])
