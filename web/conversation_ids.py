"""Conversation ids issued by the server: random, signed, and only ever for the web channel.

A conversation id is the only credential of a patient's conversation: whoever holds it
can read the conversation's state and add to it. So the client never chooses one. The
server draws 128 random bits, names the Rasa sender `web-<hex>` (no other channel's
sender can be reached from the web) and signs it with an HMAC keyed from the secret key.
The browser holds `web-<hex>.<signature>`; the chat endpoint checks the signature and
hands Rasa the sender alone, so a sender id seen in a staff tool is not a credential.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from bot.privacy import conversation_ref

PREFIX = "web-"
_ID_BYTES = 16  # 128 bits: not guessable
_SIGNATURE_CHARS = 32  # 128 bits of the HMAC-SHA256
_TOKEN = re.compile(r"(web-[0-9a-f]{32})\.([0-9a-f]{32})")  # whole string: fullmatch


@dataclass(frozen=True)
class Conversation:
    """A conversation the web app issued.

    Attributes:
        token: what the browser holds and sends back (`web-<hex>.<signature>`).
        sender: Rasa's sender id for it (`web-<hex>`).
        reference: its short reference, for the page and for logs.
    """

    token: str
    sender: str
    reference: str


def new_conversation(key: str) -> Conversation:
    """Issue a new conversation, signed with `key` (the settings' secret key)."""
    sender = PREFIX + secrets.token_hex(_ID_BYTES)
    return Conversation(
        f"{sender}.{_signature(sender, key)}", sender, conversation_ref(sender, key)
    )


def verify(token: object, key: str) -> Conversation | None:
    """The conversation `token` names, or None when it is not one this server signed."""
    match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        return None
    sender, signature = match.groups()
    if not hmac.compare_digest(signature.encode(), _signature(sender, key).encode()):
        return None
    return Conversation(match.group(0), sender, conversation_ref(sender, key))


def _signature(sender: str, key: str) -> str:
    # "conversation:" keeps these signatures apart from anything else the key signs.
    digest = hmac.new(key.encode(), b"conversation:" + sender.encode(), hashlib.sha256)
    return digest.hexdigest()[:_SIGNATURE_CHARS]
