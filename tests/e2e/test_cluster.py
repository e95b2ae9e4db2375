"""The cluster with its real processes: PostgreSQL, Redis, HAProxy, two of each server.

One cluster for the module (starting it takes a minute or two). The last test kills a
Rasa replica, so it stays last.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import add_user
from bot.staff.inbox import sync
from bot.staff.tracker_store import LOW_CONFIDENCE, NOT_UNDERSTOOD
from bot.training.pipeline import start_rollback
from cluster.launcher import Cluster
from tests.support.cluster import running_cluster
from tests.support.deploy import deploy_a_copy
from tests.support.staff_client import PASSWORD, csrf_token

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
TRIAL_TURNS = ("trials for lung cancer for my 60 year old dad", "any kind", "anywhere")
TRIAL_RESULTS = ["NCT06751849", "NCT06751901", "NCT05907980"]  # as on one server (test_rest)
QUESTIONS = (
    "what is CAR-T?",
    "what are checkpoint inhibitors?",
    "can immunotherapy affect my thyroid?",
    "how do I join a clinical trial?",
    "what is a cancer vaccine?",
    "is it safe to travel during immunotherapy?",
    "what happens at an infusion appointment?",
    "can immunotherapy cause diarrhoea?",
    "what is immunotherapy?",
    "what are the side effects of CAR-T?",
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    assert MODEL.exists(), "train first: make train"
    with running_cluster(MODEL) as running:
        yield running


def say(cluster: Cluster, sender: str, message: str, timeout: float = 120) -> requests.Response:
    """One message to Rasa's REST webhook through the load balancer."""
    url = cluster.layout.url(cluster.layout.rasa_port, "/webhooks/rest/webhook")
    return requests.post(url, json={"sender": sender, "message": message}, timeout=timeout)


def replies(response: requests.Response) -> list[dict[str, Any]]:
    """The bot's messages, without the recipient (the conversation id)."""
    assert response.status_code == 200, response.text
    return [{k: v for k, v in m.items() if k != "recipient_id"} for m in response.json()]


def texts(response: requests.Response) -> list[str]:
    return [m["text"] for m in replies(response) if "text" in m]


