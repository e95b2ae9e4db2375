"""Two real Rasa replicas pull their model from the real web app (Rasa's model server).

Both start with `endpoints-cluster.yml` (Redis lock store, model pulled every 10 s) and
serve the starting model; a deploy makes both serve the new model, a rollback the old
one, each measured (run with `-s` to see the seconds); a deploy while one replica is
down fails, naming it, and the other replica goes back to the live model. The training
stages are skipped here (tests/e2e/test_train_and_deploy.py runs them): the "trained"
model is a copy of the shipped one under the run's name, all the replicas can tell apart.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.store import ArticleStore
from bot.settings import PROJECT_ROOT, Settings
from bot.training.pipeline import start_rollback, start_training
from bot.training.tables import ModelRun
from tests.support.deploy import DeployOnly
from tests.support.redis_server import RedisServer
from tests.support.stack import Stack, free_port, running_stack, running_web_app

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


def served(replica: Stack) -> str:
    response = requests.get(
        f"{replica.rasa_url}/status", params={"token": replica.token}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["model_file"])


def test_every_replica_pulls_the_deployed_model_then_the_rolled_back_one(
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
    store: ArticleStore,  # the web app shows the starter articles
    redis_url: str,
) -> None:
    assert MODEL.exists(), "train first: make train"
    models = tmp_path / "models"
    (models / "runs").mkdir(parents=True)
    shutil.copy2(MODEL, models / "assistant.tar.gz")  # the model `make run` starts with
    models_token, rasa_token = secrets.token_hex(32), secrets.token_hex(32)
    with ExitStack() as running:
        web = running.enter_context(
            running_web_app(
                tmp_path / "web",
                rasa_url=f"http://127.0.0.1:{free_port()}",  # no chat here
                env={
                    "DATABASE_URL": settings.database_url,
                    "MODELS_DIR": str(models),
                    "MODELS_TOKEN": models_token,
                    "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'web' / 'conversations.db'}",
                },
            )
        )
        replica_env = {
            "RASA_AUTH_TOKEN": rasa_token,
            "MODELS_TOKEN": models_token,
            "MODEL_SERVER_URL": f"{web.url}/internal/model",
            "REDIS_URL": redis_url,
            "DATABASE_URL": settings.database_url,
        }
        replicas = [
            running.enter_context(
                running_stack(
                    tmp_path / f"rasa-{n}",
                    model=models / "assistant.tar.gz",  # ignored: the model server wins
                    with_actions=False,
                    endpoints=PROJECT_ROOT / "endpoints-cluster.yml",
                    env=replica_env,
                )
            )
            for n in (1, 2)
        ]
        assert [served(r) for r in replicas] == ["assistant.tar.gz"] * 2

        # One message through each replica: Rasa's lock store is the shared Redis.
        commands_before = redis.Redis.from_url(redis_url).info("stats")["total_commands_processed"]
        for replica in replicas:
            assert replica.say("pull-test", "hello").status_code == 200
        commands = redis.Redis.from_url(redis_url).info("stats")["total_commands_processed"]
        assert commands > commands_before + 2

        deploy_settings = dataclasses.replace(
            settings,
            rasa_url=replicas[0].rasa_url,  # the load balancer's place; not used to deploy
            rasa_token=rasa_token,
            models_dir=models,
            rasa_replica_urls=tuple(r.rasa_url for r in replicas),
            model_rollout_seconds=180,
        )
        started = start_training(session_factory, deploy_settings, "rita")
        job = DeployOnly(
            started.settings, started.session_factory, started.run_id, started.kind, started.lock
        )
        job.echo = print
        state = job.run()
        with session_factory() as session:
            run = session.get(ModelRun, job.run_id)
            assert run is not None
        assert state == "deployed", f"{run.error}\n{run.log_tail}"
        new = f"run-{run.id}.tar.gz"
        assert [served(r) for r in replicas] == [new] * 2
        print(f"deploy: {job.durations['deploy']:.0f} s;", _rollout_lines(run.log_tail))

        rollback = start_rollback(session_factory, deploy_settings, "alice")
        rollback.echo = print
        assert rollback.run() == "deployed"
        with session_factory() as session:
            back = session.get(ModelRun, rollback.run_id)
            assert back is not None
        assert [served(r) for r in replicas] == ["assistant.tar.gz"] * 2
        print(f"rollback: {rollback.durations['deploy']:.0f} s;", _rollout_lines(back.log_tail))

        # A replica that is down: the deploy fails and names it; the other goes back.
        replicas[1].rasa.terminate()
        replicas[1].rasa.wait(timeout=30)
        quick = dataclasses.replace(deploy_settings, model_rollout_seconds=15)
        started = start_training(session_factory, quick, "rita")
        failing = DeployOnly(quick, session_factory, started.run_id, started.kind, started.lock)
        assert failing.run() == "failed"
        with session_factory() as session:
            failed = session.get(ModelRun, failing.run_id)
            assert failed is not None
        print("failed deploy:", failed.error)
        assert f"{replicas[1].rasa_url} could not be reached" in (failed.error or "")
        assert replicas[0].rasa_url not in (failed.error or "")
        waited = time.monotonic()
        while served(replicas[0]) != "assistant.tar.gz" and time.monotonic() - waited < 60:
            time.sleep(1)
        assert served(replicas[0]) == "assistant.tar.gz"
        print(f"the replica that switched was back after {time.monotonic() - waited:.0f} s")

        assert "Failed to update model" not in replicas[0].log_text()


def _rollout_lines(log_tail: str) -> str:
    return "; ".join(line for line in log_tail.splitlines() if " serve" in line)
