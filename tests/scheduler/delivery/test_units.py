"""The retry policy, the signature helper and the address checks, without a receiver."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

import pytest

from atlas_scheduler.delivery.addresses import is_public, pinned
from atlas_scheduler.delivery.retry import Permanent, Retryable, RetryPolicy, with_retries
from atlas_scheduler.delivery.signing import signature, signature_header, verify


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(attempts=10, base_s=1, cap_s=8)
    for failed, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        delays = {policy.delay(failed) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered
    assert policy.delay(1, hint=3) == 3 and policy.delay(1, hint=600) == 8


async def test_with_retries_stops_at_permanent_and_at_the_last_attempt() -> None:
    calls: list[int] = []

    async def flaky() -> None:
        calls.append(1)
        raise Retryable("h: HTTP 503")

    result = await with_retries(RetryPolicy(3, 0.001, 0.002), flaky)
    assert (result.attempts, result.error, len(calls)) == (3, "h: HTTP 503 (after 3 attempts)", 3)

    async def refused() -> None:
        calls.append(1)
        raise Permanent("h: HTTP 403")

    result = await with_retries(RetryPolicy(3, 0.001, 0.002), refused)
    assert (result.attempts, result.permanent, len(calls)) == (1, True, 4)


def test_signature_matches_the_recipe() -> None:
    body = b'{"a":1}'
    header = signature_header("s" * 16, body, timestamp=1700000000)
    digest = hmac.new(b"s" * 16, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert (
        header
        == f"t=1700000000,v1={digest}"
        == f"t=1700000000,v1={signature('s' * 16, 1700000000, body)}"
    )
    assert verify("s" * 16, header, b'{"a":1}', now=1700000100)
    assert not verify("s" * 16, header, b'{"a":2}', now=1700000100)
    assert not verify("s" * 16, header, b'{"a":1}', now=1700000301)
    assert not verify("s" * 16, "v1=abc", b"{}")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


async def test_pinned_connects_to_the_checked_addresses_and_keeps_the_name() -> None:
    targets = await pinned("http://localhost:8080/a/b?c=d", allow_private=True)
    assert targets and {t.address for t in targets} <= {"127.0.0.1", "::1"}
    for target in targets:
        literal = f"[{target.address}]" if ":" in target.address else target.address
        assert target.url == f"http://{literal}:8080/a/b?c=d"
        assert (target.host, target.host_header) == ("localhost", "localhost:8080")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "https://user:pw@example.com/x", "not a url"]
)
async def test_bad_urls_are_permanent(url: str) -> None:
    with pytest.raises(Permanent):
        await pinned(url, allow_private=True)
