"""State shared through a real Redis: two web apps, the command line, the training lock.

Two web app instances (two Settings objects, the same REDIS_URL and database) stand
for two web processes behind the load balancer; a subprocess stands for another host's
run. Rasa is a small stand-in that answers every chat message.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.db import make_engine, make_session_factory, upgrade
from bot.kb.store import ArticleStore
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import add_user
from bot.training.run_lock import take_lock
from bot.training.runs import STALE_REASON, RunRefused, begin_run, settle_stale_runs
from bot.training.tables import ModelRun
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.redis_server import RedisServer
from tests.support.staff_client import PASSWORD, USERS, csrf_token, sign_in
from web.app import create_app

SECRET_KEY = "k" * 64
HOLD_A_RUN = """
import sys, time
from bot.db import make_engine, make_session_factory
from bot.settings import Settings
from bot.training import run_lock
from bot.training.runs import begin_run

run_lock.LOCK_TIMEOUT = 2.0  # a dead holder frees the lock in 2 s, not a minute
settings = Settings.from_env()
factory = make_session_factory(make_engine(settings.database_url))
with factory.begin() as session:
    run, lock = begin_run(session, settings, "train", "alice")
print(run.id, flush=True)
time.sleep(600)
"""


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, redis_server: RedisServer, rasa: FakeRasa) -> dict[str, str]:
    """The environment every process of the deployment shares."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'conversations.db'}",
        "RASA_URL": rasa.url,
        "PUBLIC_URL": "http://testserver",
        "SECRET_KEY": SECRET_KEY,
        "REDIS_URL": redis_server.url,
        "WEB_RATE_LIMIT": "3",
        "MODELS_DIR": str(tmp_path / "models"),
    }


@pytest.fixture
def factory(env: dict[str, str]) -> sessionmaker[Session]:
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        for name, role in USERS.items():
            add_user(session, name, role, PASSWORD)
    return factory


@pytest.fixture
def web(
    env: dict[str, str], factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[Callable[[int, str], TestClient]]:
    """`web(process, address)`: a browser at `address` talking to web process 0 or 1."""
    apps = [
        create_app(Settings.from_env(env, root=tmp_path), ArticleStore(factory)) for _ in range(2)
    ]
    clients: list[TestClient] = []

    def client(process: int, address: str) -> TestClient:
        made = TestClient(apps[process], follow_redirects=False, client=(address, 50000))
        made.__enter__()
        clients.append(made)
        return made

    yield client
    for made in clients:
        made.__exit__(None, None, None)


def _try(client: TestClient, name: str, password: str) -> int:
    form = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"name": name, "password": password, "csrf_token": csrf_token(form.text)},
    )
    return response.status_code


def _chat(client: TestClient) -> tuple[int, str]:
    session = client.post("/api/conversation").json()["session_id"]
    response = client.post("/api/message", json={"session_id": session, "message": "hi"})
    return response.status_code, response.headers.get("retry-after", "")


def test_two_web_processes_share_the_sign_in_throttle(
    web: Callable[[int, str], TestClient],
) -> None:
    first, second = web(0, "203.0.113.4"), web(1, "203.0.113.4")  # one browser, two processes
    assert [_try(first, "rita", "guess one") for _ in range(3)] == [401] * 3
    assert [_try(second, "rita", "guess two") for _ in range(2)] == [401] * 2
    assert _try(first, "rita", PASSWORD) == 429  # five failures, counted by both
    assert _try(second, "rita", PASSWORD) == 429
    sign_in(web(1, "198.51.100.7"), "rita")  # the owner at her own address gets in


def test_an_unlock_from_the_command_line_reaches_every_web_process(
    web: Callable[[int, str], TestClient], env: dict[str, str]
) -> None:
    nurse = web(0, "203.0.113.7")
    assert [_try(nurse, "rita", "wrong password") for _ in range(5)] == [401] * 5
    assert _try(web(1, "203.0.113.7"), "rita", PASSWORD) == 429
    unlocked = subprocess.run(
        [sys.executable, "-m", "bot", "users", "unlock", "rita"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**env, "PATH": ""},
        check=False,
    )
    assert unlocked.returncode == 0, unlocked.stderr
    sign_in(web(1, "203.0.113.7"), "rita")
    sign_in(web(0, "203.0.113.7"), "rita")


def test_two_web_processes_share_the_chat_limit(web: Callable[[int, str], TestClient]) -> None:
    first, second = web(0, "203.0.113.9"), web(1, "203.0.113.9")
    assert [_chat(first)[0], _chat(second)[0], _chat(first)[0]] == [200] * 3  # 3 a minute
    status, retry_after = _chat(second)
    assert status == 429 and 55 <= int(retry_after) <= 61
    assert _chat(first)[0] == 429
    assert _chat(web(1, "203.0.113.10"))[0] == 200  # another patient


def test_without_redis_the_chat_answers_and_sign_in_says_why(
    web: Callable[[int, str], TestClient],
    redis_server: RedisServer,
    env: dict[str, str],
    factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    patient, staff = web(0, "203.0.113.11"), web(1, "203.0.113.12")
    redis_server.stop()
    assert [_chat(patient)[0] for _ in range(5)] == [200] * 5  # fails open: no limit at all
    page = staff.get("/admin/login")
    response = staff.post(
        "/admin/login",
        data={"name": "rita", "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 503  # fails closed, with a page that says why
    assert "Signing in is not available right now" in response.text
    settings = Settings.from_env(env, root=tmp_path)
    with factory.begin() as session, pytest.raises(RunRefused, match="does not answer"):
        begin_run(session, settings, "train", "rita")


def test_two_processes_with_their_own_connections_hold_one_lock(
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    held = take_lock(tmp_path / "host-a", redis_server.url)
    assert held is not None
    assert take_lock(tmp_path / "host-b", redis_server.url) is None  # another host's files
    held.release()
    again = take_lock(tmp_path / "host-b", redis_server.url)
    assert again is not None
    again.release()


def test_a_run_on_another_host_refuses_a_second_until_its_process_dies(
    env: dict[str, str], factory: sessionmaker[Session], tmp_path: Path
) -> None:
    other_host = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_RUN],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env={**env, "MODELS_DIR": str(tmp_path / "other-host-models"), "PATH": ""},
    )
    try:
        assert other_host.stdout is not None
        run_id = int(other_host.stdout.readline())
        settings = Settings.from_env(env, root=tmp_path)
        with factory.begin() as session, pytest.raises(RunRefused, match="started by alice"):
            begin_run(session, settings, "train", "rita")
        time.sleep(3)  # longer than the lock's 2 s: the living holder renews it
        with factory.begin() as session:
            settle_stale_runs(session, settings)  # held: the run is alive, left running
        assert take_lock(settings.models_dir, settings.redis_url) is None
        other_host.send_signal(signal.SIGKILL)  # the holder dies without releasing
        other_host.wait(timeout=10)
        deadline = time.monotonic() + 20
        while (lock := take_lock(settings.models_dir, settings.redis_url)) is None:
            assert time.monotonic() < deadline, "the dead holder's lock never expired"
            time.sleep(0.2)
        lock.release()
        with factory.begin() as session:
            settle_stale_runs(session, settings)
        with factory() as session:
            run = session.get(ModelRun, run_id)
            assert run is not None and (run.state, run.error) == ("failed", STALE_REASON)
            assert session.scalars(select(ModelRun.state)).all() == ["failed"]
    finally:
        if other_host.poll() is None:
            other_host.kill()
            other_host.wait(timeout=10)
