"""The web app through Starlette's TestClient: pages, headers, limits, escaping.

The database is real (a migrated SQLite file with the starter articles). Rasa is not
running here: the chat endpoint meets a closed port, which is what it must survive.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.kb.tables import Article
from bot.settings import Settings, SettingsError
from tests.web.conftest import SECRET_KEY, web_settings
from web.app import create_app
from web.chat import MAX_MESSAGE_CHARS, shape_reply
from web.conversation_ids import new_conversation
from web.qr import qr_svg
from web.security import content_security_policy

SESSION = new_conversation(SECRET_KEY).token


def test_the_chat_page_carries_the_disclaimer_and_no_inline_script(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "chat.html"  # type: ignore[attr-defined]
    assert "general information" in response.text and "15 (SAMU) or 112" in response.text
    assert "<script>" not in response.text and "<script src=" in response.text
    assert "style=" not in response.text
    assert "[care-team phone number" in response.context["unavailable"]  # type: ignore[attr-defined]


def test_every_response_has_the_security_headers(client: TestClient) -> None:
    for url in ("/", "/topics", "/static/chat.js", "/topics/car-t-cells/qr.svg", "/nope"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "connect-src 'self'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_embedding_origins_are_added_to_frame_ancestors_only() -> None:
    csp = content_security_policy(["'self'", "https://www.curie.fr"])
    assert "frame-ancestors 'self' https://www.curie.fr" in csp
    assert csp.count("https://www.curie.fr") == 1


def test_a_deep_link_names_the_topic_payload(client: TestClient) -> None:
    response = client.get("/?topic=car-t-cells")
    assert 'data-topic-payload="/ask_car_t_cells"' in response.text
    assert 'data-topic-title="CAR-T cell therapy"' in response.text
    assert 'data-topic-missing="false"' in response.text


@pytest.mark.parametrize(
    "slug", ["no-such-topic", "greeting", "../etc/passwd", "x" * 500, "<script>", ""]
)
def test_an_unknown_or_odd_topic_falls_back_politely(client: TestClient, slug: str) -> None:
    response = client.get("/", params={"topic": slug})
    assert response.status_code == 200
    assert 'data-topic-payload=""' in response.text
    assert 'data-topic-missing="true"' in response.text
    assert "<script>" not in response.text


def test_the_topic_list_groups_published_topics_with_links_and_qr(client: TestClient) -> None:
    response = client.get("/topics")
    groups = response.context["groups"]  # type: ignore[attr-defined]
    slugs = [t.slug for g in groups for t in g.topics]
    assert [g.key for g in groups][:3] == ["about", "types", "side-effects"]
    assert groups[0].topics[0].slug == "immunotherapy-basics", "the catalogue's order"
    assert "car-t-cells" in slugs and "greeting" not in slugs
    assert 'value="https://chat.example.org/?topic=car-t-cells&amp;lang=en"' in response.text
    assert 'src="/topics/car-t-cells/qr.svg?lang=en"' in response.text
    assert 'href="/topics/car-t-cells/print?lang=en"' in response.text


def test_a_draft_is_not_listed_nor_linkable(client: TestClient, store: ArticleStore) -> None:
    with store.session_factory.begin() as session:
        session.execute(
            update(Article).where(Article.slug == "trial-phases").values(status="draft")
        )
    assert "trial-phases" not in client.get("/topics").text
    assert client.get("/topics/trial-phases/print").status_code == 404
    assert client.get("/topics/trial-phases/qr.svg").status_code == 404


def test_the_handout_has_answer_details_qr_sources_with_urls_and_date(
    client: TestClient, store: ArticleStore
) -> None:
    url = "https://www.cancer.gov/about-cancer/treatment/research/car-t-cells"
    with store.session_factory.begin() as session:
        session.execute(
            update(Article)
            .where(Article.slug == "car-t-cells")
            .values(
                sources=[
                    {"name": "Institut Curie, Immunotherapy"},
                    {"name": "US National Cancer Institute, CAR T Cells", "url": url},
                ],
                updated_on=dt.date(2026, 12, 7),
            )
        )
    response = client.get("/topics/car-t-cells/print")
    assert response.status_code == 200
    handout = response.context["handout"]  # type: ignore[attr-defined]
    assert handout.details and handout.details.startswith("CAR stands for")
    text = response.text
    assert "CAR-T cell therapy uses your own immune cells" in text
    assert "<li>Institut Curie, Immunotherapy</li>" in text  # a source with no address
    assert "Last updated 7 December 2026." in text and "Clinically reviewed" not in text
    assert (
        f'US National Cancer Institute, CAR T Cells: <span class="handout-link">{url}</span>'
        in text
    )
    assert "https://chat.example.org/?topic=car-t-cells&amp;lang=en" in text
    assert "15 (SAMU) or 112" in text


def test_an_unknown_handout_is_a_clear_404(client: TestClient) -> None:
    response = client.get("/topics/no-such-topic/print")
    assert response.status_code == 404
    assert "No published topic has this name." in response.text


def test_article_text_is_escaped_on_every_page(client: TestClient, store: ArticleStore) -> None:
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    with store.session_factory.begin() as session:
        session.execute(
            update(Article)
            .where(Article.slug == "car-t-cells")
            .values(
                title=f"CAR-T {evil}",
                answer=f"Answer {evil}",
                sources=[{"name": f"Src {evil}", "url": f"https://x.org/{evil}"}],
            )
        )
    for url in ("/topics", "/topics/car-t-cells/print", "/?topic=car-t-cells"):
        text = client.get(url).text
        assert "<img src=x" not in text and "<script>alert" not in text, url
        assert "&lt;img src=x" in text, url


def test_the_qr_code_is_svg_for_the_public_link() -> None:
    svg = qr_svg("https://chat.example.org/?topic=car-t-cells")
    assert svg.startswith("<svg") and "<script" not in svg and "<path" in svg


def test_a_message_over_the_limit_is_refused_before_rasa(client: TestClient) -> None:
    response = client.post(
        "/api/message", json={"session_id": SESSION, "message": "x" * (MAX_MESSAGE_CHARS + 1)}
    )
    assert response.status_code == 413
    assert "too long" in response.json()["error"]
    huge = client.post(
        "/api/message", content=b"{" + b"x" * 100_000, headers={"content-type": "application/json"}
    )
    assert huge.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"session_id": "short", "message": "hi"}',
        b'{"session_id": "../../etc/passwd", "message": "hi"}',
        f'{{"session_id": "{SESSION}", "message": 12}}'.encode(),
        f'{{"session_id": "{SESSION}", "message": "   "}}'.encode(),
        f'{{"session_id": "{SESSION}"}}'.encode(),
        b"[" * 8000 + b"]" * 8000,  # too deep for the JSON parser: 400, not 500
        b'{"session_id": "' + b"[" * 8000 + b'"}',
    ],
)
def test_a_bad_request_gets_a_plain_answer(client: TestClient, body: bytes) -> None:
    response = client.post("/api/message", content=body)
    assert response.status_code == 400
    assert "type your question again" in response.json()["error"]


def test_a_cross_site_post_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/message",
        json={"session_id": SESSION, "message": "hi"},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_rasa_down_gives_the_care_team_contact(client: TestClient) -> None:
    response = client.post("/api/message", json={"session_id": SESSION, "message": "hi"})
    assert response.status_code == 502
    error = response.json()["error"]
    assert "care team" in error and "112" in error


def test_each_client_is_rate_limited(tmp_path: Path, store: ArticleStore) -> None:
    app = create_app(web_settings(tmp_path, WEB_RATE_LIMIT="3"), store)
    with TestClient(app) as test_client:
        codes = [
            test_client.post("/api/message", json={"session_id": SESSION, "message": "hi"})
            for _ in range(4)
        ]
    assert [r.status_code for r in codes] == [502, 502, 502, 429]
    assert int(codes[-1].headers["retry-after"]) >= 1
    assert "wait a minute" in codes[-1].json()["error"]


def test_the_database_down_gives_a_503_page_not_a_crash(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'missing.db'}")
    with TestClient(create_app(settings)) as test_client:
        response = test_client.get("/topics")
    assert response.status_code == 503
    assert "not available right now" in response.text


def test_rasa_reply_is_shaped_into_text_buttons_source_and_urgency() -> None:
    reply = [
        {
            "recipient_id": "x",
            "text": "First part.\n\nSecond part.\n\n"
            "Source: Institut Curie. Reviewed 29 November 2026.",
            "buttons": [
                {"title": "Side effects", "payload": "/ask_side_effects_overview"},
                {"title": "Not a payload", "payload": "https://evil.example"},
                {"title": "Nor this", "payload": "javascript:alert(1)"},
                {"title": "Lung cancer", "payload": "Lung cancer"},  # a trial-search answer
            ],
        },
        {
            "recipient_id": "x",
            "custom": {
                "kb_article": "urgent-symptoms",
                "urgent": True,
                "sources": [
                    {"name": "Institut Curie", "url": "https://curie.fr/"},
                    {"name": "Script", "url": "javascript:alert(1)"},
                    {"name": "No link"},
                    {"url": "https://no-name.example"},
                    "junk",
                ],
            },
        },
        {"recipient_id": "x", "image": "https://evil.example/x.png"},
        "junk",
    ]
    [message] = shape_reply(reply)
    assert message.text == "First part.\n\nSecond part."
    assert message.source_line == "Source: Institut Curie. Reviewed 29 November 2026."
    assert message.buttons == [
        {"title": "Side effects", "payload": "/ask_side_effects_overview"},
        {"title": "Lung cancer", "payload": "Lung cancer"},
    ]
    assert message.urgent is True and message.kb_article == "urgent-symptoms"
    assert message.sources == [
        {"name": "Institut Curie", "url": "https://curie.fr/"},
        {"name": "Script", "url": None},
        {"name": "No link", "url": None},
    ]
    assert shape_reply({"not": "a list"}) == []


def test_web_settings_fail_loudly() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"PUBLIC_URL": "chat.example.org"})
    with pytest.raises(SettingsError):
        Settings.from_env({"WEB_RATE_LIMIT": "lots"})
    settings = Settings.from_env({"EMBED_ORIGINS": "https://a.example https://b.example/"})
    assert settings.embed_origins == ("https://a.example", "https://b.example")
    assert Settings.from_env({}).public_url == "http://localhost:8000"
