"""Start the real Rasa server and action server on free loopback ports (tests, benchmarks)."""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import socketio

from bot.settings import PROJECT_ROOT
from bot.training import rasa_commands

ROOT = PROJECT_ROOT
BIN = Path(sys.executable).parent
# The channels with socket.io added (the default credentials.yml has REST only).
SOCKETIO_CREDENTIALS = ROOT / "credentials-socketio.yml"


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """A running Rasa server (and action server, if any)."""

    rasa_url: str
    token: str
    rasa: subprocess.Popen[bytes]
    actions: subprocess.Popen[bytes] | None
    workdir: Path
    actions_url: str | None = None
    actions_token: str | None = None

    def log_text(self) -> str:
        """Everything both servers have logged so far."""
        return "".join(
            (self.workdir / name).read_text(errors="replace")
            for name in ("rasa.log", "actions.log")
            if (self.workdir / name).exists()
        )

    def say(self, sender: str, message: object, timeout: float = 30) -> requests.Response:
        """POST one message to the REST webhook."""
        return requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )

    def say_socketio(self, text: str, quiet: float = 2.0) -> list[dict[str, object]]:
        """Send `text` with a real socket.io client; return every message of the reply.

        Rasa's socket.io output sends each paragraph as its own event, with no end-of-turn
        marker, so the reply is what arrives until `quiet` seconds of silence.
        """
        client = socketio.Client()
        events: queue.Queue[dict[str, object]] = queue.Queue()
        session: queue.Queue[str] = queue.Queue()
        client.on("bot_uttered", events.put)
        client.on("session_confirm", lambda data: session.put(str(data)))
        client.connect(self.rasa_url, transports=["websocket"], socketio_path="/socket.io")
        try:
            client.emit("session_request", {"session_id": None})
            client.emit("user_uttered", {"message": text, "session_id": session.get(timeout=20)})
            received = [events.get(timeout=30)]
            while True:
                try:
                    received.append(events.get(timeout=quiet))
                except queue.Empty:
                    return received
        finally:
            client.disconnect()

    def tracker(self, sender: str) -> dict[str, object]:
        """Return the conversation's tracker from the HTTP API."""
        response = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early; log:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {seconds:.0f} s; log:\n{log.read_text()[-3000:]}")


def _start(
    command: list[str], *, cwd: Path, env: Mapping[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start a server process, its output going to `log`."""
    return subprocess.Popen(
        command, cwd=cwd, env=dict(env), stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def prepare_database(url: str, project: Path = ROOT) -> None:
    """Migrate the database at `url` and load the starter articles and trials (`make db`)."""
    trials = [str(p) for p in sorted((project / "data" / "trials").glob("*.json"))]
    for command in (["db", "upgrade"], ["kb", "load"], ["trials", "import", *trials]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=project,
            env={"DATABASE_URL": url, "PATH": ""},
            check=True,
            capture_output=True,
        )


@contextmanager
def running_stack(
    workdir: Path,
    *,
    model: Path,
    project: Path = ROOT,
    env: Mapping[str, str] | None = None,
    with_actions: bool = True,
    credentials: Path | None = None,
    endpoints: Path | None = None,
) -> Iterator[Stack]:
    """Run the action server (optional) and the Rasa server until the block ends.

    Args:
        workdir: where endpoints, logs and the conversations database go.
        model: the trained model to serve.
        project: the Rasa project folder (its `actions` package, `credentials.yml`).
        env: extra environment (for example `DATABASE_URL`; `RASA_AUTH_TOKEN` to share
            one token between several servers).
        with_actions: start the action server too.
        credentials: channels file; default the project's `credentials.yml`.
        endpoints: an endpoints file of the project that reads its addresses from the
            environment (`endpoints-cluster.yml`); ACTION_ENDPOINT_URL and
            TRACKER_STORE_URL are set for it unless `env` sets them. Default: one
            written here with the addresses in it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    # The secrets go through the environment, as in `make run`: never on a command line.
    token = (env or {}).get("RASA_AUTH_TOKEN") or secrets.token_hex(16)
    actions_token = secrets.token_hex(32)
    action_port, rasa_port = free_port(), free_port()
    addresses = {}
    if endpoints is not None:  # the file reads them from the environment
        addresses = {
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'conversations.db'}",
        }
    environ = rasa_commands.environment(
        {"RASA_AUTH_TOKEN": token, "ACTIONS_TOKEN": actions_token, **addresses, **(env or {})}
    )
    if endpoints is None:
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
            "  headers:\n    X-Actions-Token: ${ACTIONS_TOKEN}\n"
            "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
            f"  db: {workdir / 'conversations.db'}\n",
            encoding="utf-8",
        )
    actions = rasa = None
    try:
        if with_actions:
            log = workdir / "actions.log"
            actions = _start(
                rasa_commands.run_actions(action_port),
                cwd=project,
                env=environ,
                log=log,
            )
            _wait(f"http://127.0.0.1:{action_port}/health", actions, log, 120)
        log = workdir / "rasa.log"
        rasa = _start(
            rasa_commands.serve(
                str(model),
                rasa_port,
                credentials=str(credentials or project / "credentials.yml"),
                endpoints=str(endpoints),
            ),
            cwd=project,
            env=environ,
            log=log,
        )
        url = f"http://127.0.0.1:{rasa_port}"
        _wait(f"{url}/status?token={token}", rasa, log, 240)
        actions_url = f"http://127.0.0.1:{action_port}" if with_actions else None
        yield Stack(url, token, rasa, actions, workdir, actions_url, actions_token)
    finally:
        _stop(rasa)
        _stop(actions)


