"""Security headers on every response: a strict CSP, no sniffing, no referrer, framing by path.

Only the chat page (`/`) may be framed by the hospital's site (`EMBED_ORIGINS`, the
embed snippet). The staff workspace, the API and the model server (`/internal/`) may not
be framed at all, so a page on another site (or an XSS on the hospital's) cannot
clickjack the publish or user buttons.
Every other page may be framed by this origin only.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EMBEDDABLE_PATHS = ("/",)  # the chat, as embed.js frames it
UNFRAMEABLE_PREFIXES = ("/admin", "/api/", "/internal/")


def content_security_policy(frame_ancestors: Iterable[str] = ("'self'",)) -> str:
    """Return the Content-Security-Policy: only this origin, no inline script or style.

    Args:
        frame_ancestors: who may show the page in a frame (`'self'`, origins, `'none'`).
    """
    ancestors = " ".join(frame_ancestors)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


class SecurityHeaders:
    """ASGI middleware that adds the security headers to every HTTP response.

    Args:
        app: the wrapped application.
        embed_origins: other sites allowed to frame the chat (the embed snippet).
    """

    def __init__(self, app: ASGIApp, embed_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.embeddable = content_security_policy(["'self'", *embed_origins])
        self.own_frames = content_security_policy(["'self'"])
        self.unframeable = content_security_policy(["'none'"])
        self.headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = scope["path"]
        framing = {"Content-Security-Policy": self.own_frames}
        if path in EMBEDDABLE_PATHS:
            framing = {"Content-Security-Policy": self.embeddable}
        elif path.startswith(UNFRAMEABLE_PREFIXES):
            # X-Frame-Options for browsers that predate CSP's frame-ancestors.
            framing = {"Content-Security-Policy": self.unframeable, "X-Frame-Options": "DENY"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in {**framing, **self.headers}.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
