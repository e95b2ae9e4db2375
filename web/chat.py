"""The chat endpoints: check a message, forward it to Rasa's REST channel, shape the reply.

The page talks only to this app. Limits (message length, rate per client, origin, a
conversation id this server signed) apply here, before Rasa sees anything; Rasa's
answer comes back as a list of messages the widget renders as text. The body size is
capped while it arrives, by `web.body_limit` (see `web.app`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.kb.answers import (
    ARTICLE_KEY,
    LANGUAGE_KEY,
    SOURCES_KEY,
    URGENT_KEY,
    is_source_line,
    unavailable,
)
from bot.kb.calls import CALLS_KEY, calls_from_json
from bot.language import LANGUAGES, as_language
from bot.text import MAX_MESSAGE_CHARS
from bot.trials.cards import TRIALS_KEY
from web.client_address import client_address
from web.conversation_ids import new_conversation, verify
from web.i18n import header_language, say

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 16_384  # enforced on the stream by web.body_limit
_MAX_PAYLOAD_CHARS = 200
_URL_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, javascript:
_WEB_LINK = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

# "Too long" in each language, for the body limit too (web.app, web.body_limit).
TOO_LONG = {lang: say("too_long", lang, max_chars=MAX_MESSAGE_CHARS) for lang in LANGUAGES}


@dataclass
class ChatMessage:
    """One bot message as the widget shows it."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    source_line: str | None = None
    urgent: bool = False
    kb_article: str | None = None
    # Tap-to-call links ({"label", "tel"}: digits and "+" only), shown before the text.
    calls: list[dict[str, str]] = field(default_factory=list)
    # Trial cards, shown in place of their text blocks, before `after_text`.
    trials: list[dict[str, Any]] = field(default_factory=list)
    after_text: str = ""
    # The answer's sources as {name, url}; the page turns each name in the source line
    # into a link. A url is kept only when it is http(s), else it is None.
    sources: list[dict[str, str | None]] = field(default_factory=list)
    # The language the answer is written in ("en", "fr"), when the reply says.
    language: str | None = None


def shape_reply(rasa_messages: Any) -> list[ChatMessage]:
    """Turn Rasa's REST reply into messages: text, buttons, source line, urgency.

    The custom JSON an answer carries (`kb_article`, `urgent`, `sources`, `language`)
    belongs to the text before it; the answer's last paragraph, when it is a source line
    ("Source:" or "Source :", `bot.kb.answers.is_source_line`), is split off.

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
            _add_calls_and_trials(shaped[-1], custom)
            if isinstance(custom.get(LANGUAGE_KEY), str):
                shaped[-1].language = as_language(custom[LANGUAGE_KEY]) or shaped[-1].language
            shaped[-1].sources = _sources(custom.get(SOURCES_KEY)) or shaped[-1].sources
    return shaped


def _sources(value: Any) -> list[dict[str, str | None]]:
    """The custom JSON's sources, each a name and an http(s) link or None."""
    sources: list[dict[str, str | None]] = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        url = item.get("url")
        link = url.strip() if isinstance(url, str) and _WEB_LINK.match(url.strip()) else None
        sources.append({"name": item["name"], "url": link})
    return sources


def _text_message(item: dict[str, Any]) -> ChatMessage:
    text = item["text"].strip()
    source_line = None
    head, sep, last = text.rpartition("\n\n")
    if sep and is_source_line(last):
        text, source_line = head.strip(), last.strip()
    buttons = [
        {"title": str(b["title"]), "payload": str(b["payload"])}
        for b in item.get("buttons") or []
        if isinstance(b, dict) and b.get("title") and _is_payload(b.get("payload"))
    ]
    return ChatMessage(text=text, buttons=buttons, source_line=source_line)


# --- tap-to-call links and trial cards (the urgent answer, the trial finder) ---
_MAX_CARD_CHARS = 600
_CARD_TEXTS = ("nct_id", "title", "status", "where", "record")  # required
_CARD_OPTIONAL = ("phase", "note", "ages", "updated_on")