@dataclass
class WebApp:
    """A running web app process (uvicorn) in front of a Rasa server."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        """Everything the web app has logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def new_conversation(self) -> str:
        """A conversation id signed by the app, as the chat page gets one."""
        response = requests.post(f"{self.url}/api/conversation", timeout=30)
        response.raise_for_status()
        return str(response.json()["session_id"])


@contextmanager
def running_web_app(
    workdir: Path,
    *,
    rasa_url: str,
    project: Path = ROOT,
    env: Mapping[str, str] | None = None,
) -> Iterator[WebApp]:
    """Run the web app on a free loopback port until the block ends.

    Args:
        workdir: where its log goes.
        rasa_url: the Rasa server it forwards chat messages to.
        project: the project folder (its `web` package).
        env: extra environment (for example `DATABASE_URL`, `WEB_RATE_LIMIT`).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environ = {**os.environ, "RASA_URL": rasa_url, "PUBLIC_URL": url, **(env or {})}
    log = workdir / f"web-{port}.log"
    process = _start(
        [
            str(BIN / "uvicorn"),
            "web.app:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "none",  # no websockets here, and Rasa's websockets 10 is too old for uvicorn's
            "--no-proxy-headers",  # as `make run`: the client is the TCP peer
        ],
        cwd=project,
        env=environ,
        log=log,
    )
    try:
        _wait(f"{url}/topics", process, log, 60)
        yield WebApp(url, process, log)
    finally:
        _stop(process)


def copy_project(dest: Path, project: Path = ROOT) -> Path:
    """Make a Rasa project folder at `dest` that training can write into freely.

    The training data, tests and scripts are copied; the code and the built spaCy
    pipeline are linked (read only). Rasa's training cache (`.rasa/`) is shared with
    `project`, so training there reuses what `make train` already computed.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("domain.yml", "config.yml"):
        shutil.copy2(project / name, dest / name)
    for name in ("data/nlu", "data/stories", "tests/stories", "tests/data", "scripts"):
        shutil.copytree(project / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "var").mkdir(exist_ok=True)
    (project / ".rasa").mkdir(exist_ok=True)
    for name in ("bot", "rasa_ext", "actions", "var/spacy", ".rasa"):
        (dest / name).symlink_to(project / name)
    return dest
