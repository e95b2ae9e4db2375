"""Per-client rate limiting: an in-memory token bucket for each client address.

The buckets live in the process: with several web app processes, each one counts
on its own (put a shared limiter in the reverse proxy for that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 10_000  # forget idle clients past this many, so memory stays bounded


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allow each client `per_minute` requests a minute, with bursts up to that number.

    Args:
        per_minute: the sustained rate, and the burst size.
        clock: seconds, monotonic; tests pass a fake one.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, client: str) -> bool:
        """Take one token from `client`'s bucket; return False when it is empty."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_full_buckets(now)
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(
            self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second
        )
        bucket.updated = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def retry_after(self) -> int:
        """Seconds until one more request is allowed for an empty bucket."""
        return max(1, round(1 / self.refill_per_second))

    def _forget_full_buckets(self, now: float) -> None:
        idle = 60.0  # a bucket untouched for a minute is full again: no need to keep it
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < idle}
        if len(self._buckets) >= MAX_CLIENTS:
            self._buckets.clear()


class FailureThrottle:
    """Lock a key (a user name, a client address) after too many recent failures.

    Args:
        max_failures: failures allowed within `window` seconds.
        window: seconds a failure is remembered.
        clock: seconds, monotonic; tests pass a fake one.
    """

    def __init__(
        self, max_failures: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str) -> list[float]:
        cutoff = self.clock() - self.window
        recent = [t for t in self._failures.get(key, []) if t > cutoff]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def blocked(self, *keys: str) -> int:
        """Seconds until every key may try again; 0 when none is locked."""
        waits = [
            recent[0] + self.window - self.clock()
            for recent in map(self._recent, keys)
            if len(recent) >= self.max_failures
        ]
        return max(1, round(max(waits))) if waits else 0

    def fail(self, *keys: str) -> None:
        """Count one failure against each key."""
        if len(self._failures) >= MAX_CLIENTS:
            self._failures = {k: v for k in list(self._failures) if (v := self._recent(k))}
        now = self.clock()
        for key in keys:
            self._failures.setdefault(key, []).append(now)

    def clear(self, key: str) -> None:
        """Forget a key's failures (after it succeeds)."""
        self._failures.pop(key, None)
