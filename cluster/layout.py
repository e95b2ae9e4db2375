"""Where each part of the cluster listens and keeps its files, read from the environment.

`make cluster` runs every part on this machine: the defaults below. Each address is a
variable, so the same processes can run on separate hosts (docs/deploy.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings, SettingsError, derived_key

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Layout:
    """The cluster's addresses, folders and secrets.

    Attributes:
        root: the project folder (code, models, Rasa project files).
        state_dir: `CLUSTER_DIR`, the PostgreSQL and Redis data, logs and PID files
            (default `var/cluster`).
        host: the address every part listens on and is reached at (loopback).
        rasa_port, actions_port, web_port: the load balancer's addresses for Rasa
            (REST webhook and HTTP API), the action servers and the web app:
            `RASA_PORT`, `ACTIONS_PORT`, `WEB_PORT`, as for `make run`.
        rasa_replica_ports, actions_replica_ports, web_replica_ports: one port per
            replica (`RASA_REPLICA_PORTS`, `ACTIONS_REPLICA_PORTS`, `WEB_REPLICA_PORTS`,
            space-separated).
        postgres_port, redis_port: `POSTGRES_PORT`, `REDIS_PORT`.
        secret_key: the project's secret key; the PostgreSQL and Redis passwords are
            derived from it, so nothing new has to be kept.
        environ: the environment the processes start from.
    """

    root: Path
    state_dir: Path
    host: str
    rasa_port: int
    actions_port: int
    web_port: int
    rasa_replica_ports: tuple[int, ...]
    actions_replica_ports: tuple[int, ...]
    web_replica_ports: tuple[int, ...]
    postgres_port: int
    redis_port: int
    secret_key: str
    environ: Mapping[str, str] = field(repr=False)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT
    ) -> Layout:
        """Read the layout from `environ` (default `os.environ`).

        Raises:
            SettingsError: a port is not a port, or two parts share one.
        """
        env = dict(os.environ if environ is None else environ)
        layout = cls(
            root=root,
            state_dir=Path(env.get("CLUSTER_DIR", root / "var" / "cluster")).resolve(),
            host=LOOPBACK,
            rasa_port=_ports(env, "RASA_PORT", "5005")[0],
            actions_port=_ports(env, "ACTIONS_PORT", "5055")[0],
            web_port=_ports(env, "WEB_PORT", "8000")[0],
            rasa_replica_ports=_ports(env, "RASA_REPLICA_PORTS", "5006 5007"),
            actions_replica_ports=_ports(env, "ACTIONS_REPLICA_PORTS", "5056 5057"),
            web_replica_ports=_ports(env, "WEB_REPLICA_PORTS", "8001 8002"),
            postgres_port=_ports(env, "POSTGRES_PORT", "5433")[0],
            redis_port=_ports(env, "REDIS_PORT", "6380")[0],
            secret_key=Settings.from_env(env, root=root).secret_key,
            environ=env,
        )
        ports = [
            layout.rasa_port,
            layout.actions_port,
            layout.web_port,
            *layout.rasa_replica_ports,
            *layout.actions_replica_ports,
            *layout.web_replica_ports,
            layout.postgres_port,
            layout.redis_port,
        ]
        if len(set(ports)) != len(ports):
            raise SettingsError(f"Two parts of the cluster would share a port: {ports}")
        return layout

    # -- secrets, derived so that nothing new has to be kept ------------------------------

    @property
    def postgres_password(self) -> str:
        """The PostgreSQL user `assistant`'s password."""
        return derived_key(self.secret_key, "postgres")

    @property
    def redis_password(self) -> str:
        """Redis's password (`requirepass`)."""
        return derived_key(self.secret_key, "redis")

    # -- the addresses the processes are given --------------------------------------------

    def url(self, port: int, path: str = "") -> str:
        """The HTTP address of `port` on the cluster's host."""
        return f"http://{self.host}:{port}{path}"

    def database_url(self, database: str) -> str:
        """The SQLAlchemy URL of one PostgreSQL database, with the password."""
        return (
            f"postgresql://assistant:{self.postgres_password}@{self.host}:{self.postgres_port}"
            f"/{database}"
        )

    @property
    def redis_url(self) -> str:
        """`REDIS_URL` for the processes, with the password."""
        return f"redis://:{self.redis_password}@{self.host}:{self.redis_port}/0"

    def app_environment(self) -> dict[str, str]:
        """The variables every application process gets (bot/settings.py reads them)."""
        return {
            **self.environ,
            "DATABASE_URL": self.database_url("assistant"),
            "TRACKER_STORE_URL": self.database_url("rasa"),
            "REDIS_URL": self.redis_url,
            "RASA_URL": self.url(self.rasa_port),
            "RASA_REPLICA_URLS": " ".join(self.url(p) for p in self.rasa_replica_ports),
            "ACTION_ENDPOINT_URL": self.url(self.actions_port, "/webhook"),
            "MODEL_SERVER_URL": self.url(self.web_port, "/internal/model"),
            # The web replicas see every client through the load balancer.
            "TRUSTED_PROXIES": self.host,
            "SECRET_KEY": self.secret_key,
        }

    def pid_file(self, name: str) -> Path:
        """Where the process `name` (`rasa-1`, `postgres`, ...) writes its PID."""
        return self.state_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        """Where the output of the process `name` goes."""
        return self.state_dir / "logs" / f"{name}.log"


def _ports(env: Mapping[str, str], name: str, default: str) -> tuple[int, ...]:
    values = env.get(name, default).split()
    if not values or not all(v.isdigit() and 0 < int(v) < 65536 for v in values):
        raise SettingsError(f"{name} must be one or more port numbers: {env.get(name)!r}")
    return tuple(int(v) for v in values)
