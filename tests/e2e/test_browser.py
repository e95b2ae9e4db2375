"""The patient chat in a real browser (Debian's Chromium) against the real stack.

The web app, Rasa and the action server run as their own processes (tests/e2e/conftest.py);
nothing is mocked. Every test also checks, through the `chat` fixture, that the page
requested nothing from another origin and that no dialog opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from bot.db import make_engine, make_session_factory
from bot.kb.tables import Article
from tests.support.stack import Stack, WebApp, free_port, running_web_app

if TYPE_CHECKING:
    from tests.web.conftest import RecordedPage

pytestmark = [pytest.mark.integration, pytest.mark.browser]
STORE_KEY = "immunotherapy-chat"


def idle(page: Page) -> None:
    """Wait until the widget has no message in flight (no eval: the CSP forbids it)."""
    expect(page.locator('#chat[aria-busy="true"]')).to_have_count(0)


def ask(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")
    idle(page)


def session_id(page: Page) -> str:
    """Rasa's sender for the page's conversation: the signed id without its signature."""
    token = page.evaluate(f"JSON.parse(sessionStorage.getItem('{STORE_KEY}')).sessionId")
    assert re.fullmatch(r"web-[0-9a-f]{32}\.[0-9a-f]{32}", token), "an id the server signed"
    return token.split(".")[0]


def reference(page: Page) -> str:
    """The conversation reference the page shows (the server computed it)."""
    shown = page.locator("#reference").inner_text()
    assert re.fullmatch(r"[0-9a-f]{12}", shown)
    return shown


def kb_article(stack: Stack, page: Page) -> Any:
    return stack.tracker(session_id(page))["slots"]["kb_article"]  # type: ignore[index]


def log_texts(page: Page) -> list[str]:
    return page.locator("#log .msg").all_inner_texts()


def api_calls(recorded: RecordedPage) -> int:
    return sum(url.endswith("/api/message") for url in recorded.requests)


def test_a_question_gets_its_answer_with_source_then_a_related_topic_then_more(
    chat: RecordedPage, web_stack: Stack, screenshots: Path
) -> None:
    page = chat.page
    page.goto("/")
    idle(page)
    expect(page.locator("#log .msg-bot")).to_have_count(1)
    expect(page.locator("#log .msg-bot").first).to_contain_text("welcome")

    ask(page, "what is car t cell therapy?")
    answer = page.locator("#log .msg-bot").last
    expect(answer).to_contain_text("CAR-T cell therapy uses your own immune cells")
    expect(answer.locator(".source")).to_contain_text("Source: Institut Curie")
    expect(answer.locator(".source")).to_contain_text("Last updated")
    expect(answer.locator(".source")).not_to_contain_text("Clinically reviewed")  # unsigned
    link = answer.locator(".source a").first  # a source's name links to its page
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("href", re.compile(r"^https://"))
    assert kb_article(web_stack, page) == "car-t-cells"
    page.screenshot(path=str(screenshots / "chat-desktop.png"), full_page=True)

    answer.get_by_role("button", name="Side effects of CAR-T cell therapy").click()
    idle(page)
    expect(page.locator("#log .msg-user").last).to_have_text(
        "You said: Side effects of CAR-T cell therapy"
    )
    assert kb_article(web_stack, page) == "side-effects-car-t"
    short = page.locator("#log .msg-bot").last.inner_text()

    ask(page, "tell me more")
    more = page.locator("#log .msg-bot").last.inner_text()
    assert more != short and len(more) > 200
    assert kb_article(web_stack, page) == "side-effects-car-t"


def test_a_deep_link_opens_on_its_topic_a_reload_keeps_it_start_over_clears_it(
    chat: RecordedPage, web_stack: Stack, web_app: WebApp
) -> None:
    page = chat.page
    page.goto("/?topic=car-t-cells")
    idle(page)
    expect(page.locator("#log .msg-user")).to_have_text(["You said: CAR-T cell therapy"])
    expect(page.locator("#log .msg-bot").last).to_contain_text("CAR-T cell therapy uses")
    assert page.url == f"{web_app.url}/", "the topic is asked once, not again on reload"
    assert kb_article(web_stack, page) == "car-t-cells"
    before, first_session, calls = log_texts(page), session_id(page), api_calls(chat)
    first_reference = reference(page)
    assert first_reference not in first_session

    page.reload()
    idle(page)
    assert log_texts(page) == before
    assert session_id(page) == first_session and reference(page) == first_reference
    assert api_calls(chat) == calls, "a reload replays the conversation without asking again"
    page.emulate_media(media="print")
    expect(page.locator("#conversation-ref")).to_be_visible()
    expect(page.locator("#conversation-ref")).to_contain_text("quote it if you ask the hospital")
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Start over").click()
    idle(page)
    expect(page.locator("#log .msg")).to_have_count(1)
    expect(page.locator("#log .msg-bot")).to_contain_text("welcome")
    assert session_id(page) != first_session
    assert reference(page) != first_reference


def test_a_trial_search_from_a_nurse_link_with_answer_buttons(
    chat: RecordedPage, web_stack: Stack
) -> None:
    page = chat.page
    page.goto("/?topic=trial-search")
    idle(page)
    question = page.locator("#log .msg-bot").last
    expect(question).to_contain_text("What type of cancer is it?")
    question.get_by_role("button", name="Lung cancer").click()
    idle(page)
    expect(page.locator("#log .msg-bot").last).to_contain_text("How old is the person")
    ask(page, "60")
    page.locator("#log .msg-bot").last.get_by_role("button", name="Any kind").click()
    idle(page)
    page.locator("#log .msg-bot").last.get_by_role("button", name="Anywhere").click()
    idle(page)
    results = " ".join(log_texts(page))
    assert "NCT06751849" in results and "Last updated" in results
    link = page.get_by_role("link", name="See the trial NCT06751849 on ClinicalTrials.gov")
    expect(link).to_have_attribute("href", "https://clinicaltrials.gov/study/NCT06751849")
    assert kb_article(web_stack, page) == "trial-search"


def test_an_unknown_topic_falls_back_to_the_greeting_with_a_note(chat: RecordedPage) -> None:
    page = chat.page
    page.goto("/?topic=no-such-topic")
    idle(page)
    expect(page.locator("#log .msg-note")).to_contain_text("could not find that topic")
    expect(page.locator("#log .msg-bot")).to_contain_text("welcome")


def test_an_urgent_message_is_distinct_and_announced(chat: RecordedPage) -> None:
    page = chat.page
    page.goto("/")
    idle(page)
    ask(page, "my husband has a temperature of 39.2 since his keytruda")
    urgent = page.locator("#log .msg-urgent")
    expect(urgent).to_have_count(1)
    expect(urgent).to_have_attribute("role", "alert")
    expect(page.get_by_role("alert")).to_contain_text("112")
    expect(urgent.locator(".urgent-flag")).to_be_visible()
    ordinary = page.locator("#log .msg-bot:not(.msg-urgent)").first
    style = "e => getComputedStyle(e).borderLeftWidth + ' ' + getComputedStyle(e).backgroundColor"
    assert urgent.evaluate(style) != ordinary.evaluate(style)


def test_html_in_a_message_or_an_article_is_shown_as_text_and_never_runs(
    chat: RecordedPage, web_database_url: str
) -> None:
    page = chat.page
    page.goto("/")
    idle(page)
    typed = '<img src=x onerror="window.__xss=1">'
    ask(page, typed)
    expect(page.locator("#log .msg-user").last).to_have_text(f"You said: {typed}")

    factory = make_session_factory(make_engine(web_database_url))
    thanks = (Article.slug == "thanks") & (Article.language == "en")  # the page asks in English
    with factory() as session:
        original = session.scalars(select(Article.answer).where(thanks)).one()
    article = (
        'You are welcome. <img src=x onerror="window.__xss=2"><script>window.__xss=3</script> '
        "See https://www.curie.fr/immunotherapy."
    )
    try:
        with factory.begin() as session:
            session.execute(update(Article).where(thanks).values(answer=article))
        ask(page, "thank you so much")
    finally:
        with factory.begin() as session:
            session.execute(update(Article).where(thanks).values(answer=original))
    answer = page.locator("#log .msg-bot").last
    expect(answer).to_contain_text('<img src=x onerror="window.__xss=2"><script>')
    link = answer.locator("a")
    expect(link).to_have_attribute("href", "https://www.curie.fr/immunotherapy")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert page.locator("#log img, #log script").count() == 0
    assert page.evaluate("window.__xss") is None


@pytest.mark.parametrize("path", ["/?topic=car-t-cells", "/topics", "/topics/car-t-cells/print"])
def test_axe_finds_no_serious_or_critical_violation(
    chat: RecordedPage, path: str, serious_axe_violations: Callable[[Page], list[dict[str, object]]]
) -> None:
    page = chat.page
    page.goto(path)
    if path.startswith("/?"):
        idle(page)
        expect(page.locator("#log .msg-bot")).to_have_count(1)
    serious = serious_axe_violations(page)
    assert serious == [], serious


def test_the_pages_stay_on_their_origin_and_hold_no_secret(
    chat: RecordedPage, web_stack: Stack, web_app: WebApp
) -> None:
    page = chat.page
    for path in ("/?topic=trial-phases", "/topics", "/topics/trial-phases/print"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert web_stack.token not in page.content()
    idle(page)
    assert any("/qr.svg?lang=" in url for url in chat.requests)
    assert any(url.endswith("/api/message") for url in chat.requests)
    assert chat.foreign_requests() == []
    for asset in ("/static/chat.js", "/static/site.css", "/static/embed.js"):
        assert web_stack.token not in page.request.get(f"{web_app.url}{asset}").text()


def test_keyboard_only_use_with_visible_focus_and_reduced_motion(
    browser: Browser, web_app: WebApp, web_stack: Stack
) -> None:
    context = browser.new_context(base_url=web_app.url, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto("/")
        idle(page)
        for _ in range(12):  # skip link, nav, tools, then the question box
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "message":
                break
        assert page.evaluate("document.activeElement.id") == "message"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
        page.keyboard.type("what is a clinical trial?")
        page.keyboard.press("Enter")
        idle(page)
        assert kb_article(web_stack, page) == "clinical-trials-basics"
        page.keyboard.press("Shift+Tab")  # back from the box to the last related-topic button
        for _ in range(3):
            if page.evaluate("document.activeElement.classList.contains('choice')"):
                break
            page.keyboard.press("Shift+Tab")
        topic = page.evaluate("document.activeElement.textContent")
        page.keyboard.press("Enter")
        idle(page)
        expect(page.locator("#log .msg-user").last).to_have_text(f"You said: {topic}")
        dots = "getComputedStyle(document.querySelector('.dots span')).animationName"
        assert page.evaluate(dots) == "none"
    finally:
        context.close()


def test_phone_width_reflows_and_screenshots(
    browser: Browser, web_app: WebApp, screenshots: Path
) -> None:
    # 320 CSS pixels wide is a 1280-pixel screen at 400 % zoom (WCAG 1.4.10 reflow),
    # which covers 200 % text zoom: no sideways scrolling on any page.
    narrow = browser.new_context(base_url=web_app.url, viewport={"width": 320, "height": 640})
    phone = browser.new_context(
        base_url=web_app.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    desktop = browser.new_context(base_url=web_app.url, viewport={"width": 1280, "height": 900})
    try:
        page = narrow.new_page()
        for path in ("/?topic=side-effects-skin", "/topics", "/topics/side-effects-skin/print"):
            page.goto(path)
            idle(page) if path.startswith("/?") else page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} scrolls sideways at 320 px: {width}"
        page = phone.new_page()
        page.goto("/?topic=side-effects-skin")
        idle(page)
        page.screenshot(path=str(screenshots / "chat-phone.png"), full_page=True)
        page = desktop.new_page()
        page.goto("/topics")
        page.screenshot(path=str(screenshots / "topics.png"))
        page.goto("/topics/car-t-cells/print")
        page.wait_for_load_state("networkidle")
        page.emulate_media(media="print")
        page.screenshot(path=str(screenshots / "print.png"), full_page=True)
    finally:
        for context in (narrow, phone, desktop):
            context.close()


def test_with_the_assistant_unreachable_the_reader_gets_the_care_team_contact(
    browser: Browser, web_database_url: str, tmp_path: Path
) -> None:
    with running_web_app(
        tmp_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        env={"DATABASE_URL": web_database_url},
    ) as app:
        context = browser.new_context(base_url=app.url)
        try:
            page = context.new_page()
            page.goto("/")
            idle(page)
            error = page.locator("#log .msg-error")
            expect(error).to_have_attribute("role", "alert")
            expect(error).to_contain_text("care team")
            expect(error).to_contain_text("112")
        finally:
            context.close()


def test_the_longest_handout_prints_on_one_a4_page(
    chat: RecordedPage, web_database_url: str
) -> None:
    with make_session_factory(make_engine(web_database_url))() as session:
        articles = session.scalars(select(Article).where(Article.group != "conversation")).all()
    longest = max(articles, key=lambda a: len(a.answer) + len(a.details or ""))
    page = chat.page
    page.goto(f"/topics/{longest.slug}/print")
    page.wait_for_load_state("networkidle")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, longest.slug


def test_the_embed_snippet_opens_the_chat_on_a_hospital_page(
    browser: Browser, hospital_page: str, web_app: WebApp
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(hospital_page)
        launcher = page.get_by_role("button", name="Questions about immunotherapy?")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        launcher.click()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        frame = page.frame_locator("iframe[title='Immunotherapy information chat']")
        expect(frame.locator("#log .msg-bot")).to_contain_text("welcome")
        expect(frame.locator(".site-header")).to_have_count(0)  # no site menu in the frame
    finally:
        context.close()
