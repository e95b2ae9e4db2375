"""PostgreSQL and Redis from Debian's packages, each with its data under the state folder.

Both listen on the loopback address only and require a password (derived from the
project's secret key: see `Layout`). PostgreSQL refuses to run as root; when the
launcher is root, the server runs as Debian's `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import redis
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from cluster.layout import Layout

DATABASES = ("assistant", "rasa")  # the application's, and Rasa's tracker store
SERVER_USER = "postgres"


class MissingProgram(RuntimeError):
    """A server program is not installed; the message says how to install it."""


def program(name: str) -> str:
    """The path of `name` (PostgreSQL's are off PATH on Debian)."""
    found = (
        shutil.which(name)
        or shutil.which(name, path="/usr/sbin")
        or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    )
    if not found:
        raise MissingProgram(f"{name} is not installed: run `make system` (Debian packages).")
    return found


def _server_user() -> pwd.struct_passwd | None:
    """The user PostgreSQL runs as when we are root; None when we are not."""
    return pwd.getpwnam(SERVER_USER) if os.geteuid() == 0 else None


def _give_to(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def postgres_data_dir(layout: Layout) -> Path:
    """PostgreSQL's data folder."""
    return layout.state_dir / "postgres"


def init_postgres(layout: Layout) -> None:
    """Create the data folder on first use: password login only, loopback only."""
    data = postgres_data_dir(layout)
    if (data / "PG_VERSION").is_file():
        return
    user = _server_user()
    if user is not None:
        # The server's user must reach its folder inside the project's private `var/`.
        for folder in (layout.state_dir.parent, layout.state_dir):
            folder.chmod(folder.stat().st_mode | 0o011)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    _give_to(data, user)
    password_file = layout.state_dir / ".postgres-password"
    password_file.write_text(layout.postgres_password + "\n", encoding="utf-8")
    _give_to(password_file, user)
    try:
        argv = [program("initdb"), "-D", str(data), "-U", "assistant", "-E", "UTF8",
                "--locale=C.UTF-8", "--auth=scram-sha-256",
                f"--pwfile={password_file}"]  # fmt: skip
        _run_as(argv, user, layout.log_file("postgres-init"))
    finally:
        password_file.unlink(missing_ok=True)


def _run_as(argv: list[str], user: pwd.struct_passwd | None, log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        subprocess.run(argv, check=True, stdout=out, stderr=subprocess.STDOUT, **_as_user(user))


def _as_user(user: pwd.struct_passwd | None) -> dict[str, object]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def postgres_argv(layout: Layout) -> list[str]:
    """The server in the foreground: TCP on the loopback address only, no Unix socket."""
    return [
        program("postgres"),
        "-D", str(postgres_data_dir(layout)),
        "-c", f"listen_addresses={layout.host}",
        "-c", f"port={layout.postgres_port}",
        "-c", "unix_socket_directories=",
        "-c", "password_encryption=scram-sha-256",
        # Two Rasa, two action and two web processes, each with a pool, and the tools.
        "-c", "max_connections=200",
    ]  # fmt: skip


def postgres_process_options() -> dict[str, object]:
    """How to start the server process (as `postgres` when we are root)."""
    return _as_user(_server_user())


def postgres_ready(layout: Layout) -> bool:
    """Whether PostgreSQL takes a password login now."""
    try:
        engine = create_engine(layout.database_url("postgres"), pool_pre_ping=False)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except OperationalError:
        return False


def tracker_store_ready(layout: Layout) -> bool:
    """Whether Rasa has created its `events` table in the tracker store."""
    engine = create_engine(layout.database_url("rasa"))
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("events")
    except OperationalError:
        return False
    finally:
        engine.dispose()


def create_databases(layout: Layout) -> None:
    """Create the application's and Rasa's databases if they are missing."""
    engine = create_engine(layout.database_url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        present = set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
        for name in DATABASES:
            if name not in present:
                connection.execute(text(f'CREATE DATABASE "{name}" OWNER assistant'))
    engine.dispose()


def write_redis_config(layout: Layout) -> Path:
    """Redis's configuration file (mode 600: it holds the password, kept off argv)."""
    data = layout.state_dir / "redis"
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = layout.state_dir / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "# Written by `python -m cluster` (cluster/services.py).",
                f"bind {layout.host}",
                f"port {layout.redis_port}",
                "protected-mode yes",
                f"requirepass {layout.redis_password}",
                # Rate limits, sign-in failures and locks: short-lived, not worth a disk.
                'save ""',
                "appendonly no",
                f"dir {data}",
                "daemonize no",
                "",
            ]
        ),
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def redis_argv(config: Path) -> list[str]:
    """Redis in the foreground with `config`."""
    return [program("redis-server"), str(config)]


def redis_ready(layout: Layout) -> bool:
    """Whether Redis answers a PING with the password."""
    try:
        client = redis.Redis.from_url(layout.redis_url, socket_timeout=2)
        return bool(client.ping())
    except redis.RedisError:
        return False
