"""The patient pages in French, and the language switch, in a real browser (Chromium).

The same real stack as tests/e2e/test_browser.py (web app, Rasa, action server). What
these tests assert is what the page controls: its words, `lang` attributes, the switch,
the language it sends with each message, and following a reply written in another
language. Whether Rasa's answer itself is French depends on the model and the French
articles (tests/e2e/test_french.py checks those through the REST channel).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from bot.db import make_engine, make_session_factory
from bot.kb.tables import Article
from tests.e2e.test_browser import STORE_KEY, log_texts
from tests.support.stack import WebApp

if TYPE_CHECKING:
    from tests.e2e.conftest import RecordedPage

pytestmark = [pytest.mark.integration, pytest.mark.browser]


# The machine is shared: Rasa's first answers can take longer than expect's 5 s.
WAIT_MS = 60_000


def idle(page: Page) -> None:
    """Wait until the widget has no message in flight."""
    expect(page.locator('#chat[aria-busy="true"]')).to_have_count(0, timeout=WAIT_MS)


def ask(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")
    idle(page)


def sent_languages(posted: list[dict[str, Any]]) -> list[Any]:
    """The `language` of every message the page posted, in order."""
    return [body.get("language") for body in posted]


def stored_language(page: Page) -> Any:
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('{STORE_KEY}')).language")


def bubble_langs(page: Page) -> list[str | None]:
    return [m.get_attribute("lang") for m in page.locator("#log .msg").all()]


@pytest.fixture
def french_browser(browser: Browser, web_app: WebApp) -> Iterator[Page]:
    """A page in a browser whose reader prefers French (Accept-Language, navigator)."""
    context = browser.new_context(
        base_url=web_app.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def posted(chat: RecordedPage) -> list[dict[str, Any]]:
    """The JSON body of each chat message the `chat` page posts, in order."""
    bodies: list[dict[str, Any]] = []

    def keep(request: Any) -> None:
        if request.url.endswith("/api/message") and request.method == "POST":
            bodies.append(json.loads(request.post_data or "{}"))

    chat.page.on("request", keep)
    return bodies


def test_the_page_in_french_by_its_address(
    chat: RecordedPage, posted: list[dict[str, Any]], screenshots: Path
) -> None:
    page = chat.page
    page.goto("/?lang=fr")
    idle(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos questions sur l'immunothérapie")
    expect(page.locator("#disclaimer")).to_contain_text("appelez le 15 (SAMU) ou le 112")
    switch = page.get_by_role("group", name="Langue")
    expect(switch.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    expect(switch.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "false")
    expect(switch.get_by_role("button", name="English")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Recommencer")).to_be_visible()
    expect(page.get_by_label("Écrivez votre question")).to_be_visible()
    expect(page.locator("#log .msg-bot")).to_have_count(1)  # the greeting, asked in French
    assert sent_languages(posted) == ["fr"]
    assert stored_language(page) == "fr"
    assert page.title().endswith("assistant de l'Institut Curie")

    ask(page, "qu'est-ce que l'immunothérapie ?")
    user = page.locator("#log .msg-user").last
    expect(user).to_have_attribute("lang", "fr")
    expect(user).to_contain_text("Vous avez écrit : ")
    assert sent_languages(posted) == ["fr", "fr"]
    page.screenshot(path=str(screenshots / "chat-desktop-fr.png"), full_page=True)


def test_a_french_browser_gets_the_french_page(french_browser: Page) -> None:
    page = french_browser
    page.goto("/")
    idle(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("link", name="Tous les sujets")).to_have_attribute(
        "href", "/topics?lang=fr"
    )
    page.goto("/topics")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tous les sujets")


def test_a_nurse_link_in_french_keeps_its_language_and_drops_the_topic(
    chat: RecordedPage, posted: list[dict[str, Any]], web_app: WebApp
) -> None:
    page = chat.page
    page.goto("/?topic=car-t-cells&lang=fr")
    idle(page)
    assert page.url == f"{web_app.url}/?lang=fr", "the topic is asked once; the language stays"
    user = page.locator("#log .msg-user")
    expect(user).to_have_count(1)
    expect(user).to_have_attribute(
        "lang", page.locator("#chat").get_attribute("data-topic-language") or ""
    )
    assert sent_languages(posted) == ["fr"]
    page.reload()
    idle(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert sent_languages(posted) == ["fr"], "a reload asks nothing again"


@pytest.mark.parametrize(
    "path", ["/?topic=car-t-cells&lang=fr", "/topics?lang=fr", "/topics/car-t-cells/print?lang=fr"]
)
def test_axe_finds_no_serious_violation_in_french(
    chat: RecordedPage, path: str, serious_axe_violations: Callable[[Page], list[dict[str, object]]]
) -> None:
    page = chat.page
    page.goto(path)
    if path.startswith("/?"):
        idle(page)
        expect(page.locator("#log .msg-bot")).to_have_count(1)
    else:
        page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    serious = serious_axe_violations(page)
    assert serious == [], serious


def test_switching_mid_conversation_keeps_the_history(
    chat: RecordedPage,
    posted: list[dict[str, Any]],
    web_app: WebApp,
    serious_axe_violations: Callable[[Page], list[dict[str, object]]],
) -> None:
    page = chat.page
    page.goto("/?lang=en")
    idle(page)
    ask(page, "what is car t cell therapy?")
    before = log_texts(page)
    assert bubble_langs(page) == ["en", "en", "en"]

    # Keyboard only: Tab to the switch, Enter presses it.
    french = page.get_by_role("button", name="Français")
    french.focus()
    page.keyboard.press("Enter")
    expect(french).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos questions sur l'immunothérapie")
    expect(page.locator("#send")).to_have_text("Envoyer")
    assert log_texts(page) == before, "the history stays as it was"
    assert bubble_langs(page) == ["en", "en", "en"], "each bubble keeps its own language"
    assert stored_language(page) == "fr"
    assert page.url == f"{web_app.url}/?lang=fr"
    assert serious_axe_violations(page) == []

    ask(page, "et les effets secondaires ?")
    assert sent_languages(posted)[-1] == "fr"
    expect(page.locator("#log .msg-user").last).to_have_attribute("lang", "fr")

    page.reload()  # drawn again in French, the whole conversation with it
    idle(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert log_texts(page)[: len(before)] == before

    page.get_by_role("button", name="Recommencer").click()  # a new conversation, same language
    idle(page)
    expect(page.locator("#log .msg")).to_have_count(1)
    assert sent_languages(posted)[-1] == "fr" and stored_language(page) == "fr"

    page.get_by_role("button", name="English").press("Space")  # Space presses it too
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#start-over")).to_have_text("Start over")


def replying(page: Page, reference: str, **reply: Any) -> Callable[[Route], None]:
    """A stand-in for the app's answer to the next message: one bot message."""
    body = {"messages": [{"buttons": [], **reply}], "reference": reference}

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    return fulfil


