"""Train and deploy for real: a staff example, rasa train, e2e stories, PUT /model, rollback.

The project is a copy in tmp_path (the repo's data/nlu is never written); the Rasa
server is real and serves the shipped model first. Training takes minutes.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import requests
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.store import ArticleStore
from bot.settings import PROJECT_ROOT, Settings
from bot.training.examples import add_example
from bot.training.pipeline import start_rollback, start_training
from bot.training.tables import ModelRun
from bot.training.training_data import known_intents
from tests.support.stack import Stack, copy_project, running_stack

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
TEXT = "is there a bicycle rack at the entrance"
INTENT = "ask_curie_immunotherapy_center"


def served(stack: Stack) -> str:
    response = requests.get(f"{stack.rasa_url}/status", params={"token": stack.token}, timeout=10)
    return str(response.json()["model_file"])


def intent_of(stack: Stack, text: str) -> str:
    response = requests.post(
        f"{stack.rasa_url}/model/parse", params={"token": stack.token}, json={"text": text}
    )
    return str(response.json()["intent"]["name"])


def test_a_staff_example_is_trained_tested_deployed_then_rolled_back(
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
    store: ArticleStore,  # the starter articles: their topics are trained
) -> None:
    assert MODEL.exists(), "train first: make train"
    project = copy_project(tmp_path / "project")
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy2(MODEL, models / "assistant.tar.gz")  # the model `make run` starts with
    with running_stack(
        tmp_path / "stack",
        model=models / "assistant.tar.gz",
        with_actions=False,
        env={"DATABASE_URL": settings.database_url},
    ) as stack:
        assert served(stack) == "assistant.tar.gz"
        assert intent_of(stack, TEXT) != INTENT  # what the staff example will teach
        deploy_settings = dataclasses.replace(
            settings,
            rasa_url=stack.rasa_url,
            rasa_token=stack.token,
            project_dir=project,
            models_dir=models,
            staff_examples_file=project / "data" / "nlu" / "staff_examples.yml",
        )
        with session_factory.begin() as session:
            intents = known_intents(session, project / "domain.yml") or []
            add_example(session, TEXT, INTENT, intents, actor="rita")

        job = start_training(session_factory, deploy_settings, "rita")
        job.echo = print
        state = job.run()
        print("stage durations (s):", job.durations)  # shown with pytest -s

        with session_factory() as session:
            run = session.get(ModelRun, job.run_id)
            assert run is not None
        assert state == "deployed", f"{run.error}\n{run.log_tail}"
        assert run.model_path == str(models.resolve() / "runs" / f"run-{run.id}.tar.gz")
        results = run.test_results
        assert results["stories_failed"] == 0
        assert results["stories_passed"] == results["stories_total"] > 100
        assert served(stack) == f"run-{run.id}.tar.gz"
        assert intent_of(stack, TEXT) == INTENT  # the new model is the one answering

        rollback = start_rollback(session_factory, deploy_settings, "alice")
        assert rollback.run() == "deployed"
        assert served(stack) == "assistant.tar.gz"
        assert intent_of(stack, TEXT) != INTENT

    repo_examples = PROJECT_ROOT / "data" / "nlu" / "staff_examples.yml"
    assert not repo_examples.exists() or TEXT not in repo_examples.read_text()
