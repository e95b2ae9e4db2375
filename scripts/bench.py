"""`make bench`: REST latency of this bot beside a bare `rasa init` bot, and training time.

This bot is also measured through the web app (`POST /api/message`, as the chat page
sends), to show what the app's checks and forwarding add.

Both bots are measured in the same run on the same machine; ours has the action server
and the database in the loop.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bot.settings import PROJECT_ROOT as ROOT
from tests.support.stack import Stack, running_stack, running_web_app

RASA = str(Path(sys.executable).parent / "rasa")
OUT = ROOT / "var" / "results"
OUR_MESSAGES = [
    "what is immunotherapy?",
    "can keytruda cause a rash",
    "and with CAR-T?",
    "tell me more",
    "my dad has a fever of 39",
    "how do I join a clinical trial",
]
INIT_MESSAGES = ["hello", "I am sad", "yes", "bye", "are you a bot?", "great"]
TURNS = 60  # per conversation


class WebChat:
    """Sends messages the way the chat page does: through the web app to Rasa."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ids: dict[str, str] = {}  # our sender name -> the id the app issued for it

    def say(self, sender: str, message: str) -> requests.Response:
        """POST one message to the web app's chat endpoint (on an id the app signed)."""
        if sender not in self.ids:
            issued = requests.post(f"{self.url}/api/conversation", timeout=30)
            issued.raise_for_status()
            self.ids[sender] = issued.json()["session_id"]
        return requests.post(
            f"{self.url}/api/message",
            json={"session_id": self.ids[sender], "message": message},
            timeout=30,
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def conversation(stack: Stack | WebChat, messages: list[str]) -> list[float]:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    times = []
    for i in range(TURNS):
        started = time.perf_counter()
        response = stack.say(sender, messages[i % len(messages)])
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and response.json(), response.text
    return times


def latency(stack: Stack | WebChat, messages: list[str]) -> dict[str, dict[str, float]]:
    conversation(stack, messages)  # warm-up: first calls load lazily-built graphs
    results = {}
    for users in (1, 10):
        with ThreadPoolExecutor(users) as pool:
            runs = list(pool.map(lambda _: conversation(stack, messages), range(users)))
        times = [t for run in runs for t in run]
        results[f"{users} conversation(s)"] = {
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
        }
    return results


def train_seconds(workdir: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [
            RASA,
            "train",
            "--force",
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
            "--data",
            "data/nlu",
            "data/stories",
            "--out",
            str(workdir),
            "--fixed-model-name",
            "b",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return round(time.monotonic() - started)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    results: dict[str, object] = {"machine": f"{machine}, Python {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = f"sqlite:///{work / 'kb.db'}"
        for command in (["db", "upgrade"], ["kb", "load"]):
            subprocess.run(
                [sys.executable, "-m", "bot", *command],
                cwd=ROOT,
                check=True,
                env={**os.environ, "DATABASE_URL": db},
                stdout=subprocess.DEVNULL,
            )
        with running_stack(
            work / "ours", model=ROOT / "models/assistant.tar.gz", env={"DATABASE_URL": db}
        ) as stack:
            results["this bot"] = latency(stack, OUR_MESSAGES)
            with running_web_app(
                work / "web",
                rasa_url=stack.rasa_url,
                env={"DATABASE_URL": db, "WEB_RATE_LIMIT": "100000"},
            ) as web:
                results["this bot through the web app"] = latency(WebChat(web.url), OUR_MESSAGES)
        init_dir = work / "init-bot"
        init_dir.mkdir()
        subprocess.run(
            [RASA, "init", "--no-prompt", "--init-dir", str(init_dir)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        model = next((init_dir / "models").glob("*.tar.gz"))
        with running_stack(
            work / "init", model=model, project=init_dir, with_actions=False
        ) as stack:
            results["bare rasa init bot"] = latency(stack, INIT_MESSAGES)
        results["training seconds (forced, this bot)"] = train_seconds(work / "models")
    (OUT / "bench.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
