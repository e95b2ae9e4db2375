"""A real Redis (Debian's /usr/bin/redis-server) on a free loopback port, with a password.

Nothing is saved to disk. Use `running_redis()` directly, or the `redis_server` fixture
(import it into a conftest or test module).
"""

from __future__ import annotations

import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.support.stack import free_port

REDIS_SERVER = Path("/usr/bin/redis-server")


@dataclass
class RedisServer:
    """A running redis-server; `url` carries its password."""

    url: str
    port: int
    password: str
    process: subprocess.Popen[bytes]
    workdir: Path

    def client(self) -> redis.Redis:
        """A new client (the caller closes it)."""
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        """Stop the server (Redis is down from now on)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def running_redis(workdir: Path) -> Iterator[RedisServer]:
    """Start redis-server in `workdir`; stop it on leaving."""
    if not REDIS_SERVER.exists():
        pytest.fail("redis-server is not installed: `make system` installs it (Debian)")
    workdir.mkdir(parents=True, exist_ok=True)
    port, password = free_port(), secrets.token_hex(16)
    # The configuration, password included, goes in on stdin: never on a command line.
    config = f"port {port}\nbind 127.0.0.1\nrequirepass {password}\nsave ''\nappendonly no\n"
    config += f"dir {workdir}\nlogfile {workdir / 'redis.log'}\n"
    process = subprocess.Popen([str(REDIS_SERVER), "-"], stdin=subprocess.PIPE)
    assert process.stdin is not None
    process.stdin.write(config.encode())
    process.stdin.close()
    server = RedisServer(
        f"redis://:{password}@127.0.0.1:{port}/0", port, password, process, workdir
    )
    try:
        _wait_until_ready(server)
        yield server
    finally:
        server.stop()


def _wait_until_ready(server: RedisServer, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    client = server.client()
    try:
        while True:
            if server.process.poll() is not None:
                log = server.workdir / "redis.log"
                raise RuntimeError(f"redis-server ended: {log.read_text() if log.exists() else ''}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not answer within 20 s")
            time.sleep(0.05)
    finally:
        client.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh Redis for one test."""
    with running_redis(tmp_path / "redis") as server:
        yield server
