"""Body limits hold whatever the transfer encoding: chunked, lying or absent Content-Length.

TestClient hands the app a chunked body in one piece, so the tests that count how much
the app read drive the real app through ASGI directly, feeding 1 KB at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from tests.web.conftest import web_settings
from web.app import BODY_RULES, DEFAULT_BODY_RULE, create_app
from web.body_limit import BodyLimit
from web.chat import MAX_BODY_BYTES

KB = 1024


def chunks(total: int, size: int = 64 * KB) -> Iterator[bytes]:
    """A body sent chunked: httpx sets no Content-Length for a generator."""
    for _ in range(total // size):
        yield b"x" * size


def test_a_chunked_chat_body_over_the_limit_gets_413(client: TestClient) -> None:
    response = client.post(
        "/api/message", content=chunks(5 * 1024 * KB), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "too long" in response.json()["error"]


def test_a_lying_content_length_does_not_get_a_body_past_the_limit(client: TestClient) -> None:
    response = client.post(
        "/api/message",
        content=b'{"message": "' + b"x" * 100 * KB + b'"}',
        headers={"content-type": "application/json", "content-length": "20"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=b", b"--b\r\n" + b"x" * 3 * 1024 * KB),
        ("application/x-www-form-urlencoded", b"name=" + b"x" * 4608 * KB),
    ],
)
def test_a_chunked_sign_in_form_over_the_limit_gets_413_not_a_parse(
    client: TestClient, content_type: str, body: bytes
) -> None:
    """Before: the form was parsed in full (3 MB to disk), then refused at the CSRF check."""
    response = client.post(
        "/admin/login",
        content=(body[i : i + 64 * KB] for i in range(0, len(body), 64 * KB)),
        headers={"content-type": content_type},
    )
    assert response.status_code == 413
    assert response.text == "That request is too large."


def test_a_declared_oversize_body_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post("/admin/login", content=b"x" * 9000)
    assert response.status_code == 413


MULTIPART_HEAD = b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n'


class Feed:
    """An ASGI `receive` that hands over `total` bytes 1 KB at a time and counts them."""

    def __init__(self, total: int, head: bytes = b"") -> None:
        self.left = total
        self.head = head
        self.read = 0

    async def __call__(self) -> dict[str, Any]:
        if self.left <= 0:
            return {"type": "http.disconnect"}
        piece, self.head = self.head + b"x" * (KB - len(self.head)), b""
        self.left -= len(piece)
        self.read += len(piece)
        return {"type": "http.request", "body": piece, "more_body": self.left > 0}


async def drive(app: Any, path: str, feed: Feed, content_type: str) -> list[dict[str, Any]]:
    """Run one chunked POST through `app` and return what it sent."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", content_type.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, feed, send)
    return sent


@pytest.mark.parametrize(
    ("path", "content_type", "limit"),
    [
        ("/api/message", "application/json", MAX_BODY_BYTES),
        ("/admin/login", "application/x-www-form-urlencoded", 8 * KB),
        ("/admin/login", "multipart/form-data; boundary=b", 8 * KB),
    ],
)
async def test_the_app_stops_reading_as_soon_as_the_limit_is_passed(
    tmp_path: Path, store: ArticleStore, path: str, content_type: str, limit: int
) -> None:
    app = create_app(web_settings(tmp_path), store)
    head = MULTIPART_HEAD if content_type.startswith("multipart") else b""
    feed = Feed(50 * 1024 * KB, head)  # 50 MB offered
    sent = await drive(app, path, feed, content_type)
    assert sent[0]["status"] == 413
    assert feed.read <= limit + KB, f"read {feed.read} bytes of a {limit}-byte limit"


async def test_a_body_under_the_limit_reaches_the_app_whole() -> None:
    received: list[bytes] = []

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            received.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = BodyLimit(echo, BODY_RULES, DEFAULT_BODY_RULE)
    sent = await drive(middleware, "/admin/articles/import", Feed(1024 * KB), "multipart/x")
    assert sent[0]["status"] == 204 and len(b"".join(received)) == 1024 * KB


def test_each_path_kind_has_its_limit() -> None:
    middleware = BodyLimit(Starlette(), BODY_RULES, DEFAULT_BODY_RULE)
    limits = {
        path: middleware.rule_for(path).max_bytes
        for path in (
            "/api/message",
            "/admin/login",
            "/admin/users",
            "/admin/articles/car-t-cells",
            "/admin/articles/preview",
            "/admin/articles/import",
            "/topics",
        )
    }
    assert limits == {
        "/api/message": 16_384,
        "/admin/login": 8_192,
        "/admin/users": 65_536,
        "/admin/articles/car-t-cells": 200_000,
        "/admin/articles/preview": 100_000,
        "/admin/articles/import": 2_000_000,
        "/topics": 16_384,
    }
