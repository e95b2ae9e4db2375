"""The client address: X-Forwarded-For counts only when a trusted proxy sent the request."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.settings import Settings, SettingsError
from tests.web.conftest import new_session, web_settings
from web.app import create_app
from web.client_address import client_address

PROXY = "10.0.0.5"


def address_seen(tmp_path: Path, peer: str, forwarded: list[str], proxies: str = PROXY) -> str:
    app = Starlette()
    app.state.settings = web_settings(tmp_path, TRUSTED_PROXIES=proxies)
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope = {"type": "http", "headers": headers, "client": (peer, 50000), "app": app}
    return client_address(Request(scope))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("198.51.100.9", [], "198.51.100.9"),
        ("198.51.100.9", ["203.0.113.1"], "198.51.100.9"),  # not from our proxy: ignored
        ("127.0.0.1", ["203.0.113.1"], "127.0.0.1"),  # loopback is not trusted unless named
        (PROXY, ["203.0.113.1"], "203.0.113.1"),
        (PROXY, ["1.2.3.4, 203.0.113.1"], "203.0.113.1"),  # the client wrote 1.2.3.4
        (PROXY, ["1.2.3.4", "203.0.113.1"], "203.0.113.1"),  # two headers: one list
        (PROXY, ["203.0.113.1, 10.0.0.7"], "203.0.113.1"),  # 10.0.0.7 is a proxy (below)
        (PROXY, [], PROXY),  # the proxy's own request
        (PROXY, ["10.0.0.7"], PROXY),
    ],
)
def test_only_a_trusted_proxy_may_name_the_client(
    tmp_path: Path, peer: str, forwarded: list[str], expected: str
) -> None:
    assert address_seen(tmp_path, peer, forwarded, proxies="10.0.0.5 10.0.0.7") == expected


def test_a_proxy_network_and_ipv6_are_understood(tmp_path: Path) -> None:
    assert address_seen(tmp_path, "10.1.2.3", ["2001:db8::1"], "10.0.0.0/8") == "2001:db8::1"
    assert address_seen(tmp_path, "::1", ["203.0.113.1"], "::1") == "203.0.113.1"
    assert address_seen(tmp_path, "testclient", ["203.0.113.1"], "10.0.0.0/8") == "testclient"


def test_trusted_proxies_are_read_and_checked(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"TRUSTED_PROXIES": "10.0.0.5  192.168.0.0/16 ::1", "SECRET_KEY": "k" * 64},
        root=tmp_path,
    )
    assert settings.trusted_proxies == ("10.0.0.5/32", "192.168.0.0/16", "::1/128")
    assert Settings.from_env({"SECRET_KEY": "k" * 64}, root=tmp_path).trusted_proxies == ()
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUSTED_PROXIES": "proxy.local", "SECRET_KEY": "k" * 64}, root=tmp_path)


def test_a_spoofed_forwarded_for_does_not_bypass_the_chat_rate_limit(
    tmp_path: Path, store: ArticleStore
) -> None:
    """Before: 24 posts, each with its own X-Forwarded-For, were 24 clients; no 429."""
    app = create_app(web_settings(tmp_path), store)  # WEB_RATE_LIMIT: 20 a minute
    with TestClient(app, client=("198.51.100.9", 50000)) as client:
        session = new_session(client)
        codes = [
            client.post(
                "/api/message",
                json={"session_id": session, "message": "hi"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(24)
        ]
    assert codes == [502] * 20 + [429] * 4  # 502: Rasa is not running in these tests


def test_behind_a_trusted_proxy_each_patient_has_their_own_limit(
    tmp_path: Path, store: ArticleStore
) -> None:
    app = create_app(web_settings(tmp_path, WEB_RATE_LIMIT="2", TRUSTED_PROXIES=PROXY), store)
    with TestClient(app, client=(PROXY, 50000)) as client:
        session = new_session(client)

        def post(patient: str) -> int:
            return client.post(
                "/api/message",
                json={"session_id": session, "message": "hi"},
                headers={"X-Forwarded-For": f"6.6.6.6, {patient}"},
            ).status_code

        assert [post("203.0.113.1") for _ in range(3)] == [502, 502, 429]
        assert post("203.0.113.2") == 502, "another patient behind the same proxy"
