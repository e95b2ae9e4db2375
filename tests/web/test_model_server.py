"""`GET /internal/model`: what the Rasa replicas pull, guarded by the models token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.training.runs import take_lock
from bot.training.serving import Fingerprints
from bot.training.tables import ModelRun
from tests.web.conftest import web_settings
from web.app import create_app

TOKEN = "m" * 64
MODEL = b"\x1f\x8b" + bytes(range(256)) * 14_000  # 3.5 MB, about the size of a real model


@pytest.fixture
def models(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    (folder / "runs").mkdir(parents=True)
    (folder / "assistant.tar.gz").write_bytes(MODEL)
    return folder


@pytest.fixture
def client(tmp_path: Path, store: ArticleStore, models: Path) -> Iterator[TestClient]:
    settings = web_settings(
        tmp_path, MODELS_TOKEN=TOKEN, MODELS_DIR=str(models), WEB_RATE_LIMIT="2"
    )
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client


def pull(client: TestClient, etag: str | None = None, token: str | bytes = TOKEN) -> Response:
    headers: dict[str, str | bytes] = {"X-Models-Token": token} if token else {}
    if etag:
        headers["If-None-Match"] = etag  # what Rasa sends: the ETag it got last time
    return client.get("/internal/model", headers=headers)


@pytest.mark.parametrize("token", ["", "wrong", TOKEN[:-1], "é".encode("latin-1") * 64])
def test_no_model_without_the_token(client: TestClient, token: str | bytes) -> None:
    response = pull(client, token=token)
    assert response.status_code == 401
    assert response.content != MODEL
    assert response.headers["cache-control"] == "no-store"


def test_the_baseline_is_served_with_its_fingerprint_and_name(
    client: TestClient, models: Path
) -> None:
    response = pull(client)
    assert response.status_code == 200
    assert response.content == MODEL  # all of it, through the body limit middleware
    fingerprint = Fingerprints().of(models / "assistant.tar.gz")
    assert response.headers["etag"] == f'"{fingerprint}"'
    assert response.headers["filename"] == "assistant.tar.gz"  # Rasa's /status says it
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_a_replica_that_has_the_model_gets_304_and_no_body(client: TestClient) -> None:
    etag = pull(client).headers["etag"]
    for sent in (etag, etag.strip('"'), f'W/{etag}, "other"'):
        response = pull(client, etag=sent)
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
    assert pull(client, etag='"an-older-model"').status_code == 200


def test_pulls_do_not_count_against_the_chat_rate_limit(client: TestClient) -> None:
    for _ in range(5):  # the limit is 2 a minute
        assert pull(client, etag="x").status_code == 200
    assert client.post("/api/message", json={}).status_code == 400  # not 429


def test_the_model_follows_the_deploy_and_goes_back_when_it_fails(
    client: TestClient, models: Path, session_factory: sessionmaker[Session]
) -> None:
    baseline = pull(client).headers["etag"]
    new = models / "runs" / "run-1.tar.gz"
    new.write_bytes(MODEL)  # the same bytes: another name is another model
    lock = take_lock(models)  # held by the process doing the run, as long as it lasts
    assert lock is not None
    with session_factory.begin() as session:
        session.add(ModelRun(kind="train", state="running", stage="deploy", model_path=str(new)))

    deploying = pull(client, etag=baseline)
    assert deploying.status_code == 200
    assert deploying.headers["filename"] == "run-1.tar.gz"
    assert deploying.headers["etag"] != baseline

    with session_factory.begin() as session:
        run = session.get(ModelRun, 1)
        assert run is not None
        run.state, run.error = "failed", "the replicas did not switch"
    lock.release()
    back = pull(client, etag=deploying.headers["etag"])
    assert (back.status_code, back.headers["filename"]) == (200, "assistant.tar.gz")
    assert back.headers["etag"] == baseline

    with session_factory.begin() as session:
        session.add(
            ModelRun(
                kind="train",
                state="deployed",
                stage="done",
                model_path=str(new),
                deployed_at=datetime.now(timezone.utc),
            )
        )
    assert pull(client).headers["filename"] == "run-1.tar.gz"  # live now


def test_a_run_left_in_its_deploy_stage_by_a_dead_process_is_not_served(
    client: TestClient, models: Path, session_factory: sessionmaker[Session]
) -> None:
    new = models / "runs" / "run-1.tar.gz"
    new.write_bytes(MODEL)
    with session_factory.begin() as session:  # nobody holds the run lock: its process died
        session.add(ModelRun(kind="train", state="running", stage="deploy", model_path=str(new)))
    assert pull(client).headers["filename"] == "assistant.tar.gz"
    with session_factory() as session:
        assert session.get(ModelRun, 1).state == "failed"  # type: ignore[union-attr]


def test_no_model_at_all_is_a_404(client: TestClient, models: Path) -> None:
    (models / "assistant.tar.gz").unlink()
    assert pull(client).status_code == 404