def tracker(cluster: Cluster, sender: str) -> dict[str, Any]:
    url = cluster.layout.url(cluster.layout.rasa_port, f"/conversations/{sender}/tracker")
    response = requests.get(url, params={"token": cluster.settings.rasa_token}, timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


def turns(events: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Each user message with the bot texts that follow it, in the tracker's order."""
    found: list[tuple[str, list[str]]] = []
    for event in events:
        if event["event"] == "user":
            found.append((event["text"], []))
        elif event["event"] == "bot" and found and event.get("text"):
            found[-1][1].append(event["text"])
    return found


def nct_ids(messages: list[str]) -> list[str]:
    return list(dict.fromkeys(re.findall(r"NCT\d{8}", " ".join(messages))))


def wait_for(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not after {seconds} s: {what}"
        time.sleep(0.5)


def test_every_replica_writes_its_pid_and_passes_its_health_check(cluster: Cluster) -> None:
    names = ["rasa-1", "rasa-2", "actions-1", "actions-2", "web-1", "web-2"]
    for name in [*names, "postgres", "redis", "haproxy"]:
        pid = int(cluster.layout.pid_file(name).read_text(encoding="utf-8"))
        os.kill(pid, 0)  # the process is there
    states = cluster.load_balancer.server_states()
    assert sorted(states) == sorted(f"{name.split('-')[0]}/{name}" for name in names) and all(
        state == "UP" for state in states.values()
    )
    web = requests.get(cluster.layout.url(cluster.layout.web_port, "/"), timeout=30)
    assert web.status_code == 200 and web.headers["X-Served-By"] in ("web-1", "web-2")


def test_a_trial_search_over_alternating_replicas_finds_what_one_replica_finds(
    cluster: Cluster,
) -> None:
    across = [say(cluster, "trial-across", message) for message in TRIAL_TURNS]
    served = [response.headers["X-Served-By"] for response in across]
    assert all(a != b for a, b in zip(served, served[1:], strict=False)), served
    assert nct_ids(texts(across[-1])) == TRIAL_RESULTS
    slots = tracker(cluster, "trial-across")["slots"]
    assert (slots["cancer_type"], slots["age"]) == ("Lung cancer", 60.0)

    api = cluster.load_balancer
    api.set_enabled("rasa", "rasa-2", False)
    try:
        alone = [say(cluster, "trial-alone", message) for message in TRIAL_TURNS]
    finally:
        api.set_enabled("rasa", "rasa-2", True)
        wait_for(lambda: api.server_states()["rasa/rasa-2"] == "UP", 30, "rasa-2 back")
    assert {response.headers["X-Served-By"] for response in alone} == {"rasa-1"}
    assert [replies(r) for r in across] == [replies(r) for r in alone]


def test_ten_messages_at_once_to_one_conversation_are_answered_in_turn(cluster: Cluster) -> None:
    sender = "ten-at-once"
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        responses = list(pool.map(lambda q: say(cluster, sender, q), QUESTIONS))
    assert {r.headers["X-Served-By"] for r in responses} == {"rasa-1", "rasa-2"}
    answered = {q: texts(r) for q, r in zip(QUESTIONS, responses, strict=False)}
    assert all(answered.values())
    events = tracker(cluster, sender)["events"]
    stored = turns(events)
    # Each message once, each followed by the very answer its sender got: no turn ran
    # alongside another on the other replica (Rasa's lock store, in Redis).
    assert sorted(text for text, _ in stored) == sorted(QUESTIONS)
    assert all(bot_texts == answered[text] for text, bot_texts in stored)
    times = [event["timestamp"] for event in events]
    assert times == sorted(times)


def test_the_inbox_reads_the_postgresql_tracker_store(cluster: Cluster) -> None:
    assert say(cluster, "inbox-cluster", "flibber wobble grok").status_code == 200
    env = cluster.layout.app_environment()
    factory = make_session_factory(make_engine(env["DATABASE_URL"]))
    with factory.begin() as session:
        report = sync(session, env["TRACKER_STORE_URL"], key=env["SECRET_KEY"])
    assert report.added >= 1
    with factory() as session:
        from bot.staff.tables import InboxItem

        reasons = {item.text: item.reason for item in session.query(InboxItem)}
    # Made-up words: not understood, or a topic guessed with low confidence.
    assert reasons["flibber wobble grok"] in (NOT_UNDERSTOOD, LOW_CONFIDENCE)


def test_the_sign_in_throttle_holds_across_both_web_replicas(cluster: Cluster) -> None:
    factory = make_session_factory(make_engine(cluster.layout.app_environment()["DATABASE_URL"]))
    with factory.begin() as session:
        add_user(session, "rita", "reviewer", PASSWORD)
    url = cluster.layout.url(cluster.layout.web_port, "/admin/login")
    browser = requests.Session()
    page = browser.get(url, timeout=30)

    def sign_in(password: str) -> requests.Response:
        nonlocal page  # each answer is the form again, with a new token: POSTs only
        form = {"name": "rita", "password": password, "csrf_token": csrf_token(page.text)}
        page = browser.post(url, data=form, allow_redirects=False, timeout=30)
        return page

    failures = [sign_in(f"guess {n}") for n in range(5)]
    assert [r.status_code for r in failures] == [401] * 5
    assert {r.headers["X-Served-By"] for r in failures} == {"web-1", "web-2"}
    refused = [sign_in(PASSWORD) for _ in range(2)]  # the right password now waits...
    assert [r.status_code for r in refused] == [429, 429]
    assert {r.headers["X-Served-By"] for r in refused} == {"web-1", "web-2"}  # ...on both


def served_models(cluster: Cluster) -> list[str]:
    """The model file each Rasa replica serves, asked directly."""
    token = {"token": cluster.settings.rasa_token}
    return [
        requests.get(cluster.layout.url(port, "/status"), params=token, timeout=30).json()[
            "model_file"
        ]
        for port in cluster.layout.rasa_replica_ports
    ]


def test_a_deploy_and_a_rollback_reach_both_rasa_replicas(cluster: Cluster) -> None:
    settings = Settings.from_env(cluster.layout.app_environment(), root=PROJECT_ROOT)
    factory = make_session_factory(make_engine(settings.database_url))
    assert served_models(cluster) == ["assistant.tar.gz"] * 2
    _, run = deploy_a_copy(settings, factory)  # the stages after training, as staff run them
    assert run.state == "deployed", f"{run.error}\n{run.log_tail}"
    assert served_models(cluster) == [f"run-{run.id}.tar.gz"] * 2
    assert texts(say(cluster, "after-deploy", "what is CAR-T?"))
    rollback = start_rollback(factory, settings, "alice")
    assert rollback.run() == "deployed"
    assert served_models(cluster) == ["assistant.tar.gz"] * 2


@dataclass
class Sent:
    """One message of the load test and what became of it."""

    sender: str
    text: str
    sent_at: float
    answered: bool
    trials: list[str]


def test_a_killed_rasa_replica_loses_no_answered_message(cluster: Cluster) -> None:
    """SIGKILL rasa-1 while four conversations talk; the others go on where they were."""
    senders = [f"killed-{n}" for n in range(4)]
    forms = {sender: ["/ask_trial_search", "Leukaemia", "30", "any", "anywhere"]
             for sender in senders[:2]}  # fmt: skip
    killed = threading.Event()
    log: list[Sent] = []

    def talk(sender: str) -> None:
        script = forms.get(sender) or list(QUESTIONS)
        for n, message in enumerate(script):
            if n == 2 and sender in forms:
                killed.wait(60)  # the forms cross the kill between two of their turns
            start = time.monotonic()
            try:
                response = say(cluster, sender, message)
                answered, trials = response.status_code == 200, nct_ids(texts(response))
            except (requests.RequestException, AssertionError):
                answered, trials = False, []
            log.append(Sent(sender, message, start, answered, trials))
            time.sleep(0.2)

    with ThreadPoolExecutor(len(senders)) as pool:
        running = [pool.submit(talk, sender) for sender in senders]
        # Both searches have had two turns answered, the other conversations are talking.
        wait_for(lambda: len(log) >= 8 and sum(s.sender in forms for s in log) >= 4, 120, "load")
        rasa_1 = int(cluster.layout.pid_file("rasa-1").read_text(encoding="utf-8"))
        os.kill(rasa_1, signal.SIGKILL)
        killed_at = time.monotonic()
        api = cluster.load_balancer
        wait_for(lambda: api.server_states()["rasa/rasa-1"].startswith("DOWN"), 30, "removal")
        removed_at = time.monotonic()
        killed.set()
        for future in running:
            future.result()

    # Only a message in flight while rasa-1 died may go unanswered (a connection refused
    # is sent to rasa-2; one the dying process had accepted is lost with it): at most one
    # per conversation, none sent after the health check took rasa-1 out.
    unanswered = [s for s in log if not s.answered]
    assert len(unanswered) <= len(senders), unanswered
    assert all(killed_at - 5 < s.sent_at < removed_at for s in unanswered), unanswered
    assert all(s.answered for s in log if s.sent_at > removed_at)
    for sender in senders:
        stored = [text for text, _ in turns(tracker(cluster, sender)["events"])]
        answered = iter(stored)
        mine = [s.text for s in log if s.sender == sender and s.answered]
        # Every answered message is in the tracker, in the order it was sent.
        assert all(text in answered for text in mine), (sender, mine, stored)
    results = []
    for sender in forms:  # both searches went on where they were, to the same results
        final = tracker(cluster, sender)
        assert final["slots"]["cancer_type"] == "Leukaemia" and final["slots"]["age"] == 30.0
        results.append(next(s.trials for s in log if s.sender == sender and s.text == "anywhere"))
    assert len(results[0]) == 3 and results[0] == results[1]
