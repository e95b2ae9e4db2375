"""The answer editor in a real browser, and the end-to-end path from editor to Rasa.

Same real stack as tests/e2e/test_browser.py (Rasa, actions, uvicorn, Debian's
Chromium). Each test leaves the shared database's articles as it found them: the
browser test reverts through the page, the end-to-end test reverts in `finally`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.kb.store import ArticleStore
from bot.staff.accounts import add_user
from bot.training.tables import TrainingExample
from tests.support.stack import Stack, WebApp

if TYPE_CHECKING:
    from tests.web.conftest import RecordedPage

pytestmark = [pytest.mark.integration, pytest.mark.browser]
PASSWORD = "browser test password 42"
EDITOR_NAME, REVIEWER_NAME = "ed-browser", "rev-browser"
BROWSER_SLUG = "side-effects-joints-muscles"  # no other browser test reads this answer
TITLE = "Joint and muscle pain"
E2E_SLUG = "car-t-cells"
E2E_QUESTION = "what is car t cell therapy?"  # test_browser.py relies on it too


@pytest.fixture(scope="module")
def web_factory(web_database_url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(web_database_url))


@pytest.fixture(scope="module")
def staff(web_factory: sessionmaker[Session]) -> dict[str, str]:
    """One editor and one reviewer in the web stack's database."""
    with web_factory.begin() as session:
        add_user(session, EDITOR_NAME, "editor", PASSWORD)
        add_user(session, REVIEWER_NAME, "reviewer", PASSWORD)
    return {"editor": EDITOR_NAME, "reviewer": REVIEWER_NAME}


@pytest.fixture
def admin_page(
    chat: RecordedPage, staff: dict[str, str]
) -> Iterator[tuple[RecordedPage, list[str]]]:
    """The recorded page of `chat` (no other origin, no dialog), also free of console errors."""
    errors: list[str] = []
    chat.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    chat.page.on("pageerror", lambda e: errors.append(str(e)))
    yield chat, errors
    assert errors == [], "console errors"


def sign_in(page: Page, name: str) -> None:
    page.goto("/admin/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Staff workspace")).to_be_visible()


def test_edit_with_live_preview_submit_publish_diff_and_revert(
    admin_page: tuple[RecordedPage, list[str]],
    web_factory: sessionmaker[Session],
    screenshots: Path,
) -> None:
    recorded, _ = admin_page
    page = recorded.page
    store = ArticleStore(web_factory)
    original = store.answer_for(BROWSER_SLUG).text
    new_answer = original + " Gentle walking often helps stiff joints."

    sign_in(page, EDITOR_NAME)
    page.get_by_role("link", name="Answers").first.click()
    page.get_by_label("Search title, slug or text").fill("joint")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.locator("#answer")).to_have_value(original)
    preview = page.locator("#preview .msg.msg-bot")
    expect(preview).to_have_count(1)
    expect(preview.locator(".source")).to_contain_text("Source:")
    expect(preview.locator(".choices .choice").first).to_be_visible()

    page.locator("#answer").fill(new_answer)
    expect(preview).to_contain_text("Gentle walking often helps stiff joints.")
    expect(page.locator("#measure-answer")).to_contain_text("words (at most 120)")

    hard = "Immunotherapeutic pharmacological interventions necessitate comprehensive. " * 6
    page.locator("#answer").fill(hard)
    expect(page.locator("#measure-answer.warning")).to_contain_text("reading grade")
    expect(page.locator("#problems-answer")).to_contain_text("reads at grade")
    expect(page.locator("#answer")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(screenshots / "admin-editor-warning.png"), full_page=True)

    page.locator("#answer").fill(new_answer)
    expect(page.locator("#problems-answer")).to_have_text("")
    page.get_by_label("Why are you making this change?").fill("Advice on movement")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("Your draft was saved")
    expect(page.locator("#answer")).to_have_value(new_answer)
    assert page.get_by_role("button", name="Publish").count() == 0  # editors cannot
    page.get_by_label("Why are you making this change?").fill("Advice on movement")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent for review")
    page.screenshot(path=str(screenshots / "admin-editor-preview.png"), full_page=True)
    assert store.answer_for(BROWSER_SLUG).text == original, "not published yet"
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, REVIEWER_NAME)
    page.get_by_role("link", name="Answers").first.click()
    queue = page.locator("section", has=page.get_by_role("heading", name=re.compile("review")))
    queue.get_by_role("link", name=TITLE, exact=True).click()
    submitted = page.locator("section.revision").first
    # The date changed too (when the text is not from today): its own <ins>.
    expect(submitted.locator(".diff-text ins", has_text="Gentle walking")).to_have_count(1)
    submitted.get_by_role("button", name=re.compile("^Publish version")).click()
    expect(page.get_by_role("status").first).to_contain_text("Published")
    assert store.answer_for(BROWSER_SLUG).text == new_answer
    page.screenshot(path=str(screenshots / "admin-history.png"), full_page=True)

    page.get_by_role("button", name="Revert to this version (1)").click()
    expect(page.get_by_role("status").first).to_contain_text("Reverted")
    expect(page.locator("section.revision").first).to_contain_text("Reverted to version 1")
    newest = page.locator("section.revision").first
    expect(newest.locator(".diff-text del", has_text="Gentle walking")).to_have_count(1)
    assert store.answer_for(BROWSER_SLUG).text == original

    # Clinical sign-off of the published text: listed as awaiting, signed, then dated.
    page.get_by_role("link", name="Answers").first.click()
    page.get_by_label("Awaiting clinical sign-off").check()
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.locator("#sign-off")).to_contain_text("Awaits clinical sign-off")
    page.get_by_label("Your clinical role").fill("Rheumatologist")
    page.get_by_role("button", name=re.compile("^Sign off the published text")).click()
    expect(page.get_by_role("status").first).to_contain_text("Signed off")
    expect(page.locator("#sign-off")).to_contain_text("Rheumatologist")
    expect(preview.locator(".source")).to_contain_text("Clinically reviewed on")
    assert store.answer_for(BROWSER_SLUG).clinically_reviewed_on is not None


