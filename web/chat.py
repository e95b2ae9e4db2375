"""The chat endpoint: checks a message, forwards it to Rasa's REST channel, shapes the reply.

The page talks only to this app. Limits (message length, rate per client, origin)
apply here, before Rasa sees anything; Rasa's answer comes back as a list of
messages the widget renders as text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.kb.answers import ARTICLE_KEY, SOURCE_PREFIX, URGENT_KEY, unavailable
from bot.text import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 16_384
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MAX_PAYLOAD_CHARS = 200
_URL_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, javascript:

TOO_LONG = (
    f"Your message is too long. Please keep it under {MAX_MESSAGE_CHARS} characters, "
    "or split it into shorter questions."
)
TOO_MANY = "You are sending messages very fast. Please wait a minute, then try again."
BAD_REQUEST = "Sorry, that message could not be read. Please type your question again."


@dataclass
class ChatMessage:
    """One bot message as the widget shows it."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    source_line: str | None = None
    urgent: bool = False
    kb_article: str | None = None


def shape_reply(rasa_messages: Any) -> list[ChatMessage]:
    """Turn Rasa's REST reply into messages: text, buttons, source line, urgency.

    The custom JSON an answer carries (`kb_article`, `urgent`) belongs to the text
    before it; the answer's last paragraph, when it starts with "Source:", is split
    off as the source line.

    Args:
        rasa_messages: the decoded body of Rasa's REST webhook.

    Returns:
        The messages in order; anything that is not text is dropped.
    """
    shaped: list[ChatMessage] = []
    for item in rasa_messages if isinstance(rasa_messages, list) else []:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("text"), str):
            shaped.append(_text_message(item))
        custom = item.get("custom")
        if isinstance(custom, dict) and shaped:
            shaped[-1].urgent = shaped[-1].urgent or custom.get(URGENT_KEY) is True
            if isinstance(custom.get(ARTICLE_KEY), str):
                shaped[-1].kb_article = custom[ARTICLE_KEY]
    return shaped


def _text_message(item: dict[str, Any]) -> ChatMessage:
    text = item["text"].strip()
    source_line = None
    head, sep, last = text.rpartition("\n\n")
    if sep and last.startswith(SOURCE_PREFIX):
        text, source_line = head.strip(), last.strip()
    buttons = [
        {"title": str(b["title"]), "payload": str(b["payload"])}
        for b in item.get("buttons") or []
        if isinstance(b, dict) and b.get("title") and _is_payload(b.get("payload"))
    ]
    return ChatMessage(text=text, buttons=buttons, source_line=source_line)


def _is_payload(value: Any) -> bool:
    """A topic (`/ask_...`) or a short answer ("Lung cancer"); never a link or a script."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_PAYLOAD_CHARS:
        return False
    return value.startswith("/") or not _URL_SCHEME.match(value)


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def _same_origin(request: Request) -> bool:
    """A browser's cross-site POST carries a foreign Origin: refuse it."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-origin request (curl, tests)
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


async def post_message(request: Request) -> JSONResponse:
    """Forward one chat message to Rasa and return the shaped reply.

    Body: `{"session_id": "...", "message": "..."}`. Answers 200 with
    `{"messages": [...]}`, or an error status with `{"error": "<plain words>"}`.
    """
    state = request.app.state
    if not _same_origin(request):
        return _error(403, BAD_REQUEST)
    client = request.client.host if request.client else "unknown"
    if not state.rate_limiter.allow(client):
        return _error(429, TOO_MANY, **{"Retry-After": str(state.rate_limiter.retry_after())})
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error(413, TOO_LONG)
    try:
        data = await request.json() if body else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return _error(400, BAD_REQUEST)
    session_id, message = data.get("session_id"), data.get("message")
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        return _error(400, BAD_REQUEST)
    if not isinstance(message, str) or not message.strip():
        return _error(400, BAD_REQUEST)
    if len(message) > MAX_MESSAGE_CHARS:
        return _error(413, TOO_LONG)
    try:
        response = await state.rasa.post(
            "/webhooks/rest/webhook", json={"sender": session_id, "message": message}
        )
        response.raise_for_status()
        messages = shape_reply(response.json())
    except (httpx.HTTPError, ValueError) as error:
        logger.error("Rasa unreachable for %s: %s", session_id, error.__class__.__name__)
        return _error(502, unavailable(state.store.hospital_values_or_defaults()).text)
    if not messages:
        return _error(502, unavailable(state.store.hospital_values_or_defaults()).text)
    logger.debug("session %s: %d message(s) from Rasa", session_id, len(messages))
    return JSONResponse(
        {"messages": [asdict(m) for m in messages]}, headers={"Cache-Control": "no-store"}
    )
