"""Last-used times are recorded without a write per request: coalesced, one UPDATE per
interval for every key used in it (default: once a minute)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from atlas_keys.last_used import LastUsedRecorder
from atlas_keys.settings import KeysSettings
from tests.keys.conftest import FLUSH_S, Running
from tests.keys.support import KeysApi, principal
from tests.support.polling import eventually


def test_the_default_interval_is_a_minute() -> None:
    assert KeysSettings.model_fields["last_used_flush_s"].default == 60


async def test_last_used_is_recorded_and_coalesced(client: httpx.AsyncClient,
                                                   keys_app: Running) -> None:
    api = KeysApi(client, principal())
    created = await api.created()
    started = time.monotonic()
    for _ in range(40):
        assert (await api.verify(created["key"])).status_code == 200
    last_use = datetime.now(UTC)

    async def recorded() -> str | None:
        value: str | None = (await api.list())["apiKeys"][0]["lastRequest"]
        return value

    value = await eventually(recorded, timeout=5, what="lastRequest to be written")
    assert abs(datetime.fromisoformat(value) - last_use) < timedelta(seconds=2)
    window = time.monotonic() - started
    writes = keys_app.state.recorder.writes[created["id"]]
    # 40 verifications; at most one write per flush interval of the window.
    assert 1 <= writes <= window / FLUSH_S + 1, (writes, window)
    assert writes < 40


async def test_one_statement_per_flush_and_time_never_goes_back(
        client: httpx.AsyncClient, db: asyncpg.Pool) -> None:
    api = KeysApi(client, principal())
    key_ids = [(await api.created(name=f"k{i}"))["id"] for i in range(3)]
    recorder = LastUsedRecorder(db, interval_s=3600)  # flushed by hand here
    now = datetime.now(UTC).replace(microsecond=0)
    for second in range(100):
        for key_id in key_ids:
            recorder.touch(key_id, now - timedelta(seconds=100 - second))
    await recorder.flush()
    assert recorder.flushes == 1 and all(recorder.writes[k] == 1 for k in key_ids)
    stored = await db.fetch("SELECT last_request FROM keys.api_keys WHERE id = ANY($1)", key_ids)
    assert {r["last_request"] for r in stored} == {now - timedelta(seconds=1)}

    recorder.touch(key_ids[0], now - timedelta(hours=1))  # an older time never wins
    await recorder.flush()
    value = await db.fetchval("SELECT last_request FROM keys.api_keys WHERE id = $1",
                              key_ids[0])
    assert value == now - timedelta(seconds=1)
    await recorder.flush()  # nothing pending: no statement
    assert recorder.flushes == 2