def test_the_page_follows_a_reply_written_in_another_language(
    chat: RecordedPage, posted: list[dict[str, Any]]
) -> None:
    """A person who asks in words ("en français svp") gets a built-in reply marked French.

    An article in another language (the English version of one not yet in French) is
    shown with its own `lang` but does not move the page.
    """
    page = chat.page
    page.goto("/?lang=fr")
    idle(page)
    reference = page.locator("#reference").inner_text()

    english_article = replying(
        page, reference, text="CAR-T cell therapy uses...", kb_article="car-t-cells", language="en"
    )
    page.route("**/api/message", english_article)
    ask(page, "car-t")
    page.unroute("**/api/message")
    expect(page.locator("#log .msg-bot").last).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    switch = replying(page, reference, text="OK, I will answer in English.", language="en")
    page.route("**/api/message", switch)
    ask(page, "in english please")
    page.unroute("**/api/message")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#log .msg-bot").last).to_have_attribute("lang", "en")
    expect(page.locator("#log .msg-user").last).to_have_attribute("lang", "fr")
    assert sent_languages(posted)[-2:] == ["fr", "fr"]
    ask(page, "thank you")
    assert sent_languages(posted)[-1] == "en"


def test_french_pages_reflow_and_screenshots(
    browser: Browser, web_app: WebApp, screenshots: Path
) -> None:
    narrow = browser.new_context(base_url=web_app.url, viewport={"width": 320, "height": 640})
    phone = browser.new_context(
        base_url=web_app.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    desktop = browser.new_context(base_url=web_app.url, viewport={"width": 1280, "height": 900})
    try:
        page = narrow.new_page()
        for path in ("/?lang=fr", "/topics?lang=fr", "/topics/side-effects-skin/print?lang=fr"):
            page.goto(path)
            idle(page) if path.startswith("/?") else page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} scrolls sideways at 320 px: {width}"
        page = phone.new_page()
        page.goto("/?topic=side-effects-skin&lang=fr")
        idle(page)
        page.screenshot(path=str(screenshots / "chat-phone-fr.png"), full_page=True)
        page = desktop.new_page()
        page.goto("/topics?lang=fr")
        page.screenshot(path=str(screenshots / "topics-fr.png"))
        page.goto("/topics/car-t-cells/print?lang=fr")
        page.wait_for_load_state("networkidle")
        page.emulate_media(media="print")
        page.screenshot(path=str(screenshots / "print-fr.png"), full_page=True)
    finally:
        for context in (narrow, phone, desktop):
            context.close()


def test_the_longest_french_handout_prints_on_one_a4_page(
    chat: RecordedPage, web_database_url: str
) -> None:
    """French runs longer than English: the longest handout still fits one A4 page."""
    with make_session_factory(make_engine(web_database_url))() as session:
        articles = session.scalars(select(Article).where(Article.group != "conversation")).all()
    longest = max(articles, key=lambda a: len(a.answer) + len(a.details or ""))
    page = chat.page
    page.goto(f"/topics/{longest.slug}/print?lang=fr")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, longest.slug
