"""Rate limits on the `limits` library: the chat limit per client, the sign-in throttle.

The library counts, in moving windows, in a storage `make_storage` builds once per app:
Redis when `REDIS_URL` is set, so every web process (and every host) shares the counts;
otherwise this process's memory (`make run`: one web process). Redis is reached over
the network, so every check runs in a worker thread (`starlette.concurrency`), never on
the event loop, and a Redis call gives up after `REDIS_TIMEOUT` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from limits import RateLimitItem, parse, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

REDIS_TIMEOUT = 1.0  # seconds; Redis on the same network answers in about a millisecond
# Sign-in throttle: moving windows per key. A sign-in is refused while any window is full.
PAIR_LIMITS = "5 per minute; 20 per hour"  # one name from one address: mistyping, or guessing
ADDRESS_LIMITS = "20 per minute; 60 per 10 minutes"  # looser: a hospital NAT is many people
NAME_LIMITS = "10 per minute"  # any address: a short ceiling, so the owner waits a minute at most
MAX_MEMORY_KEYS = 10_000  # past this many keys, forget those whose windows are empty
WARN_EVERY = 60.0  # seconds between two "Redis unreachable" warnings of the chat limit


class LimitsUnavailable(Exception):
    """The shared storage (Redis) did not answer; nothing was counted."""


def make_storage(redis_url: str | None) -> Storage:
    """The storage for one app: Redis at `redis_url` (shared), else this process's memory."""
    if not redis_url:
        return storage_from_string("memory://")
    if redis_url.startswith("unix://"):  # `limits` spells a Redis socket redis+unix://
        redis_url = "redis+" + redis_url
    return storage_from_string(
        redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )


@contextmanager
def _shared_storage() -> Iterator[None]:
    """Turn Redis's errors into LimitsUnavailable (the sign-in page says it is down)."""
    try:
        yield
    except RedisError as error:
        raise LimitsUnavailable(error.__class__.__name__) from error


def _seconds_until(reset: float) -> int:
    """Whole seconds until `reset`, at least 1.

    `limits` keeps window starts in whole seconds: one second more, so a client that
    obeys never comes back too early.
    """
    return max(1, int(reset - time.time()) + 1)


