"""A "train and deploy" run without the training: for tests and benchmarks of deploying."""

from __future__ import annotations

import shutil

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import PROJECT_ROOT, Settings
from bot.training.pipeline import Job, start_training
from bot.training.tables import ModelRun

MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


class DeployOnly(Job):
    """A train run whose "trained" model is a copy of the shipped one (no rasa train).

    The copy is named after the run, so replicas tell it apart from the model they serve.
    """

    def _write_examples(self) -> None:
        pass

    def _validate(self) -> None:
        pass

    def _train(self) -> None:
        self._model().parent.mkdir(parents=True, exist_ok=True)  # `rasa train` would
        shutil.copy2(MODEL, self._model())
        self._save(model_path=str(self._model()))

    def _test(self) -> None:
        pass


def deploy_a_copy(
    settings: Settings, session_factory: sessionmaker[Session], actor: str = "rita"
) -> tuple[DeployOnly, ModelRun]:
    """Run a DeployOnly job to its end; the job (its `durations`) and its finished run."""
    started = start_training(session_factory, settings, actor)
    job = DeployOnly(settings, session_factory, started.run_id, started.kind, started.lock)
    job.run()
    with session_factory() as session:
        run = session.get(ModelRun, job.run_id)
        assert run is not None
        session.expunge(run)
    return job, run
