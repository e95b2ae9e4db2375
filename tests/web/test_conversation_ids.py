"""Conversation ids: issued and signed by the server, checked on every message.

Rasa does not run in these tests; where the test is about which sender the app hands
Rasa, a small stand-in for Rasa's REST webhook records it (the real webhook is driven
in tests/e2e/test_browser.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.privacy import conversation_ref
from tests.web.conftest import SECRET_KEY, new_session, web_settings
from web.app import create_app
from web.conversation_ids import new_conversation, verify

_PAGE_ID = re.compile(r'data-session-id="([^"]+)"')
_PAGE_REF = re.compile(r'data-reference="([^"]+)"')


class RecordingRasa:
    """Answers Rasa's REST webhook with one text message and records each sender."""

    def __init__(self) -> None:
        self.senders: list[str] = []
        self.app = Starlette(
            routes=[Route("/webhooks/rest/webhook", self.webhook, methods=["POST"])]
        )

    async def webhook(self, request: Request) -> JSONResponse:
        sender = (await request.json())["sender"]
        self.senders.append(sender)
        return JSONResponse([{"recipient_id": sender, "text": "Hello."}])


@pytest.fixture
def rasa() -> RecordingRasa:
    return RecordingRasa()


@pytest.fixture
def chat(tmp_path: Path, store: ArticleStore, rasa: RecordingRasa) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings(tmp_path), store)) as client:
        client.app.state.rasa = httpx.AsyncClient(  # type: ignore[attr-defined]
            transport=httpx.ASGITransport(app=rasa.app), base_url="http://rasa"
        )
        yield client


def page_conversation(client: TestClient) -> tuple[str, str]:
    text = client.get("/").text
    return _PAGE_ID.search(text).group(1), _PAGE_REF.search(text).group(1)  # type: ignore[union-attr]


def test_each_page_load_brings_a_fresh_signed_id_and_its_reference(client: TestClient) -> None:
    (first, first_ref), (second, _) = page_conversation(client), page_conversation(client)
    assert first != second
    conversation = verify(first, SECRET_KEY)
    assert conversation is not None and conversation.sender.startswith("web-")
    assert first_ref == conversation_ref(conversation.sender, SECRET_KEY)
    assert re.fullmatch(r"web-[0-9a-f]{32}", conversation.sender)
    page = client.get("/")
    assert "Conversation reference:" in page.text and "delete this conversation" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_start_over_gets_a_new_signed_id(client: TestClient) -> None:
    first, second = new_session(client), new_session(client)
    assert first != second and verify(first, SECRET_KEY) and verify(second, SECRET_KEY)
    foreign = client.post("/api/conversation", headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403


def test_the_same_id_keeps_the_conversation_and_rasa_never_sees_the_signature(
    chat: TestClient, rasa: RecordingRasa
) -> None:
    token, reference = page_conversation(chat)
    other = new_session(chat)
    for session in (token, token, other):
        reply = chat.post("/api/message", json={"session_id": session, "message": "hi"})
        assert reply.status_code == 200 and reply.json()["messages"][0]["text"] == "Hello."
    assert reply.json()["reference"] != reference
    sender = token.split(".")[0]
    assert rasa.senders == [sender, sender, other.split(".")[0]]
    first = chat.post("/api/message", json={"session_id": token, "message": "hi"}).json()
    assert first["reference"] == reference, "the page shows the server's reference"
    assert token not in str(first) and sender not in str(first)


@pytest.mark.parametrize(
    "session_id",
    [
        "web-" + "0" * 32,  # unsigned
        "web-" + "0" * 32 + "." + "0" * 32,  # forged signature
        new_conversation("j" * 64).token,  # signed with another key
        new_conversation(SECRET_KEY).token.upper(),
        new_conversation(SECRET_KEY).token + "\n",
        "rest-" + new_conversation(SECRET_KEY).token[4:],  # another channel's sender
        "u-34723d",
        "web-test-session-1",
        12345,
        None,
    ],
)
def test_an_id_the_server_did_not_sign_gets_400_and_never_reaches_rasa(
    chat: TestClient, rasa: RecordingRasa, session_id: object
) -> None:
    response = chat.post("/api/message", json={"session_id": session_id, "message": "hi"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "Sorry, that message could not be read. Please type your question again."
    }
    assert rasa.senders == []


def test_logs_name_the_conversation_by_its_reference_only(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = new_session(client)
    conversation = verify(token, SECRET_KEY)
    assert conversation is not None
    with caplog.at_level(logging.DEBUG, logger="web"):
        client.post("/api/message", json={"session_id": token, "message": "my secret words"})
    logged = caplog.text
    assert conversation.reference in logged  # "Rasa unreachable for conversation <ref>"
    assert conversation.sender not in logged and "secret words" not in logged