def _add_calls_and_trials(message: ChatMessage, custom: dict[str, Any]) -> None:
    """Take the checked calls and trial cards of `custom` into `message`.

    A trial card's text block (the paragraph that links to its record) leaves the text:
    the card shows it. What follows the cards moves to `after_text`. A card that does
    not pass the checks is dropped, and its block stays in the text.
    """
    message.calls += [call.as_json() for call in calls_from_json(custom.get(CALLS_KEY))]
    cards = [c for c in map(_trial_card, _as_list(custom.get(TRIALS_KEY))) if c]
    if not cards:
        return
    before: list[str] = []
    after: list[str] = []
    shown: list[dict[str, Any]] = []
    for paragraph in message.text.split("\n\n"):
        card = next((c for c in cards if c["url"] in paragraph), None)
        if card is not None:
            shown.append(card)
        else:
            (after if shown else before).append(paragraph)
    message.trials += shown
    message.text, message.after_text = "\n\n".join(before), "\n\n".join(after)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _trial_card(value: Any) -> dict[str, Any] | None:
    """A trial card with text fields only and an https link, or None."""
    if not isinstance(value, dict):
        return None
    card: dict[str, Any] = {}
    for key in (*_CARD_TEXTS, *_CARD_OPTIONAL):
        text = value.get(key)
        if isinstance(text, str) and text.strip() and len(text) <= _MAX_CARD_CHARS:
            card[key] = text.strip()
        elif key in _CARD_TEXTS:
            return None
        else:
            card[key] = None
    card["open"] = value.get("open") is True
    url = value.get("url")
    return {**card, "url": url} if _is_https(url) else None


def _is_https(value: Any) -> bool:
    """An absolute https link with a host, and nothing that could break out of it."""
    if not isinstance(value, str) or len(value) > _MAX_CARD_CHARS:
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # "https://[::1": not a link
        return False
    return parts.scheme == "https" and bool(host) and not re.search(r"\s", value)


def _is_payload(value: Any) -> bool:
    """A topic (`/ask_...`) or a short answer ("Lung cancer"); never a link or a script."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_PAYLOAD_CHARS:
        return False
    return value.startswith("/") or not _URL_SCHEME.match(value)


def _error(status: int, key: str, language: str, **headers: str) -> JSONResponse:
    """An error in plain words, in the reader's language (`key` in `web.i18n`)."""
    message = TOO_LONG[language] if key == "too_long" else say(key, language)
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

    Body: `{"session_id": "<an id from the page or /api/conversation>", "message": "...",
    "language": "en"|"fr"}`; the language (optional: without it Rasa detects it) goes
    to Rasa as the message's metadata. Answers 200 with `{"messages": [...],
    "reference": "<the conversation's reference>"}`, or an error status with
    `{"error": "<plain words>"}` in the body's language, else the `Accept-Language`'s.
    """
    state = request.app.state
    language = header_language(request.headers)
    if not _same_origin(request):
        return _error(403, "bad_request", language)
    wait = await run_in_threadpool(state.rate_limiter.hit, client_address(request))
    if wait:
        return _error(429, "too_many", language, **{"Retry-After": str(wait)})
    body = await request.body()  # at most MAX_BODY_BYTES: web.body_limit stops the rest
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_long", language)
    try:
        data = json.loads(body) if body else None
    except (ValueError, RecursionError):  # RecursionError: "[[[[...": nesting too deep
        data = None
    if not isinstance(data, dict):
        return _error(400, "bad_request", language)
    chosen = as_language(data.get("language"))
    language = chosen or language
    conversation = verify(data.get("session_id"), state.settings.secret_key)
    message = data.get("message")
    if conversation is None or not isinstance(message, str) or not message.strip():
        return _error(400, "bad_request", language)
    if len(message) > MAX_MESSAGE_CHARS:
        return _error(413, "too_long", language)
    ref = conversation.reference
    forward: dict[str, Any] = {"sender": conversation.sender, "message": message}
    if chosen:  # the page's switch: Rasa keeps it as the conversation's language
        forward["metadata"] = {LANGUAGE_KEY: chosen}
    try:
        response = await state.rasa.post("/webhooks/rest/webhook", json=forward)
        response.raise_for_status()
        messages = shape_reply(response.json())
    except (httpx.HTTPError, ValueError) as error:
        logger.error("Rasa unreachable for conversation %s: %s", ref, error.__class__.__name__)
        return _unavailable(state, language)
    if not messages:
        return _unavailable(state, language)
    logger.debug("conversation %s: %d message(s) from Rasa", ref, len(messages))
    return JSONResponse(
        {"messages": [asdict(m) for m in messages], "reference": ref},
        headers={"Cache-Control": "no-store"},
    )


def _unavailable(state: Any, language: str) -> JSONResponse:
    """The care-team contact, in `language`, when the assistant cannot answer."""
    values = state.store.hospital_values_or_defaults()
    text = unavailable(values, language=language).text
    return JSONResponse({"error": text}, status_code=502)


async def start_conversation(request: Request) -> JSONResponse:
    """Issue a new conversation ("Start over"): `{"session_id": ..., "reference": ...}`.

    The page gets its first id with the HTML; this gives another without a reload.
    Issuing costs one HMAC and stores nothing, so it needs no rate limit of its own.
    """
    if not _same_origin(request):
        return _error(403, "bad_request", header_language(request.headers))
    conversation = new_conversation(request.app.state.settings.secret_key)
    return JSONResponse(
        {"session_id": conversation.token, "reference": conversation.reference},
        headers={"Cache-Control": "no-store"},
    )
