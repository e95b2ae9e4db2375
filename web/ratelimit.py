"""Rate limits: a token bucket per chat client, and a back-off on failed sign-ins.

Both keep their state in the process: with several web app processes, each one counts
on its own (put a shared limiter in the reverse proxy for that).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 10_000  # forget idle clients past this many, so memory stays bounded
# Sign-in back-off (see FailureThrottle): delays in seconds.
PAIR_LONGEST = 15 * 60.0
ADDRESS_FREE = 10
ADDRESS_LONGEST = 5 * 60.0
NAME_FREE = 10
NAME_LONGEST = 30.0
KEEP_PER_KEY = 100  # more failures than this make no longer delay


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


class FailureStore:
    """Recent sign-in failure times per key, in this process's memory.

    All reads and writes of the throttle's state go through here, so moving it to a
    shared store (several web processes) replaces only this class.
    """

    def __init__(self, window: float, keep: int = KEEP_PER_KEY) -> None:
        self.window = window
        self.keep = keep
        self._times: dict[str, list[float]] = {}

    def recent(self, key: str, now: float, since: float | None = None) -> list[float]:
        """The failure times of `key` within the window (and after `since`), oldest first."""
        cutoff = max(now - self.window, since or 0.0)
        times = [t for t in self._times.get(key, []) if t > cutoff]
        if times:
            self._times[key] = times
        else:
            self._times.pop(key, None)
        return times

    def add(self, key: str, now: float) -> None:
        """Remember one failure of `key` at `now`."""
        if key not in self._times and len(self._times) >= MAX_CLIENTS:
            self._forget_old(now)
        times = self._times.setdefault(key, [])
        times.append(now)
        del times[: -self.keep]

    def clear(self, key: str) -> None:
        """Forget every failure of `key`."""
        self._times.pop(key, None)

    def _forget_old(self, now: float) -> None:
        self._times = {k: v for k, v in self._times.items() if v[-1] > now - self.window}
        if len(self._times) >= MAX_CLIENTS:  # keep the half that failed most recently
            newest = sorted(self._times, key=lambda k: self._times[k][-1], reverse=True)
            self._times = {k: self._times[k] for k in newest[: MAX_CLIENTS // 2]}


@dataclass(frozen=True)
class BackOff:
    """How long to wait after failures.

    `free` failures cost nothing; then the delay doubles from `first` seconds up to
    `longest`.
    """

    free: int
    first: float
    longest: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last of `failures` recent failures."""
        if failures < self.free:
            return 0.0
        return min(self.longest, self.first * 2 ** (failures - self.free))


class FailureThrottle:
    """Slow down sign-in attempts after failures, without ever locking a person out.

    Three counts, each a growing delay after the last failure:

    * one name from one address (someone mistyping, or guessing one account): a few
      free tries, then up to PAIR_LONGEST;
    * one address, any name (spraying many accounts): more free tries, since a
      hospital NAT puts many people behind one address, then up to ADDRESS_LONGEST;
    * one name, any address (guessing one account from many addresses): a short
      ceiling only (NAME_LONGEST), so failures elsewhere slow the owner down by
      seconds at most: their right password from their own address still gets in.

    An admin's unlock (a time, kept in the database so every process and the command
    line agree) makes earlier failures of that name not count.

    Args:
        free_failures: failures of one name from one address before any delay.
        window: seconds a failure is remembered.
        clock: seconds since the epoch (a wall clock, as unlock times come from the
            database); tests pass a fake one.
    """

    def __init__(
        self, free_failures: int, window: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.pair = BackOff(free_failures, 1.0, PAIR_LONGEST)
        self.address = BackOff(ADDRESS_FREE, 1.0, ADDRESS_LONGEST)
        self.name = BackOff(NAME_FREE, 1.0, NAME_LONGEST)
        self.clock = clock
        self.store = FailureStore(window)

    def wait(self, name: str, address: str, *, unlocked_at: float | None = None) -> int:
        """Seconds before `name` may try again from `address`; 0 when it may now.

        Args:
            name: the user name tried (lowercase).
            address: the client's address.
            unlocked_at: when an admin last unlocked this name (epoch seconds), if ever.
        """
        now = self.clock()
        waits = [
            self._wait(_pair(name, address), self.pair, now, unlocked_at),
            self._wait("address:" + address, self.address, now, None),
            self._wait("name:" + name, self.name, now, unlocked_at),
        ]
        longest = max(waits)
        return math.ceil(longest) if longest > 0 else 0

    def _wait(self, key: str, back_off: BackOff, now: float, since: float | None) -> float:
        times = self.store.recent(key, now, since)
        return times[-1] + back_off.delay(len(times)) - now if times else 0.0

    def failed(self, name: str, address: str) -> None:
        """Count one failed sign-in of `name` from `address`."""
        now = self.clock()
        for key in (_pair(name, address), "address:" + address, "name:" + name):
            self.store.add(key, now)

    def succeeded(self, name: str, address: str) -> None:
        """The right password: forget this name's failures (not the address's)."""
        self.store.clear(_pair(name, address))
        self.store.clear("name:" + name)


def _pair(name: str, address: str) -> str:
    return f"pair:{name}@{address}"
