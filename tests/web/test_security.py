"""Framing by path: the hospital's site may frame the chat page, never the workspace or API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from tests.web.conftest import web_settings
from web.app import create_app

HOSPITAL = "https://www.hospital.example"


@pytest.fixture
def embedding(tmp_path: Path, store: ArticleStore) -> Iterator[TestClient]:
    app = create_app(web_settings(tmp_path, EMBED_ORIGINS=HOSPITAL), store)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def frame_ancestors(csp: str) -> str:
    return next(p for p in csp.split("; ") if p.startswith("frame-ancestors"))


@pytest.mark.parametrize("url", ["/", "/?embed=1", "/?topic=car-t-cells&embed=1"])
def test_the_chat_page_may_be_framed_by_the_hospital(embedding: TestClient, url: str) -> None:
    headers = embedding.get(url).headers
    assert frame_ancestors(headers["content-security-policy"]) == (
        f"frame-ancestors 'self' {HOSPITAL}"
    )
    assert "x-frame-options" not in headers  # it would forbid the hospital's frame


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/admin/login"),
        ("GET", "/admin"),
        ("GET", "/admin/articles"),  # a redirect to sign in
        ("GET", "/admin/no-such-page"),
        ("POST", "/api/message"),
        ("POST", "/api/conversation"),
    ],
)
def test_the_workspace_and_the_api_may_not_be_framed_at_all(
    embedding: TestClient, method: str, url: str
) -> None:
    headers = embedding.request(method, url).headers
    assert frame_ancestors(headers["content-security-policy"]) == "frame-ancestors 'none'"
    assert headers["x-frame-options"] == "DENY"
    assert HOSPITAL not in headers["content-security-policy"]


@pytest.mark.parametrize(
    "url", ["/topics", "/topics/car-t-cells/print", "/static/chat.js", "/topics/car-t-cells/qr.svg"]
)
def test_other_pages_may_be_framed_by_this_site_only(embedding: TestClient, url: str) -> None:
    headers = embedding.get(url).headers
    assert frame_ancestors(headers["content-security-policy"]) == "frame-ancestors 'self'"
    assert HOSPITAL not in headers["content-security-policy"]