def test_inbox_shows_redacted_messages_and_teaches_one_in_the_browser(
    admin_page: tuple[RecordedPage, list[str]],
    web_stack: Stack,
    web_factory: sessionmaker[Session],
    screenshots: Path,
) -> None:
    weather = "what is the weather like at the seaside this weekend"
    for sender, message in (
        ("inbox-browser-1", weather),
        ("inbox-browser-2", "blorp snarfle quux"),
        ("inbox-browser-3", "please send it to jean.martin@example.com, blorp snarfle quux"),
    ):
        # As the page sends them: with its language (made-up words detect as none).
        body = {"sender": sender, "message": message, "metadata": {"language": "en"}}
        response = requests.post(
            f"{web_stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60
        )
        assert response.status_code == 200
    page = admin_page[0].page
    sign_in(page, EDITOR_NAME)
    page.get_by_role("link", name="Inbox").first.click()
    page.get_by_role("button", name="Check for new messages").click()
    expect(page.get_by_role("status").first).to_contain_text("up to date")
    gibberish = page.locator("section.inbox-group", has_text="blorp snarfle quux")
    expect(gibberish).to_have_count(1)  # both messages in one group
    expect(gibberish).to_contain_text("please send it to [email], blorp snarfle quux")
    assert "jean.martin" not in page.content() and "inbox-browser" not in page.content()
    page.screenshot(path=str(screenshots / "admin-inbox.png"), full_page=True)

    group = page.locator("section.inbox-group", has_text=weather)
    group.get_by_label("Question it asks").select_option("out_of_scope")
    group.get_by_role("button", name="Add as example").click()
    examples = page.locator("table", has=page.get_by_text("Training examples added by staff"))
    expect(examples).to_contain_text(weather)
    page.locator("section.inbox-group", has_text="blorp snarfle quux").get_by_role(
        "button", name="Dismiss"
    ).click()
    expect(page.locator("section.inbox-group", has_text="blorp snarfle")).to_have_count(0)
    with web_factory() as session:
        taught = session.scalars(
            select(TrainingExample).where(TrainingExample.text == weather)
        ).one()
        assert (taught.intent, taught.added_by) == ("out_of_scope", EDITOR_NAME)


WORKSPACE_PAGES = (
    "/admin/",
    "/admin/articles",
    f"/admin/articles/{BROWSER_SLUG}",
    f"/admin/articles/{BROWSER_SLUG}/history",
    "/admin/articles/import",
    "/admin/inbox",
    "/admin/models",
    "/admin/account",
)


def test_workspace_pages_have_no_serious_accessibility_violation(
    admin_page: tuple[RecordedPage, list[str]],
    serious_axe_violations: Callable[[Page], list[dict[str, object]]],
    screenshots: Path,
) -> None:
    page = admin_page[0].page
    page.goto("/admin/login")
    assert serious_axe_violations(page) == []
    sign_in(page, REVIEWER_NAME)
    found = {}
    for path in WORKSPACE_PAGES:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found[path] = serious_axe_violations(page)
        if path == "/admin/articles":
            page.screenshot(path=str(screenshots / "admin-articles.png"), full_page=True)
    assert {path: v for path, v in found.items() if v} == {}


class _FormReader(HTMLParser):
    """The named fields of one form as a browser would post them (no button values)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id", "") == self.form_id
        elif not self.inside or "name" not in a:
            if tag == "option" and self._select and "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "input":
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, form_id: str) -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def _answer_texts(stack: Stack, question: str) -> str:
    reply = stack.say(f"e2e-{uuid.uuid4().hex[:12]}", question)
    reply.raise_for_status()
    return "\n".join(m.get("text", "") for m in reply.json())


def test_a_reviewer_publishes_in_the_web_app_and_the_next_rasa_answer_has_it(
    web_app: WebApp, web_stack: Stack, staff: dict[str, str]
) -> None:
    added = "Ask us about the CAR-T day unit at Institut Curie."
    assert added not in _answer_texts(web_stack, E2E_QUESTION)
    browser = requests.Session()
    login = browser.get(f"{web_app.url}/admin/login", timeout=10)
    signed = browser.post(
        f"{web_app.url}/admin/login",
        data={**form_fields(login.text, ""), "name": REVIEWER_NAME, "password": PASSWORD},
        timeout=10,
    )
    assert signed.ok and "Staff workspace" in signed.text
    editor = browser.get(f"{web_app.url}/admin/articles/{E2E_SLUG}", timeout=10)
    form = form_fields(editor.text, "editor")
    assert form["csrf_token"] and form["group"] == "types"
    form.update(
        answer=form["answer"] + " " + added, reason="Mention the day unit", action="publish"
    )
    try:
        published = browser.post(f"{web_app.url}/admin/articles/{E2E_SLUG}", data=form, timeout=30)
        assert published.ok and "Published." in published.text, published.text[-2000:]
        assert added in _answer_texts(web_stack, E2E_QUESTION)
    finally:
        history = browser.get(f"{web_app.url}/admin/articles/{E2E_SLUG}/history", timeout=10)
        reverted = browser.post(
            f"{web_app.url}/admin/articles/{E2E_SLUG}/revert",
            data={"csrf_token": form["csrf_token"], "number": "1"},
            timeout=30,
        )
        assert reverted.ok and "Reverted." in reverted.text, history.text[-1000:]
    assert added not in _answer_texts(web_stack, E2E_QUESTION)