class _KeyBound:
    """Keeps the memory storage bounded.

    limits 2.4's memory storage expires a key's entries but keeps the key, and every new
    client address or tried name adds one.
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage if isinstance(storage, MemoryStorage) else None
        self.most = MAX_MEMORY_KEYS

    def check(self) -> None:
        """Forget the keys whose windows are empty, once there are more than `most`."""
        if self.storage is None or len(self.storage.events) <= self.most:
            return
        for key in [key for key, entries in list(self.storage.events.items()) if not entries]:
            self.storage.clear(key)
        # Busy keys stay: look again only once they double, so a flood costs no sweep a hit.
        self.most = max(MAX_MEMORY_KEYS, 2 * len(self.storage.events))


class ChatLimit:
    """Allow each client `per_minute` chat messages in any minute (a moving window).

    Args:
        storage: from `make_storage`.
        per_minute: messages one client may send in any 60 seconds.
    """

    def __init__(self, storage: Storage, per_minute: int) -> None:
        self.storage = storage  # the limiter holds only a weak reference to it
        self.limiter = MovingWindowRateLimiter(storage)
        self.bound = _KeyBound(storage)
        self.item = parse(f"{per_minute} per minute")
        self._warned_at = -WARN_EVERY

    def hit(self, client: str) -> int:
        """Count one message of `client`: 0 if allowed, else the seconds to wait.

        Fails open: if Redis does not answer, the message is allowed (patients still get
        their answer) and a warning is logged, without the client or the message.
        """
        try:
            if self.limiter.hit(self.item, "chat", client):
                self.bound.check()
                return 0
            reset, _ = self.limiter.get_window_stats(self.item, "chat", client)
        except RedisError as error:
            if time.monotonic() - self._warned_at > WARN_EVERY:
                self._warned_at = time.monotonic()
                logger.warning(
                    "chat rate limit skipped: Redis unreachable (%s)", error.__class__.__name__
                )
            return 0
        return _seconds_until(reset)


class SignInThrottle:
    """Slow down sign-in attempts after failures, without ever locking a person out.

    Three counts of failures, each in moving windows (`limits` strings):

    * one name from one address (someone mistyping, or guessing one account):
      `PAIR_LIMITS`, 5 a minute and 20 an hour;
    * one address, any name (spraying many accounts): `ADDRESS_LIMITS`, looser (20 a
      minute, 60 in 10 minutes), since a hospital NAT puts many people behind one address;
    * one name, any address (guessing one account from many addresses): `NAME_LIMITS`,
      10 a minute only, so failures elsewhere delay the owner a minute at most: their
      right password from their own address then gets in.

    The wait is the full window's reset time from `limits` (in 2.4: when its newest
    failure is a window old, a little later than one more try would fit, never sooner,
    so an obeying client is not refused again). An admin's unlock (a time kept in the
    database, so every process and the command line agree) is part of the name's keys:
    failures before it are in other keys, and no longer count.

    Args:
        storage: from `make_storage`.
        pair, address, name: the windows of each count (tests pass smaller ones).
    """

    def __init__(
        self,
        storage: Storage,
        pair: str = PAIR_LIMITS,
        address: str = ADDRESS_LIMITS,
        name: str = NAME_LIMITS,
    ) -> None:
        self.storage = storage  # the limiter holds only a weak reference to it
        self.limiter = MovingWindowRateLimiter(storage)
        self.bound = _KeyBound(storage)
        self.pair, self.address, self.name = parse_many(pair), parse_many(address), parse_many(name)

    def _windows(
        self, name: str, address: str, unlocked_at: float | None, *, names_only: bool = False
    ) -> Iterator[tuple[RateLimitItem, tuple[str, ...]]]:
        # Quoted: a "/" in a typed name cannot reach another key (`limits` joins with "/").
        who, where = quote(name, safe=""), quote(address, safe="")
        since = f"{unlocked_at:.6f}" if unlocked_at is not None else "never"
        for item in self.pair:
            yield item, ("sign-in-pair", who, where, since)
        for item in self.name:
            yield item, ("sign-in-name", who, since)
        if not names_only:
            for item in self.address:
                yield item, ("sign-in-address", where)

    def wait(self, name: str, address: str, *, unlocked_at: float | None = None) -> int:
        """Seconds before `name` may try again from `address`; 0 when it may now.

        Args:
            name: the user name tried (lowercase).
            address: the client's address.
            unlocked_at: when an admin last unlocked this name (epoch seconds), if ever.

        Raises:
            LimitsUnavailable: Redis did not answer.
        """
        resets = []
        with _shared_storage():
            for item, keys in self._windows(name, address, unlocked_at):
                reset, remaining = self.limiter.get_window_stats(item, *keys)
                if remaining <= 0:
                    resets.append(reset)
        return _seconds_until(max(resets)) if resets else 0

    def failed(self, name: str, address: str, *, unlocked_at: float | None = None) -> None:
        """Count one failed sign-in of `name` from `address`.

        Raises:
            LimitsUnavailable: Redis did not answer.
        """
        with _shared_storage():
            for item, keys in self._windows(name, address, unlocked_at):
                self.limiter.hit(item, *keys)
        self.bound.check()

    def succeeded(self, name: str, address: str, *, unlocked_at: float | None = None) -> None:
        """The right password: forget this name's failures (not the address's).

        Raises:
            LimitsUnavailable: Redis did not answer.
        """
        with _shared_storage():
            for item, keys in self._windows(name, address, unlocked_at, names_only=True):
                self.limiter.clear(item, *keys)
