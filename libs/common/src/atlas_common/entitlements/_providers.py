"""Limit providers: callbacks that compute a gauge's current value, registered by feature id.

A gauge (``api-keys``: active API keys) is counted by the service that owns what it counts.
A limited gauge with no provider in the deciding process is denied (``no_limit_provider``),
unless ``ATLAS_ENTITLEMENTS_ALLOW_WITHOUT_PROVIDER`` names it.
"""

from __future__ import annotations

from typing import Protocol


class LimitProvider(Protocol):
    async def __call__(self, customer_id: str) -> int:
        """The feature's current value for this customer (active API keys, seats...)."""
        ...


class LimitProviders:
    def __init__(self) -> None:
        self._providers: dict[str, LimitProvider] = {}

    def register(self, feature: str, provider: LimitProvider) -> None:
        if feature in self._providers:
            raise ValueError(f"a limit provider for {feature!r} is registered already")
        self._providers[feature] = provider

    def unregister(self, feature: str) -> None:
        self._providers.pop(feature, None)

    def get(self, feature: str) -> LimitProvider | None:
        return self._providers.get(feature)

    def __contains__(self, feature: str) -> bool:
        return feature in self._providers
