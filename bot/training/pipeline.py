"""Train and deploy: generate the data, validate, train, test, then hot-swap the model.

The first stage ("examples") generates what Rasa trains on from the database: the
topics of the published articles and the staff examples (`bot.training.training_data`).
Each other stage runs the same Rasa commands as the Makefile (`bot.training.rasa_commands`)
with the `rasa` of this virtual environment, in `Settings.project_dir`. The
model is given to the running Rasa server (with several replicas: served for them to
pull) only if validation and every test pass; otherwise the run ends `failed` with its
stage and a reason, and the server keeps its model. Progress (stage, last log lines) is
written to the run's row as it goes.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.errors import Refused
from bot.settings import Settings
from bot.staff.audit import record
from bot.training import rasa_commands
from bot.training.examples import list_examples
from bot.training.rasa_server import RasaServer, RasaServerError
from bot.training.rollout import RolloutTimedOut, wait_for_replicas
from bot.training.runs import (
    DEPLOYED,
    FAILED,
    ROLLBACK,
    TRAIN,
    RunLock,
    begin_run,
    live_model,
    rollback_target,
    runs_dir,
)
from bot.training.tables import ModelRun
from bot.training.training_data import TrainingData, generate

logger = logging.getLogger(__name__)
# Where each stage starts on the progress bar; training is most of the wait.
STAGE_START = {"starting": 0, "examples": 1, "validate": 2, "train": 10, "test": 75, "deploy": 92}
STAGE_TIMEOUT = {"validate": 900, "train": 3600, "test": 1800}  # seconds
TAIL_LINES = 40
SAVE_EVERY = 2.0  # seconds between progress writes to the database
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")
_BAR = re.compile(r"^(.{0,60}?):\s+\d+%\|")  # a tqdm progress bar: "Epochs:  40%|####  |"


_children: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _stop_children() -> None:
    """When this process exits (web app restarted, Ctrl-C), stop the rasa it started.

    Its run then counts as stale; an orphaned `rasa train` would only waste the CPU.
    """
    for process in list(_children):
        process.terminate()


class StageFailed(Refused):
    """A stage did not pass; the message is the reason shown to staff."""


def progress_percent(run: ModelRun) -> int:
    """How far a run is, from its stage and the last training epoch line."""
    if run.state == DEPLOYED:
        return 100
    start = STAGE_START.get(run.stage or "", 0)
    if run.stage == "train":
        found = _EPOCHS.findall(run.log_tail or "")
        if found:  # DIET's epochs are most of the training time
            start += int((STAGE_START["test"] - start) * int(found[-1]) / 100)
    return start


@dataclass
class Job:
    """One run being worked on: call `run()` once (in a thread or in the foreground)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    run_id: int
    kind: str
    lock: RunLock
    echo: Callable[[str], None] | None = None
    durations: dict[str, float] = field(default_factory=dict)
    _tail: deque[str] = field(init=False, default_factory=lambda: deque(maxlen=TAIL_LINES))
    _private: list[str] = field(init=False, default_factory=list)
    _saved_at: float = field(init=False, default=0.0)
    _data: TrainingData | None = field(init=False, default=None)

    # -- bookkeeping ------------------------------------------------------------------

    def _save(self, **columns: object) -> None:
        with self.session_factory.begin() as session:
            run = session.get(ModelRun, self.run_id)
            assert run is not None
            for name, value in columns.items():
                setattr(run, name, value)
            run.log_tail = "\n".join(self._tail)
        self._saved_at = time.monotonic()

    def _line(self, text: str) -> None:
        text = _ANSI.sub("", text).rstrip()
        if not text.strip():
            return
        for example in self._private:  # staff examples come from patients' messages
            text = text.replace(example, "[staff example]")
        text = text[:400]
        bar = _BAR.match(text)
        if bar and self._tail and self._tail[-1].startswith(bar.group(0)[: len(bar.group(1))]):
            self._tail[-1] = text  # one line per progress bar, not one per refresh
        else:
            self._tail.append(text)
        if time.monotonic() - self._saved_at > SAVE_EVERY:
            self._save()

    def _say(self, text: str) -> None:
        self._line(f"== {text}")
        if self.echo is not None:
            self.echo(text)

    def _command(self, stage: str, argv: Sequence[str]) -> int:
        """Run one command in the project folder, its output going to the run's log."""
        self._line("$ " + " ".join([Path(argv[0]).name, *argv[1:]]))
        environ = rasa_commands.environment(
            {
                "PYTHONUNBUFFERED": "1",
                "PYTHONWARNINGS": "ignore::DeprecationWarning",  # keep the log to what matters
            }
        )
        process = subprocess.Popen(
            list(argv),
            cwd=self.settings.project_dir,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        timer = threading.Timer(STAGE_TIMEOUT.get(stage, 600), process.kill)
        timer.start()
        _children.add(process)
        try:
            assert process.stdout is not None
            pending = b""
            while chunk := process.stdout.read1(65536):
                *lines, pending = re.split(rb"[\r\n]", pending + chunk)
                for line in lines:
                    self._line(line.decode("utf-8", "replace"))
            self._line(pending.decode("utf-8", "replace"))
            return process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:  # interrupted (Ctrl-C): leave no rasa running
                process.terminate()
            _children.discard(process)

    def _stage(self, name: str, work: Callable[[], None]) -> None:
        self._say(f"{name}: started")
        self._save(stage=name)
        started = time.monotonic()
        work()
        self.durations[name] = round(time.monotonic() - started, 1)
        self._say(f"{name}: passed in {self.durations[name]:.0f} s")

    # -- the stages -------------------------------------------------------------------

    def _model(self) -> Path:
        return runs_dir(self.settings.models_dir).resolve() / f"run-{self.run_id}.tar.gz"

    def _write_examples(self) -> None:
        """Generate the training data: topics from the published articles, staff examples."""
        with self.session_factory() as session:
            self._private = sorted((e.text for e in list_examples(session)), key=len)[::-1]
            self._data = generate(
                session, self.settings.project_dir, self.settings.staff_examples_file
            )
        data = self._data
        self._line(
            f"{len(data.topic_intents)} topic intent(s) from the articles; "
            f"{data.staff_examples} staff example(s)"
        )
        if data.dropped_intents:  # an unpublished topic: its examples wait for it
            self._line("left out (no published article): " + ", ".join(data.dropped_intents))

    def _validate(self) -> None:
        assert self._data is not None
        argv = rasa_commands.validate(self._data.domain, self._data.data)
        if self._command("validate", argv) != 0:
            raise StageFailed(
                "The training data has problems (rasa data validate found errors or "
                "warnings). Read the log below, fix the data or the staff examples, then "
                "start again."
            )

    def _train(self) -> None:
        assert self._data is not None
        model = self._model()
        name = model.name.removesuffix(".tar.gz")
        argv = rasa_commands.train(str(model.parent), name, self._data.domain, self._data.data)
        if self._command("train", argv) != 0 or not model.is_file():
            raise StageFailed("Training did not finish; the log below says why.")
        self._save(model_path=str(model))

    def _test(self) -> None:
        check = [sys.executable, "-m", "scripts.test_stories", "--check"]
        if self._command("test", check) != 0:
            self._save(test_results={"stories_current": False})
            raise StageFailed(
                "The test stories are out of date: run `python -m scripts.test_stories`, "
                "commit tests/stories, then start again."
            )
        out = Path("var") / "results" / f"run-{self.run_id}"
        code = self._command("test", rasa_commands.test_stories(str(self._model()), str(out)))
        results = read_test_results(self.settings.project_dir / out, passed=code == 0)
        self._save(test_results=results)
        if code != 0:
            raise StageFailed(
                "The new model failed the test stories (a conversation went differently "
                "than expected); nothing was deployed. The log below names the story."
            )

    def _deploy(self, model: Path) -> None:
        if self.settings.rasa_replica_urls:
            self._roll_out(model)
            return
        server = RasaServer(self.settings.rasa_url, self.settings.rasa_token)
        try:
            before = server.status().get("model_file")
            self._line(f"the server serves {before}; loading {model.name}")
            server.load_model(model)
            after = server.status().get("model_file")
        except RasaServerError as error:
            raise StageFailed(f"{error} The server keeps its model.") from error
        if after != model.name:
            raise StageFailed(
                f"The server reports {after} after loading {model.name}; check its log."
            )
        self._line(f"the server now serves {after}")

    def _roll_out(self, model: Path) -> None:
        """Several replicas: they pull the model being deployed; wait until all serve it.

        This run is in its deploy stage, so the model server (`bot.training.serving`)
        already hands out `model`. If the time runs out, the run fails, the model
        server hands out the live model again and the replicas that switched go back.
        """
        urls = self.settings.rasa_replica_urls
        replicas = [RasaServer(url, self.settings.rasa_token) for url in urls]
        seconds = self.settings.model_rollout_seconds
        self._line(f"waiting for {len(urls)} replicas to pull {model.name} (at most {seconds} s)")
        try:
            wait_for_replicas(replicas, model.name, seconds, self._line)
        except RolloutTimedOut as late:
            with self.session_factory() as session:
                live = live_model(session, self.settings.models_dir)
            back = live.name if live is not None else "the model they had"
            raise StageFailed(
                f"{late} The run failed, so the replicas are given the live model "
                f"({back}) again, and those that switched load it back at their next "
                "pull (every 10 s). Check the replicas named here (their log), then start again."
            ) from late

    # -- running ----------------------------------------------------------------------

    def run(self) -> str:
        """Do every stage, record the outcome, release the lock; return the final state."""
        try:
            if self.kind == TRAIN:
                self._stage("examples", self._write_examples)
                self._stage("validate", self._validate)
                self._stage("train", self._train)
                self._stage("test", self._test)
                self._stage("deploy", lambda: self._deploy(self._model()))
            else:
                with self.session_factory() as session:
                    run = session.get(ModelRun, self.run_id)
                    assert run is not None and run.model_path
                    target = Path(run.model_path)
                self._stage("deploy", lambda: self._deploy(target))
            return self._finish(DEPLOYED, None)
        except StageFailed as failure:
            return self._finish(FAILED, str(failure))
        except Exception as error:  # a bug or the database: still end the run cleanly
            logger.exception("model run %s failed", self.run_id)
            return self._finish(FAILED, f"Unexpected error ({error.__class__.__name__}).")
        finally:
            self.lock.release()

    def _finish(self, state: str, error: str | None) -> str:
        summary = ", ".join(f"{k} {v:.0f} s" for k, v in self.durations.items())
        self._say(state + (f" ({summary})" if summary else ""))
        with self.session_factory.begin() as session:
            run = session.get(ModelRun, self.run_id)
            assert run is not None
            run.state, run.error, run.finished_at = state, error, utcnow()
            run.log_tail = "\n".join(self._tail)
            if state == DEPLOYED:
                run.deployed_at, run.stage = run.finished_at, "done"
            detail = {"stage": run.stage, "seconds": self.durations, "tests": run.test_results}
            if error:
                detail["error"] = error
                if self.echo is not None:
                    self.echo(f"Failed at the {run.stage} stage: {error}")
            actor = run.started_by  # the outcome of what they started
            record(session, actor, f"model.{self.kind}.{state}", f"run {self.run_id}", detail)
        return state


def read_test_results(results_dir: Path, *, passed: bool) -> dict[str, object]:
    """Counts of the e2e test stories from `story_report.json` (if Rasa wrote it).

    With `--fail-on-prediction-errors` Rasa stops at the first wrong prediction and
    writes no report, so a failed run may only know that at least one story failed.
    """
    results: dict[str, object] = {"stories_current": True, "passed": passed}
    report = results_dir / "story_report.json"
    if report.is_file():
        accuracy = json.loads(report.read_text(encoding="utf-8")).get("conversation_accuracy")
        if isinstance(accuracy, dict):
            total, correct = int(accuracy["total"]), int(accuracy["correct"])
            results.update(stories_total=total, stories_passed=correct)
            results["stories_failed"] = total - correct
    elif not passed:
        results["stories_failed"] = "at least 1"
    return results


def start_training(
    session_factory: sessionmaker[Session], settings: Settings, actor: str | None
) -> Job:
    """Begin a train-and-deploy run (refused while another runs); `run()` the job next.

    Raises:
        RunRefused: another run is in progress.
        RasaServerError: no API token is set, so the model could never be deployed.
    """
    RasaServer(settings.rasa_url, settings.rasa_token).check_token()  # now, not in 5 min
    return _begin(session_factory, settings, TRAIN, actor, None)


def start_rollback(
    session_factory: sessionmaker[Session], settings: Settings, actor: str | None
) -> Job:
    """Begin redeploying the model deployed before the live one; `run()` the job next.

    Raises:
        RunRefused: another run is in progress, or there is no earlier model.
        RasaServerError: no API token is set.
    """
    RasaServer(settings.rasa_url, settings.rasa_token).check_token()
    with session_factory() as session:
        target = rollback_target(session, settings.models_dir)
    return _begin(session_factory, settings, ROLLBACK, actor, target)


def _begin(
    session_factory: sessionmaker[Session],
    settings: Settings,
    kind: str,
    actor: str | None,
    model: Path | None,
) -> Job:
    lock = None
    try:
        with session_factory.begin() as session:
            fields = {"model_path": str(model)} if model else {}
            run, lock = begin_run(session, settings, kind, actor, **fields)
    except BaseException:
        if lock is not None:  # the run was not stored: nobody will release it later
            lock.release()
        raise
    return Job(settings, session_factory, run.id, kind, lock)
