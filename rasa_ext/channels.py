"""Rasa's REST and socket.io channels, guarded: clean input in, some useful reply out.

Rasa keeps going when a custom action fails (for example the action server is down)
and then sends nothing. A worried reader must never meet silence, so when a turn ends
with no reply these channels send the care-team contact, or the urgent answer when the
message describes a warning sign.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic.request import Request

from bot.kb.answers import Answer, custom_json, unavailable, urgent_fallback
from bot.kb.store import ArticleStore
from bot.safety.urgent_signs import is_urgent
from bot.settings import Settings
from bot.text import clean_message

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _store() -> ArticleStore:
    # No schema check: this must work, with placeholder contacts, even with no database.
    return ArticleStore.from_settings(Settings.from_env(), check=False)


def fallback_answer(text: str) -> Answer:
    """The reply when a turn produced nothing: urgent if the text says so."""
    values = _store().hospital_values_or_defaults()
    return urgent_fallback(values) if is_urgent(text) else unavailable(values)


def guarded(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wrap Rasa's message handler: clean the text, and reply if the turn sent nothing."""

    async def handle(message: UserMessage) -> None:
        message.text = clean_message(message.text)
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
                logger.warning("turn for %s produced no reply; sending fallback", message.sender_id)
                answer = fallback_answer(message.text)
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
        return clean_message(body.get("message"))

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Keep only mapping metadata (anything else is dropped, not an error)."""
        body = request.json if isinstance(request.json, dict) else {}
        metadata = body.get("metadata")
        return metadata if isinstance(metadata, dict) else None

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
