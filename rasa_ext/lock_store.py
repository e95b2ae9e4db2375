"""Rasa's Redis lock store, made safe for several Rasa replicas.

Rasa takes a conversation's lock by issuing a ticket: it reads the conversation's
ticket list from Redis, adds the next number and writes the list back. Rasa 3.6's
`RedisLockStore` does that read-modify-write without any guard, so two replicas that
receive messages of one conversation at the same moment can both read the same list:
they take the same ticket number (or one ticket overwrites the other), both turns run
at once, and the tracker store keeps only one of them (tests/e2e/test_cluster.py saw 5
of 10 turns survive). Within one replica the event loop already runs these steps one
at a time, since they never await.

This store keeps Rasa's tickets and waiting as they are, and wraps each
read-modify-write of a conversation's ticket list in a short Redis mutex (redis-py's
`Lock`, `SET NX` with an expiry), so they happen one at a time across replicas.

It also keeps alive the tickets of the messages that wait. Rasa gives each ticket a
fixed lifetime from the moment it is issued (`TICKET_LOCK_LIFETIME`), so that the ticket
of a replica that died stops blocking the conversation. But a message that waits behind
such a ticket was issued its own ticket about as long ago: both expire together, and
the waiting message then waits for ever (tests/e2e/test_cluster.py saw it when it killed
a replica). Here, each time a replica checks the queue it renews the tickets it is
waiting with, so only the dead replica's ticket runs out.

`endpoints-cluster.yml`:

    lock_store:
      type: rasa_ext.lock_store.SharedRedisLockStore
      url: ${REDIS_URL}
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

SOCKET_TIMEOUT_SECONDS = 10.0
# A ticket-list update takes a few milliseconds; the expiry frees the mutex of a replica
# that dies holding it.
MUTEX_SECONDS = 5.0


class SharedRedisLockStore(RedisLockStore):
    """Rasa's ticket lock in Redis, with each update of a ticket list done atomically.

    Args:
        endpoint_config: the `lock_store` entry; its `url` is a Redis URL
            (`redis://:PASSWORD@HOST:PORT/DB`), the same `REDIS_URL` the other processes
            read.
    """

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(key_prefix=endpoint_config.kwargs.get("key_prefix"))
        self.red = redis.StrictRedis.from_url(
            endpoint_config.url, socket_timeout=SOCKET_TIMEOUT_SECONDS
        )
        # This process's tickets, from issue to cleanup: (conversation, number) -> lifetime.
        self._own: dict[tuple[str, int], float] = {}

    @contextmanager
    def _ticket_list(self, conversation_id: str) -> Iterator[None]:
        mutex = self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
        )
        if not mutex.acquire():
            raise LockError(f"The ticket list of a conversation stayed busy {MUTEX_SECONDS} s.")
        try:
            yield
        finally:
            try:
                mutex.release()
            except redis.exceptions.LockNotOwnedError:
                pass  # it expired first: the next holder has it now

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Add the next ticket to the conversation's list (see `LockStore.issue_ticket`)."""
        with self._ticket_list(conversation_id):
            number = super().issue_ticket(conversation_id, lock_lifetime)
        self._own[conversation_id, number] = lock_lifetime
        return number

    def update_lock(self, conversation_id: str) -> None:
        """Renew this process's tickets, then drop expired ones (`LockStore.update_lock`)."""
        with self._ticket_list(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock:
                now = time.time()
                for ticket in lock.tickets:
                    lifetime = self._own.get((conversation_id, ticket.number))
                    if lifetime is not None:
                        ticket.expires = now + lifetime
                lock.remove_expired_tickets()
                self.save_lock(lock)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket, and the list once nobody waits (`LockStore.cleanup`)."""
        self._own.pop((conversation_id, ticket_number), None)
        with self._ticket_list(conversation_id):
            super().cleanup(conversation_id, ticket_number)
