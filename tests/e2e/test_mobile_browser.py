"""What a worried person sees on a phone (390 CSS pixels wide), on the real stack.

The urgent answer opens with big tap-to-call links, before the list of signs; a trial
search ends with one card per trial. Rasa, the action server and the web app run as
their own processes (tests/e2e/conftest.py); nothing is mocked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from bot.db import make_engine, make_session_factory
from bot.staff.hospital_settings import save_values
from bot.staff.roles import Actor
from tests.e2e.conftest import RecordedPage
from tests.support.stack import WebApp

pytestmark = [pytest.mark.integration, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
MIN_TAP_PX = 48  # the smallest comfortable tap target (WCAG 2.5.5, platform guides)
FICTIONAL_NUMBER = "01 99 00 12 34"  # the 01 99 00 range is kept for fiction in France
URGENT_MESSAGE = "my husband has a temperature of 39.2 since his keytruda"


@pytest.fixture
def phone(browser: Browser, web_app: WebApp) -> Iterator[RecordedPage]:
    context = browser.new_context(
        base_url=web_app.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    recorded = RecordedPage(context.new_page(), web_app.url)
    try:
        yield recorded
        assert recorded.foreign_requests() == [], "the page reached another origin"
        assert recorded.dialogs == [], "something opened a dialog (script ran?)"
    finally:
        context.close()


def idle(page: Page) -> None:
    """Wait until no message is in flight (the first answer of a cold server is slow)."""
    expect(page.locator('#chat[aria-busy="true"]')).to_have_count(0, timeout=60_000)


def ask(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")
    idle(page)


def tap_height(link: Locator) -> float:
    box = link.bounding_box()
    assert box is not None
    return box["height"]


def assert_no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 390 px: {width}"


def urgent_answer(page: Page) -> Locator:
    page.goto("/")
    idle(page)
    ask(page, URGENT_MESSAGE)
    urgent = page.locator("#log .msg-urgent").last
    expect(urgent).to_have_attribute("role", "alert")
    return urgent


def assert_calls_come_first(urgent: Locator, expected: list[tuple[str, str]]) -> None:
    """The answer opens with these links (name, tel), big, before the list of signs."""
    children = urgent.evaluate("e => Array.from(e.children, c => c.className)")
    assert children[:3] == ["urgent-flag", "calls", ""], children  # flag, calls, then text
    links = urgent.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(len(expected))]
    assert hrefs == [f"tel:{tel}" for _, tel in expected], "the first links are the calls"
    calls = urgent.locator(".calls a")
    expect(calls).to_have_count(len(expected))
    for name, tel in expected:
        link = urgent.get_by_role("link", name=name, exact=True)
        expect(link).to_have_attribute("href", f"tel:{tel}")
        assert tap_height(link) >= MIN_TAP_PX
    signs = urgent.locator("p", has_text="a fever of 38").bounding_box()
    last_call = calls.last.bounding_box()
    assert signs and last_call and last_call["y"] + last_call["height"] <= signs["y"]
    expect(urgent).to_contain_text("call 15 (SAMU) or 112")  # the words stay for everyone


def test_the_urgent_answer_opens_with_big_calls_to_15_and_112(
    phone: RecordedPage, serious_axe_violations: Callable[[Page], list[dict[str, object]]]
) -> None:
    page = phone.page
    urgent = urgent_answer(page)
    assert_calls_come_first(urgent, [("Call 15 (SAMU)", "15"), ("Call 112 (emergency)", "112")])
    expect(urgent).to_contain_text("to be set by hospital staff")  # no made-up number
    assert_no_sideways_scrolling(page)
    assert serious_axe_violations(page) == []


def test_the_care_team_number_is_the_first_call_once_staff_set_it(
    phone: RecordedPage,
    web_database_url: str,
    screenshots: Path,
    serious_axe_violations: Callable[[Page], list[dict[str, object]]],
) -> None:
    factory = make_session_factory(make_engine(web_database_url))
    with factory.begin() as session:
        save_values(session, {"care_team_phone": FICTIONAL_NUMBER}, actor=Actor.operator())
    try:
        page = phone.page
        urgent = urgent_answer(page)
        assert_calls_come_first(
            urgent,
            [
                (f"Call your care team: {FICTIONAL_NUMBER}", "0199001234"),
                ("Call 15 (SAMU)", "15"),
                ("Call 112 (emergency)", "112"),
            ],
        )
        assert_no_sideways_scrolling(page)
        assert serious_axe_violations(page) == []
        urgent.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(screenshots / "mobile-urgent.png"))
    finally:
        with factory.begin() as session:
            save_values(session, {"care_team_phone": ""}, actor=Actor.operator())


def test_a_trial_search_ends_with_one_card_per_trial(
    phone: RecordedPage,
    screenshots: Path,
    serious_axe_violations: Callable[[Page], list[dict[str, object]]],
) -> None:
    page = phone.page
    page.goto("/?topic=trial-search")
    idle(page)
    page.locator("#log .msg-bot").last.get_by_role("button", name="Lung cancer").click()
    idle(page)
    ask(page, "60")
    page.locator("#log .msg-bot").last.get_by_role("button", name="Any kind").click()
    idle(page)
    page.locator("#log .msg-bot").last.get_by_role("button", name="Anywhere").click()
    idle(page)
    results = page.locator("#log .msg-bot").last
    expect(results.get_by_role("list", name="Trials found")).to_be_visible()
    cards = results.locator(".trial-card")
    expect(cards).to_have_count(3)
    ids = ["NCT06751849", "NCT06751901", "NCT05907980"]
    for index, nct_id in enumerate(ids):
        card = cards.nth(index)
        expect(card.get_by_role("heading")).to_have_text(re.compile(r"\w{3}"))
        terms = card.locator("dt").all_inner_texts()
        assert terms == ["Phase", "Open to new patients", "Where", "Ages"], terms
        expect(card.locator("dd").nth(0)).to_contain_text("Phase ")
        expect(card.locator("dd").nth(1)).to_have_text("Yes, it is looking for people to join.")
        link = card.get_by_role("link", name=f"See the trial {nct_id} on ClinicalTrials.gov")
        expect(link).to_have_attribute("href", f"https://clinicaltrials.gov/study/{nct_id}")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(link).to_have_attribute("target", "_blank")
        assert tap_height(link) >= MIN_TAP_PX
        expect(card.locator(".trial-record")).to_contain_text("Last updated")
    expect(cards.nth(1).locator("dd").nth(0)).to_have_text("Phase 2 (tests how well it works)")
    expect(cards.nth(2).locator("dd").nth(0)).to_have_text(
        "Phase 1 (first tests in people, for safety and dose)"
    )
    expect(cards.nth(2)).to_contain_text("It is open to many kinds of solid tumour.")
    text = results.locator(":scope > p").all_inner_texts()
    assert text[0].startswith("I found ") and "only the trial team" in " ".join(text)
    assert not any("NCT" in paragraph for paragraph in text), "no trial twice as text"
    assert_no_sideways_scrolling(page)
    assert serious_axe_violations(page) == []
    results.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshots / "mobile-trials.png"))
