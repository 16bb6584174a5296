"""Deciding: one pure function shared by the service and every client.

Precedence (override -> plan -> default deny) is already applied in the :class:`Grant`; this
turns a grant and a usage figure into a :class:`Decision`.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_common.entitlements._models import Decision, Grant, Snapshot, Source


@dataclass(frozen=True, slots=True)
class Limit:
    """What one customer has of one feature, ready to decide once the usage is known.

    A gauge's owner (the keys service for ``api-keys``) reads this, counts inside its own
    transaction and calls :meth:`decide`. ``fallback`` is set when the service could not be
    asked and no last-known-good snapshot was left: it is then the answer, whatever the usage.
    """

    feature: str
    grant: Grant | None
    plan: str | None = None
    open: bool = False
    version: int = 0
    source: Source = "service"
    fallback: Decision | None = None

    @classmethod
    def of(cls, snapshot: Snapshot, feature: str, source: Source) -> Limit:
        return cls(
            feature,
            snapshot.features.get(feature),
            snapshot.plan,
            snapshot.open,
            snapshot.version,
            source,
        )

    def presence(self) -> Decision:
        """Is the feature in the plan at all (limits not considered)?"""
        if self.fallback is not None:
            return self.fallback
        refused = self._refusal()
        if refused is not None:
            return refused
        return self._ok(unlimited=self.grant is None or self.grant.unlimited)

    def decide(self, used: int | None, requested: int = 1) -> Decision:
        """The decision for ``requested`` more units when ``used`` are used now.

        ``used`` None for a limited feature means nobody could compute it: denied with
        ``no_limit_provider``.
        """
        if self.fallback is not None:
            return self.fallback
        refused = self._refusal()
        if refused is not None:
            return refused
        grant = self.grant
        if grant is None or not grant.limited:
            return self._ok(unlimited=grant is None or grant.unlimited)
        limit = grant.limit or 0
        if used is None:
            return self._no("no_limit_provider", limit=limit)
        over = used + requested > limit
        if over and grant.policy == "hard":
            return self._no("limit_reached", **self._usage(grant, limit, used))
        return Decision.model_validate(
            {
                "allowed": True,
                "reason": "ok",
                "feature": self.feature,
                "version": self.version,
                "source": self.source,
                "over_limit": over,
                **self._usage(grant, limit, used),
            }
        )

    @staticmethod
    def _usage(grant: Grant, limit: int, used: int) -> dict[str, object]:
        return {
            "limit": limit,
            "used": used,
            "remaining": max(limit - used, 0),
            "reset_at": grant.reset_at,
        }

    def _refusal(self) -> Decision | None:
        if self.grant is None:
            if self.open:
                return None
            return self._no("unknown_feature")
        if not self.grant.included:
            return self._no("not_in_plan" if self.plan else "no_subscription")
        return None

    def _ok(self, *, unlimited: bool) -> Decision:
        boolean = self.grant is not None and self.grant.type == "boolean"
        return Decision(
            allowed=True,
            reason="ok",
            feature=self.feature,
            unlimited=unlimited and not boolean,
            version=self.version,
            source=self.source,
        )

    def _no(self, reason: str, **fields: object) -> Decision:
        return Decision.model_validate(
            {
                "allowed": False,
                "reason": reason,
                "feature": self.feature,
                "version": self.version,
                "source": self.source,
                **fields,
            }
        )


def local_allow(feature: str) -> Decision:
    """No plans file: the built-in self-hosted plan allows everything, calling nothing."""
    return Decision(allowed=True, reason="ok", feature=feature, unlimited=True, source="local")
