"""Deploying to several replicas: they pull the model, the deploy stage waits for all.

Each fake replica answers `/status` like Rasa; a "pulling" one reports the model the
model server hands out (`served_model`) from its second request on, as a real replica
does after its next pull. The real replicas are in tests/e2e/test_model_pull.py.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.training import rollout
from bot.training.pipeline import start_rollback
from bot.training.serving import served_model
from bot.training.tables import ModelRun
from tests.bot.training.test_pipeline import add_run
from tests.support.stack import free_port


class FakeReplica(ThreadingHTTPServer):
    """A Rasa replica's `/status`; `pull` says what it serves after its next pull."""

    def __init__(self, pull: Callable[[], str | None]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pull = pull
        self.model_file = "run-2.tar.gz"
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeReplica

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(self.path)
        if len(self.server.requests) > 1:  # the first answer is from before its pull
            self.server.model_file = self.server.pull() or self.server.model_file
        data = json.dumps({"model_file": self.server.model_file}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def replicas(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[Callable[[bool], FakeReplica]]:
    started: list[FakeReplica] = []

    def pulled() -> str | None:
        with session_factory() as session:
            path = served_model(session, tmp_path / "models")
        return path.name if path else None

    def start(pulls: bool = True) -> FakeReplica:
        server = FakeReplica(pulled if pulls else lambda: None)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollout, "POLL_SECONDS", 0.05)


def cluster(settings: Settings, tmp_path: Path, *urls: str, seconds: int = 30) -> Settings:
    return dataclasses.replace(
        settings,
        rasa_url=f"http://127.0.0.1:{free_port()}",  # the load balancer: never asked
        rasa_token="secret-token",
        models_dir=tmp_path / "models",
        rasa_replica_urls=urls,
        model_rollout_seconds=seconds,
    )


def test_a_rollback_waits_until_every_replica_pulled_its_model(
    settings: Settings,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    replicas: Callable[[bool], FakeReplica],
) -> None:
    first = add_run(session_factory, tmp_path / "models", "run-1.tar.gz")
    add_run(session_factory, tmp_path / "models", "run-2.tar.gz")  # live
    one, two = replicas(True), replicas(True)

    job = start_rollback(session_factory, cluster(settings, tmp_path, one.url, two.url), "rita")
    assert job.run() == "deployed"

    assert one.model_file == two.model_file == "run-1.tar.gz"
    assert all(path.startswith("/status?token=secret-token") for path in one.requests)
    with session_factory() as session:
        run = session.get(ModelRun, job.run_id)
        assert run is not None
        assert (run.state, run.model_path) == ("deployed", str(first))
        assert served_model(session, tmp_path / "models") == first  # live now
    log = run.log_tail
    assert "waiting for 2 replicas to pull run-1.tar.gz (at most 30 s)" in log
    assert f"{one.url} serves run-1.tar.gz after" in log
    assert f"{two.url} serves run-1.tar.gz after" in log
    assert "all 2 replicas serve run-1.tar.gz after" in log


def test_replicas_that_do_not_switch_in_time_fail_the_run_and_go_back(
    settings: Settings,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    replicas: Callable[[bool], FakeReplica],
) -> None:
    add_run(session_factory, tmp_path / "models", "run-1.tar.gz")
    add_run(session_factory, tmp_path / "models", "run-2.tar.gz")  # live
    pulling, stuck = replicas(True), replicas(False)
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    deploy = cluster(settings, tmp_path, pulling.url, stuck.url, down, seconds=1)

    job = start_rollback(session_factory, deploy, "rita")
    assert job.run() == "failed"

    with session_factory() as session:
        run = session.get(ModelRun, job.run_id)
        assert run is not None
        assert (run.stage, run.deployed_at) == ("deploy", None)
        assert served_model(session, tmp_path / "models").name == "run-2.tar.gz"  # type: ignore[union-attr]
    error = run.error or ""
    assert error.startswith("2 of 3 Rasa replicas did not serve run-1.tar.gz within 1 s: ")
    assert f"{stuck.url} still serves run-2.tar.gz" in error
    assert f"{down} could not be reached" in error
    assert pulling.url not in error
    assert "given the live model (run-2.tar.gz) again" in error
    assert pulling.pull() == "run-2.tar.gz"  # what the switched replica pulls back
