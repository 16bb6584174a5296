"""What a question costs, for every route that runs one (asking, SQL, a metric): ``query`` in
the plan and one ``queries`` unit consumed, idempotent on the request id, before any work
(ARCHITECTURE.md, step 2). Denials raise 403 / 429 / 503."""

from __future__ import annotations

from atlas_common.entitlements import EntitlementsClient, raise_for


async def charge_question(entitlements: EntitlementsClient, customer: str, request_id: str) -> None:
    raise_for(await entitlements.has_feature(customer, "query"))
    raise_for(await entitlements.consume(customer, "queries", 1, request_id))
