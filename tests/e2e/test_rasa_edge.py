"""The Rasa side of the privacy and hardening rules, on the real servers and web app.

One stack (Rasa, actions) and the web app in front of it, at LOG_LEVEL=INFO as `make run`
logs. The messages carry made-up names and phone numbers found nowhere else, so finding
one in a log means the log holds a patient's words.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.privacy import conversation_ref
from bot.settings import PROJECT_ROOT, Settings
from tests.support.stack import Stack, WebApp, prepare_database, running_stack, running_web_app

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
LOGGING = {"LOG_LEVEL": "INFO"}
# Messages Rasa would read as a coded intent, each with words no other message has.
SLASH_MESSAGES = {
    "Zorvexa": "/help my name is Zorvexa Dupont, born 12/03/1961, tel 06 12 34 56 78",
    "Quillona": '/ask_car_t_cells{"nope":1} I am Quillona, call 06 98 76 54 32',
    "Brindlewick": "/{Brindlewick Dupont 06 11 22 33 44}",
    "Tarrowane": "/greet@0.99 from Tarrowane",
    "Mellisandor": "/no_such_intent Mellisandor here",
    "Pellucidra": "/ /greet{} Pellucidra",
}
HIDDEN_URGENT = "/greet{} my husband has a fever of 40 and cannot breathe"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('privacy-db') / 'kb.db'}"
    prepare_database(url)
    return url


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Stack]:
    assert MODEL.exists(), "train first: make train"
    with running_stack(
        tmp_path_factory.mktemp("privacy-stack"),
        model=MODEL,
        env={"DATABASE_URL": database_url, **LOGGING},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def web(
    tmp_path_factory: pytest.TempPathFactory, stack: Stack, database_url: str
) -> Iterator[WebApp]:
    with running_web_app(
        tmp_path_factory.mktemp("privacy-web"),
        rasa_url=stack.rasa_url,
        env={"DATABASE_URL": database_url, "WEB_RATE_LIMIT": "600", **LOGGING},
    ) as app:
        yield app


def session() -> str:
    return f"privacy-{uuid.uuid4().hex}"


def via_web(web: WebApp, session_id: str, message: str) -> list[dict[str, object]]:
    response = requests.post(
        f"{web.url}/api/message", json={"session_id": session_id, "message": message}, timeout=60
    )
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


def via_rest(stack: Stack, sender: str, message: str) -> list[dict[str, object]]:
    response = stack.say(sender, message, timeout=60)
    assert response.status_code == 200, response.text
    return list(response.json())


def all_logs(stack: Stack, web: WebApp) -> str:
    return stack.log_text() + web.log_text()


def test_slash_messages_are_read_as_words_and_never_logged(stack: Stack, web: WebApp) -> None:
    for message in SLASH_MESSAGES.values():
        assert via_web(web, web.new_conversation(), message), "the web app gets a reply"
        assert via_rest(stack, session(), message), "a direct REST caller gets a reply"
    logs = all_logs(stack, web)
    assert [name for name in SLASH_MESSAGES if name in logs] == []
    assert "06 12 34 56 78" not in logs and "Failed to parse arguments" not in logs
    assert "message.parsing.failed" not in logs


def test_a_coded_prefix_does_not_hide_a_warning_sign(stack: Stack, web: WebApp) -> None:
    sender = session()
    [custom] = [m["custom"] for m in via_rest(stack, sender, HIDDEN_URGENT) if "custom" in m]
    assert custom["kb_article"] == "urgent-symptoms" and custom["urgent"] is True
    assert stack.tracker(sender)["slots"]["kb_article"] == "urgent-symptoms"  # type: ignore[index]
    [answer] = via_web(web, web.new_conversation(), HIDDEN_URGENT)
    assert answer["urgent"] is True and answer["kb_article"] == "urgent-symptoms"


@pytest.mark.parametrize(
    ("payload", "slug"), [("/ask_car_t_cells", "car-t-cells"), ("/greet", "greeting")]
)
def test_the_bots_own_button_payloads_still_work(
    stack: Stack, web: WebApp, payload: str, slug: str
) -> None:
    sender = session()
    via_rest(stack, sender, payload)
    assert stack.tracker(sender)["slots"]["kb_article"] == slug  # type: ignore[index]
    assert via_web(web, web.new_conversation(), payload)[0]["kb_article"] == slug


def test_a_conversation_with_warning_signs_leaves_no_words_or_ids_in_the_logs(
    stack: Stack, web: WebApp
) -> None:
    session_id = web.new_conversation()
    turns = [
        "hello",
        "my name is Grindelwaldo Vapourhurst, tel 06 55 44 33 22",
        "my wife has a fever of 40, she is short of breath and has bloody diarrhoea",
        "what is car t cell therapy?",
        "Sincerely, Grindelwaldo",
    ]
    replies = [via_web(web, session_id, turn) for turn in turns]
    assert replies[2][0]["urgent"] is True
    rest_sender = session()
    via_rest(stack, rest_sender, "Ottoline Frabjous, 07 11 22 33 44: my chest hurts badly")
    logs = all_logs(stack, web)
    fragments = ["Grindelwaldo", "Vapourhurst", "06 55 44 33 22", "Ottoline", "Frabjous",
                 "07 11 22 33 44", "short of breath", "diarrhoea", "chest", "fever",
                 "breath", "car t cell therapy"]  # fmt: skip
    assert [f for f in fragments if f.lower() in logs.lower()] == []
    web_sender = session_id.partition(".")[0]  # what Rasa knows the conversation by
    assert web_sender not in logs and rest_sender not in logs
    # The conversation is still traceable, by its keyed reference only.
    assert conversation_ref(web_sender, Settings.from_env().secret_key) in logs


def test_metadata_keeps_only_the_language(stack: Stack) -> None:
    sender = session()
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={
            "sender": sender,
            "message": "hello",
            "metadata": {"language": "fr", "blob": "M" * 20_000},
        },
        timeout=60,
    )
    assert response.status_code == 200
    [user] = [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]  # type: ignore[index]
    assert user["metadata"].get("language") == "fr"
    assert "blob" not in user["metadata"] and "MMMM" not in str(user)


def test_a_large_request_is_refused_before_rasa_reads_it(stack: Stack) -> None:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": session(), "message": "hi", "metadata": {"blob": "M" * 100_000}},
        timeout=60,
    )
    assert response.status_code == 413


def test_socketio_is_off_by_default(stack: Stack) -> None:
    response = requests.get(
        f"{stack.rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10
    )
    assert response.status_code == 404


def test_the_action_server_answers_only_rasa(stack: Stack) -> None:
    assert stack.actions_url is not None and stack.actions_token
    assert requests.get(f"{stack.actions_url}/health", timeout=10).status_code == 200
    assert requests.get(f"{stack.actions_url}/actions", timeout=10).status_code == 401
    webhook = requests.post(
        f"{stack.actions_url}/webhook", json={"next_action": "action_answer_topic"}, timeout=10
    )
    assert webhook.status_code == 401
    wrong = {"X-Actions-Token": "0" * 64}
    assert (
        requests.get(f"{stack.actions_url}/actions", headers=wrong, timeout=10).status_code == 401
    )
    right = {"X-Actions-Token": stack.actions_token}
    assert (
        requests.get(f"{stack.actions_url}/actions", headers=right, timeout=10).status_code == 200
    )


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the listening TCP sockets on `port` (from /proc/net/tcp*)."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_both_servers_listen_on_loopback_only(stack: Stack) -> None:
    assert stack.actions_url is not None
    for url in (stack.rasa_url, stack.actions_url):
        port = int(url.rsplit(":", 1)[1])
        assert _listening_addresses(port) == {"0100007F"}, url  # 127.0.0.1, nothing else


def test_no_secret_is_on_any_command_line(stack: Stack) -> None:
    assert stack.actions_token
    secrets = (stack.token.encode(), stack.actions_token.encode())
    seen = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                seen[entry.name] = (entry / "cmdline").read_bytes()
            except OSError:  # the process ended meanwhile
                continue
    assert b"rasa_ext.server" in seen[str(stack.rasa.pid)]
    assert [pid for pid, argv in seen.items() if any(s in argv for s in secrets)] == []
    # The API calls carry the token in `?token=` (Rasa reads it only there): no log has it.
    assert stack.token not in stack.log_text() and stack.actions_token not in stack.log_text()
