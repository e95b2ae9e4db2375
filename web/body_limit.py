"""Request body limits, enforced while the body arrives, whatever its transfer encoding.

A `Content-Length` check alone is bypassed by a chunked body (or a lying header): the
endpoint would buffer or parse everything before any check ran. This middleware wraps
`receive`, counts the bytes the app actually reads and answers 413 the moment a path's
limit is passed, so no endpoint ever holds more than its limit in memory or on disk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.i18n import header_language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BodyRule:
    """The largest body a path prefix takes, and what to tell a client that sends more.

    Attributes:
        prefix: the path, or the start of the paths, the rule covers (`/admin/` covers
            everything under it); the longest matching prefix wins.
        max_bytes: the most body bytes accepted.
        message: the plain words sent back with the 413, or those words by language
            ("en", "fr"; the request's `Accept-Language` picks, English by default).
    """

    prefix: str
    max_bytes: int
    message: str | Mapping[str, str]

    def message_for(self, scope: Scope) -> str:
        """The 413's words for this request, in its language when the rule has several."""
        if isinstance(self.message, str):
            return self.message
        return self.message[header_language(Headers(scope=scope))]


class BodyTooLarge(Exception):
    """Raised from `receive` when a body passes its limit (caught by `BodyLimit`)."""


class BodyLimit:
    """ASGI middleware: per-path body limits counted on the stream.

    Args:
        app: the wrapped application.
        rules: the limits by path prefix (the longest matching prefix wins).
        default: the rule for paths no prefix matches (its prefix is ignored).
    """

    def __init__(self, app: ASGIApp, rules: Sequence[BodyRule], default: BodyRule) -> None:
        self.app = app
        self.rules = sorted(rules, key=lambda rule: len(rule.prefix), reverse=True)
        self.default = default

    def rule_for(self, path: str) -> BodyRule:
        """The rule that applies to `path`."""
        return next((r for r in self.rules if path.startswith(r.prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared oversize body at once; count an undeclared or lying one."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = self.rule_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > rule.max_bytes:
            await _too_large(scope, send, rule)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > rule.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:  # nothing sensible can be sent now; the server closes the connection
                logger.info(
                    "body over %d bytes on %s after the answer began", rule.max_bytes, scope["path"]
                )
                return
            await _too_large(scope, send, rule)


def _content_length(scope: Scope) -> int | None:
    """The declared `Content-Length`, or None when absent or unreadable (then we count)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _too_large(scope: Scope, send: Send, rule: BodyRule) -> None:
    """Send the 413: JSON for the chat and the editor's calls, plain text for forms."""
    logger.info("refused a body over %d bytes on %s", rule.max_bytes, scope["path"])
    headers = dict(scope.get("headers", []))
    wants_json = scope["path"].startswith("/api/") or headers.get(b"content-type", b"").startswith(
        b"application/json"
    )
    message = rule.message_for(scope)
    if wants_json:
        body, media = json.dumps({"error": message}).encode(), b"application/json"
    else:
        body, media = message.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),  # the rest of the body is not read
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
