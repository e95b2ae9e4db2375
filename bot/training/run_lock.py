"""The one-run-at-a-time lock of "train and deploy": a file lock, or a Redis lock.

Without `REDIS_URL` (`make run`, one machine) the lock is an exclusive `flock` on a
file next to the models: the operating system drops it when the process ends, however
it ends. With `REDIS_URL` (web processes and the command line on several hosts) it is
a Redis key with a timeout (`LOCK_TIMEOUT`), renewed by a daemon thread while held: a
process that dies stops renewing, and the lock is free again within the timeout.
Either way, nobody holding the lock means no run is working.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO

import redis
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from bot.errors import Refused

logger = logging.getLogger(__name__)

LOCK_KEY = "immunotherapy-assistant:training-run-lock"
LOCK_TIMEOUT = 60.0  # seconds a dead holder keeps the Redis lock at most
REDIS_TIMEOUT = 2.0  # seconds a Redis call may take (the models page waits for it)


class LockUnavailable(Refused):
    """Redis (`REDIS_URL`) did not answer, so nobody can tell whether a run is working."""


class RunLock(ABC):
    """The exclusive lock held while a run works; release it when the run ends."""

    @abstractmethod
    def release(self) -> None:
        """Drop the lock (again: no effect)."""


class FileRunLock(RunLock):
    """A `flock` on an open file; the process ending drops it too."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def release(self) -> None:
        """Unlock and close the file."""
        if not self.handle.closed:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


class RedisRunLock(RunLock):
    """A Redis lock renewed every third of its timeout by a daemon thread until released."""

    def __init__(self, client: redis.Redis, lock: Lock) -> None:
        self.client = client
        self.lock = lock
        self._released = threading.Event()
        self._renewer = threading.Thread(target=self._renew, name="run-lock-renewer", daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        assert self.lock.timeout is not None
        while not self._released.wait(self.lock.timeout / 3):
            try:
                self.lock.reacquire()  # its time to live back to the full timeout
            except LockError:  # expired and maybe taken: the run goes on, unprotected
                logger.error("the training run lock expired before the run ended")
                return
            except RedisError as error:  # a blip: the lock lasts until its timeout
                logger.warning("could not renew the training run lock (%s)", type(error).__name__)

    def release(self) -> None:
        """Stop renewing and delete the key (if it is still ours)."""
        if self._released.is_set():
            return
        self._released.set()
        try:
            self.lock.release()
        except (LockError, RedisError) as error:  # expired anyway, or Redis gone: it will
            logger.warning("could not release the training run lock (%s)", type(error).__name__)
        finally:
            self.client.close()


def take_lock(
    models_dir: Path, redis_url: str | None = None, timeout: float | None = None
) -> RunLock | None:
    """Take the run lock without waiting; None if another run holds it.

    Args:
        models_dir: where the lock file goes when there is no Redis.
        redis_url: `Settings.redis_url`; set, the lock is in Redis, for every host.
        timeout: seconds the Redis lock outlives a holder that died (`LOCK_TIMEOUT`).

    Raises:
        LockUnavailable: Redis did not answer.
    """
    if redis_url:
        return _take_redis_lock(redis_url, timeout or LOCK_TIMEOUT)
    path = models_dir / "runs" / ".run.lock"  # in `runs.runs_dir`, beside the run models
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return FileRunLock(handle)


def _take_redis_lock(redis_url: str, timeout: float) -> RunLock | None:
    client = redis.Redis.from_url(
        redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    # Not thread-local: the web app takes the lock in one thread and releases it in the
    # run's thread, and the renewer is a third.
    lock = Lock(client, LOCK_KEY, timeout=timeout, blocking=False, thread_local=False)
    try:
        taken = lock.acquire()
    except RedisError as error:
        client.close()
        raise LockUnavailable(
            "The shared lock store (Redis, REDIS_URL) does not answer, so no training or "
            "rollback can start. Check that Redis is running, then try again."
        ) from error
    if not taken:
        client.close()
        return None
    return RedisRunLock(client, lock)
