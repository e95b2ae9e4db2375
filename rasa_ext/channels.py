"""Rasa's REST and socket.io channels, guarded: clean input in, some useful reply out.

Rasa keeps going when a custom action fails (for example the action server is down)
and then sends nothing. A worried reader must never meet silence, so when a turn ends
with no reply these channels send the care-team contact, or the urgent answer when the
message describes a warning sign, in the message's language (its metadata's, else the
language its words are in).

They also pass on only what the assistant uses: a "/" message only when it is exactly a
button payload of a known intent (anything else is read as words, so the urgent net sees
it and Rasa never logs it), and `{"language": ...}` as the only metadata.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic.request import Request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.inbound import as_words, kept_metadata
from bot.kb.answers import Answer, custom_json, unavailable, urgent_fallback
from bot.kb.store import ArticleStore
from bot.kb.tables import Article
from bot.kb.topics import REQUIRED_SLUGS, domain_intents, with_topic_intents
from bot.language import DEFAULT_LANGUAGE, as_language, detect_language
from bot.privacy import conversation_ref
from bot.safety.urgent_signs import is_urgent
from bot.settings import Settings
from bot.text import clean_message
from rasa_ext import log_privacy

logger = logging.getLogger(__name__)
log_privacy.install()  # Rasa has set its logging up by the time it loads the channels


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def _store() -> ArticleStore:
    # No schema check: this must work, with placeholder contacts, even with no database.
    return ArticleStore.from_settings(_settings(), check=False)


INTENTS_TTL = 60.0  # seconds: a topic deployed without a restart gets its buttons soon
_intents: tuple[float, frozenset[str]] | None = None


def known_intents() -> frozenset[str]:
    """The intents a "/" payload may name: the domain's, and every article's topic intent.

    Topic intents are generated from the articles when a model is trained, and a new
    model is loaded without a restart, so the list is read again at most once a minute.
    """
    global _intents
    if _intents is not None and time.monotonic() - _intents[0] < INTENTS_TTL:
        return _intents[1]
    domain = domain_intents(_settings().domain_file)
    if domain is None:  # no button will work, but no "/" text reaches Rasa's parser either
        logger.warning("domain file not found: every '/' message is read as words")
    slugs: list[str] = list(REQUIRED_SLUGS)
    try:
        with _store().session_factory() as session:
            slugs += session.scalars(select(Article.slug))
    except SQLAlchemyError:  # the required topics' buttons still work
        logger.warning("knowledge base unreachable: only the required topics' buttons work")
    _intents = (time.monotonic(), frozenset(with_topic_intents(domain, slugs) or ()))
    return _intents[1]


def inbound_text(text: object) -> str:
    """A message as Rasa should see it: clean, and coded only if it is a button payload."""
    return as_words(clean_message(text), known_intents())


def message_language(text: str, metadata: Any) -> str:
    """The language to reply in without the action server: the metadata's, else the text's.

    The conversation's slot is out of reach here (no tracker), so a message that says
    too little ("ok") gets the default language.
    """
    named = metadata.get("language") if isinstance(metadata, dict) else None
    return as_language(named) or detect_language(text) or DEFAULT_LANGUAGE


def fallback_answer(text: str, language: str = DEFAULT_LANGUAGE) -> Answer:
    """The reply when a turn produced nothing, in `language`: urgent if the text says so."""
    values = _store().hospital_values_or_defaults()
    if is_urgent(text):
        return urgent_fallback(values, language=language)
    return unavailable(values, language=language)


def guarded(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wrap Rasa's message handler: clean the text, and reply if the turn sent nothing."""

    async def handle(message: UserMessage) -> None:
        message.text = inbound_text(message.text)
        message.metadata = kept_metadata(message.metadata)
        output = message.output_channel
        send_response = output.send_response
        sent = False

        async def recording(recipient_id: str, response: dict[str, Any]) -> None:
            nonlocal sent
            sent = True
            await send_response(recipient_id, response)

        output.send_response = recording  # type: ignore[method-assign]  # this turn only
        try:
            await on_new_message(message)
        finally:
            if not sent:
                ref = conversation_ref(str(message.sender_id), _settings().secret_key)
                logger.warning("turn for %s produced no reply; sending fallback", ref)
                language = message_language(message.text, message.metadata)
                answer = fallback_answer(message.text, language)
                await output.send_text_message(message.sender_id, answer.text)
                # The same flags as an action's answer, so a web page can mark it urgent.
                await output.send_custom_json(message.sender_id, custom_json(answer))

    return handle


class GuardedRestInput(RestInput):
    """Rasa's REST channel at `/webhooks/rest/webhook`, cleaned and guarded."""

    @classmethod
    def name(cls) -> str:
        """Keep the standard REST path."""
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        body = req.json if isinstance(req.json, dict) else {}
        sender = body.get("sender")
        return str(sender)[:128] if sender not in (None, "") else None

    def _extract_message(self, req: Request) -> str:
        body = req.json if isinstance(req.json, dict) else {}
        return inbound_text(body.get("message"))

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Keep only the reader's language (anything else is dropped, not an error)."""
        body = request.json if isinstance(request.json, dict) else {}
        return kept_metadata(body.get("metadata"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with every turn guarded."""
        return super().blueprint(guarded(on_new_message))


class SocketIOJsonOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom JSON sent as the event's data.

    Rasa 3.6 passes the JSON's keys to `AsyncServer.emit` as keyword arguments, which
    raises TypeError on every answer that carries custom JSON (`kb_article`, `urgent`).
    """

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Emit `{"custom": json_message}` to the conversation's room."""
        await self._send_message(recipient_id, {"custom": json_message})


def _with_json_output(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handle(message: UserMessage) -> Any:
        output = message.output_channel
        if isinstance(output, SocketIOOutput) and not isinstance(output, SocketIOJsonOutput):
            message.output_channel = SocketIOJsonOutput(output.sio, output.bot_message_evt)
        return await on_new_message(message)

    return handle


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel, cleaned and guarded, with working custom JSON."""

    @classmethod
    def name(cls) -> str:
        """Keep the standard socket.io name and path."""
        return "socketio"

    def get_output_channel(self) -> SocketIOJsonOutput | None:
        """The output for messages Rasa sends on its own (reminders)."""
        output = super().get_output_channel()  # None (with Rasa's warning) before start-up
        return SocketIOJsonOutput(output.sio, output.bot_message_evt) if output else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with every turn guarded."""
        return super().blueprint(_with_json_output(guarded(on_new_message)))
