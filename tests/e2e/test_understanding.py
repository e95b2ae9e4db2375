"""What the trained model and both nets do with messages, end to end through the servers.

Every not-urgent phrasing of the urgent net's tuning file runs here through the trained
model (the unit tests only check the word net on them), so the learned detector or the
classifier cannot send them to the urgent answer unnoticed.
"""

from __future__ import annotations

import uuid

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from tests.support.stack import Stack

pytestmark = pytest.mark.integration
PHRASINGS = yaml.safe_load((PROJECT_ROOT / "tests/data/urgent_phrasings.yml").read_text("utf-8"))


def reply(stack: Stack, text: str, sender: str | None = None) -> dict[str, object]:
    """The custom JSON of the answer to `text` in a new (or the given) conversation."""
    response = stack.say(sender or f"u-{uuid.uuid4().hex[:12]}", text)
    assert response.status_code == 200, response.text
    [custom] = [m["custom"] for m in response.json() if "custom" in m]
    return custom


def alarms(stack: Stack, language: str) -> list[str]:
    """The not-urgent phrasings of `language` that still got the urgent answer."""
    # "What are the warning signs?" is rightly answered with the warning-signs article,
    # which is marked urgent; it asks for the list, it reports no sign.
    calm = [
        item
        for item in PHRASINGS["not_urgent"]
        if item.get("intent") != "ask_urgent_symptoms" and item.get("lang", "en") == language
    ]
    return [item["text"] for item in calm if reply(stack, item["text"]).get("urgent")]


def test_no_not_urgent_phrasing_reaches_the_urgent_answer(web_stack: Stack) -> None:
    found = alarms(web_stack, "en")
    assert found == [], "\n".join(found)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15: since French training examples, the classifier is confidently wrong on "
    "some made-up English sentences and guesses a warning sign (a false alarm, never a missed "
    "sign); this was a test story until then",
)
def test_nonsense_is_not_understood(web_stack: Stack) -> None:
    custom = reply(web_stack, "the purple elephant sings loudly")
    assert custom["kb_article"] == "not-understood" and not custom.get("urgent")


@pytest.mark.xfail(
    strict=True,
    reason="issue 15: the classifier, reading French by its words alone, still takes a few "
    "calm French mentions for warning signs (4 of the tuning phrasings, 2.3 % of the French "
    "held-out set's non-urgent messages)",
)
def test_no_french_not_urgent_phrasing_reaches_the_urgent_answer(web_stack: Stack) -> None:
    found = alarms(web_stack, "fr")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "text",
    [
        "should I skip my keytruda infusion next week?",
        "my dad's liver tests came back high, does he need to stop opdivo",
        "can my wife take ibuprofen with her pembrolizumab",
    ],
)
def test_personal_advice_wins_over_the_article_the_message_names(
    web_stack: Stack, text: str
) -> None:
    assert reply(web_stack, text)["kb_article"] == "personal-advice"


def test_a_warning_sign_wins_over_personal_advice(web_stack: Stack) -> None:
    custom = reply(web_stack, "should I stop my keytruda? I have had a fever of 39 since lunch")
    assert custom["kb_article"] == "urgent-symptoms" and custom["urgent"] is True


def test_general_questions_still_get_their_article(web_stack: Stack) -> None:
    assert reply(web_stack, "what do steroids do when side effects happen?")["kb_article"] != (
        "personal-advice"
    )
    assert reply(web_stack, "how often are keytruda infusions usually given?")["kb_article"] != (
        "personal-advice"
    )


def test_close_topics_are_offered_and_a_click_answers_one(web_stack: Stack) -> None:
    sender = f"u-{uuid.uuid4().hex[:12]}"
    assert reply(web_stack, "what is car t cell therapy?", sender)["kb_article"] == "car-t-cells"
    # Two questions at once, no term named: the model is unsure which one is meant.
    response = web_stack.say(sender, "is it safe and does it work")
    [custom] = [m["custom"] for m in response.json() if "custom" in m]
    [buttons] = [m["buttons"] for m in response.json() if m.get("buttons")]
    offered = custom["did_you_mean"]
    assert "kb_article" not in custom and "response-and-results" in offered
    assert [b["payload"] for b in buttons] == ["/ask_" + s.replace("-", "_") for s in offered]
    assert web_stack.tracker(sender)["slots"]["kb_article"] == "car-t-cells"  # unchanged
    clicked = reply(web_stack, buttons[0]["payload"], sender)
    assert clicked["kb_article"] == offered[0]
    assert web_stack.tracker(sender)["slots"]["kb_article"] == offered[0]
