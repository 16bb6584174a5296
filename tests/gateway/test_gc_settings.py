"""The gateway's young-generation GC threshold: higher than Python's by default (bursts of
streams, docs/performance.md), an operator's setting otherwise."""

from __future__ import annotations

import pytest

from atlas_common.settings import CommonSettings
from atlas_gateway.settings import GatewaySettings


def test_the_gateway_collects_less_often_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_GC_GEN0_THRESHOLD", raising=False)
    assert GatewaySettings().gc_gen0_threshold == 50_000
    assert CommonSettings().gc_gen0_threshold is None
    monkeypatch.setenv("ATLAS_GC_GEN0_THRESHOLD", "5000")
    assert GatewaySettings().gc_gen0_threshold == 5000
