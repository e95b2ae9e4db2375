"""A whole cluster on free loopback ports in a temporary folder, for tests and benchmarks."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from cluster.launcher import Cluster
from cluster.layout import Layout
from tests.support.stack import free_port

PORT_VARIABLES = ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT", "POSTGRES_PORT", "REDIS_PORT")
REPLICA_PORT_VARIABLES = ("RASA_REPLICA_PORTS", "ACTIONS_REPLICA_PORTS", "WEB_REPLICA_PORTS")


@contextmanager
def running_cluster(model: Path, env: Mapping[str, str] | None = None) -> Iterator[Cluster]:
    """Start a cluster serving a copy of `model`; stop it and remove its files on exit.

    Its models folder (`MODELS_DIR`) is its own, so deploys never touch the project's.
    """
    # Not under pytest's temporary folder (mode 700): PostgreSQL's user must reach this one.
    state = Path(tempfile.mkdtemp(prefix="cluster-"))
    models = state / "models"
    models.mkdir()
    shutil.copy(model, models / model.name)
    ports = {name: str(free_port()) for name in PORT_VARIABLES}
    ports |= {name: f"{free_port()} {free_port()}" for name in REPLICA_PORT_VARIABLES}
    environ = {
        **os.environ,
        "CLUSTER_DIR": str(state / "run"),
        "MODELS_DIR": str(models),
        "SECRET_KEY": secrets.token_hex(32),
        "RASA_AUTH_TOKEN": secrets.token_hex(32),
        **ports,
        **(env or {}),
    }
    cluster = Cluster(Layout.from_env(environ), say=lambda line: None)
    try:
        cluster.start(models / model.name)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(state, ignore_errors=True)
