"""The public pages, the chat endpoint and the QR codes in French and English.

Rasa is not running here: where a test needs its answer, an httpx transport stands in
for the REST webhook and records what the app forwarded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.kb.tables import Article
from tests.web.conftest import SECRET_KEY, web_settings
from web.app import create_app
from web.chat import MAX_MESSAGE_CHARS, shape_reply
from web.conversation_ids import new_conversation
from web.i18n import say
from web.qr import qr_svg

SESSION = new_conversation(SECRET_KEY).token
FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}


FRENCH_CAR_T = {
    "title": "La thérapie par cellules CAR-T",
    "answer": "La thérapie CAR-T utilise vos propres cellules immunitaires.",
    "details": "CAR veut dire « récepteur antigénique chimérique ».",
    "sources": [{"name": "Institut national du cancer (INCa)", "url": "https://www.e-cancer.fr/"}],
    "updated_on": dt.date(2026, 12, 7),
}


def add_french_version(store: ArticleStore, slug: str, **fields: Any) -> None:
    """Publish a French version of `slug` (group and related shared with the English one)."""
    with store.session_factory.begin() as session:
        english = session.scalars(
            select(Article).where(Article.slug == slug, Article.language == "en")
        ).one()
        session.add(
            Article(
                slug=slug,
                language="fr",
                group=english.group,
                related=english.related,
                terms={},
                status="published",
                **fields,
            )
        )


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="([a-z]+)">', text)
    assert match, "every page names its language"
    return match.group(1)


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("/", {}, "en"),
        ("/?lang=fr", {}, "fr"),
        ("/", FRENCH, "fr"),  # the browser's preference
        ("/?lang=en", FRENCH, "en"),  # a nurse's link wins over the browser
        ("/?lang=xx", FRENCH, "fr"),
        ("/topics?lang=fr", {}, "fr"),
        ("/topics", FRENCH, "fr"),
        ("/topics/car-t-cells/print?lang=fr", {}, "fr"),
        ("/topics/no-such-topic/print?lang=fr", {}, "fr"),  # the 404 page too
        ("/nowhere", FRENCH, "fr"),
    ],
)
def test_every_page_is_drawn_in_its_language(
    client: TestClient, url: str, headers: dict[str, str], expected: str
) -> None:
    response = client.get(url, headers=headers)
    assert html_lang(response.text) == expected
    assert response.context["lang"] == expected  # type: ignore[attr-defined]
    assert say("skip_link", expected) in response.text.replace("&#39;", "'")


def test_the_chat_page_in_french_has_the_switch_and_both_languages_for_its_scripts(
    client: TestClient,
) -> None:
    response = client.get("/?lang=fr")
    text = response.text.replace("&#39;", "'")
    assert "Vos questions sur l'immunothérapie" in text
    assert "appelez le 15 (SAMU) ou le 112" in text
    assert 'data-language="fr"' in text
    switch = re.findall(
        r'<button type="button" class="language" lang="(\w+)" data-language="\w+"'
        r'\s+aria-pressed="(\w+)">(\w+)</button>',
        response.text,
    )
    assert switch == [("fr", "true", "Français"), ("en", "false", "English")]
    context = response.context  # type: ignore[attr-defined]
    strings = json.loads(context["strings_json"])
    assert strings["fr"]["send"] == "Envoyer" and strings["en"]["send"] == "Send"
    assert "[care-team phone number" in strings["fr"]["unavailable"]
    assert 'href="/topics?lang=fr"' in text


def test_a_french_deep_link_names_its_topic_and_its_language(client: TestClient) -> None:
    response = client.get("/?topic=car-t-cells&lang=fr")
    topic = response.context["topic"]  # type: ignore[attr-defined]
    assert topic.slug == "car-t-cells" and topic.language in ("en", "fr")
    assert f'data-topic-language="{topic.language}"' in response.text
    assert 'data-topic-payload="/ask_car_t_cells"' in response.text


def test_the_french_topic_list_links_handouts_and_qr_codes_in_french(client: TestClient) -> None:
    response = client.get("/topics?lang=fr")
    assert response.headers["vary"] == "Accept-Language"
    text = response.text.replace("&#39;", "'")
    groups = response.context["groups"]  # type: ignore[attr-defined]
    assert groups[0].title == "Comprendre l'immunothérapie"
    assert "Tous les sujets" in text and "Fiche à imprimer" in text
    assert 'value="https://chat.example.org/?topic=car-t-cells&amp;lang=fr"' in text
    assert 'src="/topics/car-t-cells/qr.svg?lang=fr"' in text
    assert 'href="/topics/car-t-cells/print?lang=fr"' in text
    assert 'href="/?topic=car-t-cells&amp;lang=fr"' in text
    # A topic shown in English (no French version published) is marked as English.
    for topic in (t for g in groups for t in g.topics):
        marked = f'id="topic-{topic.slug}" lang="en"' in text
        assert marked == (topic.language == "en"), topic.slug


def test_the_qr_code_opens_the_chat_in_the_handouts_language(client: TestClient) -> None:
    french = client.get("/topics/car-t-cells/qr.svg?lang=fr")
    assert french.text == qr_svg("https://chat.example.org/?topic=car-t-cells&lang=fr")
    english = client.get("/topics/car-t-cells/qr.svg?lang=en")
    assert english.text == qr_svg("https://chat.example.org/?topic=car-t-cells&lang=en")
    assert french.headers["vary"] == "Accept-Language"


def test_the_french_handout_has_french_words_around_the_article(client: TestClient) -> None:
    response = client.get("/topics/car-t-cells/print?lang=fr")
    text = response.text.replace("&#39;", "'")
    handout = response.context["handout"]  # type: ignore[attr-defined]
    assert "Des questions ? Continuez dans la discussion :" in text
    assert "https://chat.example.org/?topic=car-t-cells&amp;lang=fr" in text
    assert "Imprimer cette page" in text and "Plus de détails" in text
    marked = '<div class="handout-article" lang="en">' in text
    assert marked == (handout.language == "en"), "an English fallback says it is English"


def test_the_switch_links_on_other_pages_keep_the_page(client: TestClient) -> None:
    text = client.get("/topics/car-t-cells/print?lang=fr").text
    assert '<a href="?lang=en" lang="en" hreflang="en">English</a>' in text
    assert '<a href="?lang=fr" lang="fr" hreflang="fr" aria-current="true">Français</a>' in text


def test_a_french_404_page(client: TestClient) -> None:
    response = client.get("/topics/no-such-topic/print?lang=fr")
    assert response.status_code == 404
    assert "Aucun sujet publié ne porte ce nom." in response.text
    assert "Page introuvable" in response.text


# --- the chat endpoint ---


@pytest.fixture
def rasa_calls(tmp_path: Path, store: ArticleStore) -> Iterator[tuple[TestClient, list[Any]]]:
    """The app with a stand-in REST webhook that answers in French and records each body."""
    seen: list[Any] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(
            200,
            json=[
                {"recipient_id": "x", "text": "Bonjour."},
                {"recipient_id": "x", "custom": {"kb_article": "greeting", "language": "fr"}},
            ],
        )

    with TestClient(create_app(web_settings(tmp_path), store)) as client:
        client.app.state.rasa = httpx.AsyncClient(  # type: ignore[attr-defined]
            transport=httpx.MockTransport(webhook), base_url="http://rasa.test"
        )
        yield client, seen


def test_the_pages_language_goes_to_rasa_as_metadata(
    rasa_calls: tuple[TestClient, list[Any]],
) -> None:
    client, seen = rasa_calls
    body = {"session_id": SESSION, "message": "bonjour", "language": "fr"}
    response = client.post("/api/message", json=body)
    assert response.status_code == 200
    assert seen[-1] == {
        "sender": SESSION.split(".")[0],
        "message": "bonjour",
        "metadata": {"language": "fr"},
    }
    [message] = response.json()["messages"]
    assert message["language"] == "fr" and message["text"] == "Bonjour."


@pytest.mark.parametrize("language", [None, "de", 12, ["fr"], "<script>"])
def test_without_a_language_we_speak_no_metadata_goes_to_rasa(
    rasa_calls: tuple[TestClient, list[Any]], language: Any
) -> None:
    client, seen = rasa_calls
    body = {"session_id": SESSION, "message": "hello", "language": language}
    assert client.post("/api/message", json=body).status_code == 200
    assert "metadata" not in seen[-1]  # Rasa detects the language of the message


def test_errors_come_in_the_readers_language(tmp_path: Path, store: ArticleStore) -> None:
    app = create_app(web_settings(tmp_path, WEB_RATE_LIMIT="3"), store)
    with TestClient(app) as client:
        bad = client.post(
            "/api/message", json={"session_id": "x", "message": "a", "language": "fr"}
        )
        assert bad.status_code == 400 and "n'a pas pu être lu" in bad.json()["error"]
        long = {"session_id": SESSION, "message": "x" * (MAX_MESSAGE_CHARS + 1), "language": "fr"}
        too_long = client.post("/api/message", json=long)
        assert too_long.status_code == 413 and "trop long" in too_long.json()["error"]
        down = client.post(
            "/api/message", json={"session_id": SESSION, "message": "a", "language": "fr"}
        )
        assert down.status_code == 502 and "112" in down.json()["error"]
        fast = client.post(
            "/api/message", json={"session_id": SESSION, "message": "a"}, headers=FRENCH
        )
        assert fast.status_code == 429 and "Attendez une minute" in fast.json()["error"]
        huge = client.post(
            "/api/message",
            content=b"{" + b"x" * 100_000,
            headers={"content-type": "application/json", **FRENCH},
        )
        assert huge.status_code == 413 and "trop long" in huge.json()["error"]
        english = client.post(
            "/api/message",
            content=b"{" + b"x" * 100_000,
            headers={"content-type": "application/json"},
        )
        assert "too long" in english.json()["error"]


def test_a_reply_says_its_language_only_when_it_is_one_we_speak() -> None:
    def reply(language: Any) -> list[dict[str, Any]]:
        return [{"text": "Bonjour."}, {"custom": {"language": language}}]

    assert shape_reply(reply("fr"))[0].language == "fr"
    assert shape_reply(reply("en"))[0].language == "en"
    for odd in ("de", None, 3, "<b>"):
        assert shape_reply(reply(odd))[0].language is None


def test_a_page_of_its_own_can_give_the_renderer_both_languages(client: TestClient) -> None:
    """The staff editor's preview loads chat-render.js alone: `chat_strings()` feeds it."""
    template = client.app.state.templates.env.from_string(  # type: ignore[attr-defined]
        '<script src="/static/chat-render.js" data-strings="{{ chat_strings() }}"></script>'
    )
    html = template.render()
    assert "&#34;fr&#34;: {" in html and "Voir l&#39;essai" in html and "<b" not in html


