import asyncpg
import redis

from tests.support.isolation import BASE_REDIS_URL, Isolation


async def test_isolation_gives_a_private_database(isolation: Isolation) -> None:
    conn = await asyncpg.connect(isolation.database_url)
    try:
        assert await conn.fetchval("SELECT current_database()") == isolation.name
    finally:
        await conn.close()


def test_removal_leaves_nothing_behind() -> None:
    iso = Isolation().create()
    client = redis.Redis.from_url(BASE_REDIS_URL)
    client.set(iso.redis_prefix + "probe", "1")
    iso.remove()
    assert client.exists(iso.redis_prefix + "probe") == 0
    client.close()
