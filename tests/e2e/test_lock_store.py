"""Rasa's conversation lock in a real Redis, shared by stores that stand for replicas."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from rasa.utils.endpoints import EndpointConfig

from rasa_ext.lock_store import SharedRedisLockStore
from tests.support.redis_server import RedisServer


def replica(server: RedisServer) -> SharedRedisLockStore:
    """One replica's lock store: its own connection, as in its own process."""
    return SharedRedisLockStore(EndpointConfig(url=server.url))


def test_tickets_issued_at_once_by_many_replicas_are_all_different(
    redis_server: RedisServer,
) -> None:
    stores = [replica(redis_server) for _ in range(8)]
    with ThreadPoolExecutor(len(stores)) as pool:
        numbers = list(
            pool.map(lambda n: stores[n % 8].issue_ticket("one-conversation"), range(64))
        )
    # Rasa's own RedisLockStore reads, adds and writes the list unguarded: replicas
    # that do it at once take the same number, and their turns run together.
    assert sorted(numbers) == list(range(64))
    assert len(stores[0].get_lock("one-conversation").tickets) == 64


def test_a_dead_replicas_ticket_expires_but_the_waiting_message_goes_on(
    redis_server: RedisServer,
) -> None:
    dead, alive = replica(redis_server), replica(redis_server)
    dead.issue_ticket("conversation", lock_lifetime=2)  # its process dies holding it

    async def next_message() -> int:
        async with alive.lock("conversation", lock_lifetime=2, wait_time_in_seconds=0.2) as lock:
            return len(lock.tickets)

    # Issued just after the dead one, the waiting ticket would expire with it and wait
    # for ever; renewed while it waits, it is served once the dead one runs out. (In a
    # thread of its own: the browser tests leave an event loop running in this one.)
    with ThreadPoolExecutor(1) as pool:
        waited = pool.submit(asyncio.run, asyncio.wait_for(next_message(), timeout=15))
        assert waited.result() == 1
    assert alive.get_lock("conversation") is None  # cleaned up after the turn