def test_a_french_version_is_listed_printed_and_linked_in_french(
    client: TestClient, store: ArticleStore
) -> None:
    with store.session_factory.begin() as session:  # only this one French version
        session.execute(delete(Article).where(Article.language == "fr"))
    add_french_version(store, "car-t-cells", **FRENCH_CAR_T)
    topics = client.get("/topics?lang=fr").text
    assert '<li class="topic" id="topic-car-t-cells">' in topics  # French: no lang mark
    assert "La thérapie par cellules CAR-T</a>" in topics
    assert 'id="topic-trial-phases" lang="en"' in topics  # not yet in French: marked English
    assert "La thérapie par cellules CAR-T" not in client.get("/topics?lang=en").text

    response = client.get("/topics/car-t-cells/print?lang=fr")
    text = response.text
    assert response.context["handout"].language == "fr"  # type: ignore[attr-defined]
    assert '<div class="handout-article">' in text
    assert "La thérapie CAR-T utilise vos propres cellules immunitaires." in text
    assert "Mis à jour le 7 décembre 2026." in text
    assert "Institut national du cancer (INCa)" in text

    page = client.get("/?topic=car-t-cells&lang=fr").text
    assert 'data-topic-title="La thérapie par cellules CAR-T"' in page
    assert 'data-topic-language="fr"' in page


def test_a_french_reply_keeps_its_french_source_line() -> None:
    reply = [
        {"text": "La thérapie CAR-T...\n\nSource : INCa. Mis à jour le 7 décembre 2026."},
        {"custom": {"kb_article": "car-t-cells", "language": "fr"}},
    ]
    [message] = shape_reply(reply)
    assert message.text == "La thérapie CAR-T..."
    assert message.source_line == "Source : INCa. Mis à jour le 7 décembre 2026."


def test_a_page_body_over_the_limit_is_refused_in_the_readers_language(
    client: TestClient,
) -> None:
    french = client.post("/topics", content=b"x" * 20_000, headers=FRENCH)
    assert french.status_code == 413 and french.text == "Cette demande est trop grande."
    english = client.post("/topics", content=b"x" * 20_000)
    assert english.text == "That request is too large."
