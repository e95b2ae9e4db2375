"""French conversations end to end: the real Rasa server and action server over REST.

Issue 15. The conversation's language comes from the message's metadata, else slot
`language`, else the first clear message; a reader switches by asking or with the
language buttons (/use_french, /use_english). What is checked here needs the French
model and the French articles: the reply's words must read as French (the same
detector the assistant uses), not only carry `"language": "fr"`.
"""

from __future__ import annotations

import re
import tarfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import yaml

from bot.kb.answers import is_source_line
from bot.language import detect_language
from bot.settings import PROJECT_ROOT
from tests.support.stack import Stack, running_stack

MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


def french_ready() -> bool:
    """Whether the trained model knows the language intents and French articles exist."""
    if not MODEL.exists() or not any((PROJECT_ROOT / "data" / "kb" / "fr").glob("*.yml")):
        return False
    with tarfile.open(MODEL) as archive:
        member = archive.extractfile("components/domain_provider/domain.yml")
        domain = yaml.safe_load(member) if member else {}
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []]
    return "use_french" in intents


pytestmark = pytest.mark.integration
# Until the French model and articles land these tests fail (the replies are in English,
# or `bot kb load` refuses a knowledge base without French versions); strict, so the day
# they land these tests must pass.
needs_french = pytest.mark.xfail(
    not french_ready(),
    reason="issue 15: needs the French articles (data/kb/fr) and a model trained "
    "with the French examples and the language intents",
    strict=True,
)


def conversation() -> str:
    return f"fr-{uuid.uuid4().hex[:12]}"


def say(
    stack: Stack, sender: str, text: str, metadata: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """Send one message; return the reply's text and its custom JSON (the last one)."""
    body: dict[str, Any] = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    assert response.status_code == 200, response.text
    messages = response.json()
    text_out = "\n\n".join(m["text"] for m in messages if "text" in m)
    customs = [m["custom"] for m in messages if "custom" in m]
    assert customs, messages
    return text_out, customs[-1]


def slots(stack: Stack, sender: str) -> dict[str, Any]:
    return stack.tracker(sender)["slots"]  # type: ignore[return-value]


def assert_in(language: str, text: str, custom: dict[str, Any]) -> None:
    """The reply names `language` and its words read as that language.

    The source line is left out: a French answer may cite an English source.
    """
    assert custom.get("language") == language, custom
    words = "\n\n".join(p for p in text.split("\n\n") if not is_source_line(p))
    assert detect_language(words) == language, text


@needs_french
def test_a_topic_question_in_french_is_answered_in_french_and_kept(web_stack: Stack) -> None:
    sender = conversation()
    text, custom = say(web_stack, sender, "c'est quoi l'immunothérapie exactement ?")
    assert custom["kb_article"] == "immunotherapy-basics"
    assert_in("fr", text, custom)
    assert slots(web_stack, sender)["language"] == "fr"


@needs_french
def test_a_french_follow_up_is_answered_in_context_and_in_french(web_stack: Stack) -> None:
    sender = conversation()
    say(web_stack, sender, "quels sont les effets secondaires de l'immunothérapie ?")
    text, custom = say(web_stack, sender, "et avec CAR-T ?")
    assert custom["kb_article"] == "side-effects-car-t"
    assert_in("fr", text, custom)


@needs_french
def test_a_warning_sign_in_french_gets_the_urgent_answer_in_french(web_stack: Stack) -> None:
    sender = conversation()
    text, custom = say(
        web_stack, sender, "mon père a 39,5 de fièvre depuis ce matin, il est sous keytruda"
    )
    assert custom["kb_article"] == "urgent-symptoms" and custom["urgent"] is True
    assert "15" in text and "112" in text
    assert_in("fr", text, custom)


@needs_french
def test_personal_advice_in_french_gets_the_advice_answer_in_french(web_stack: Stack) -> None:
    sender = conversation()
    text, custom = say(
        web_stack, sender, "est-ce que je dois arrêter mon keytruda avant mon opération ?"
    )
    assert custom["kb_article"] == "personal-advice"
    assert_in("fr", text, custom)


@needs_french
def test_the_language_metadata_wins_over_what_the_message_looks_like(web_stack: Stack) -> None:
    sender = conversation()
    text, custom = say(web_stack, sender, "what is immunotherapy?", {"language": "fr"})
    assert custom["kb_article"] == "immunotherapy-basics"
    assert_in("fr", text, custom)
    assert slots(web_stack, sender)["language"] == "fr"


@needs_french
def test_asking_switches_the_language_mid_conversation(web_stack: Stack) -> None:
    sender = conversation()
    say(web_stack, sender, "c'est quoi l'immunothérapie exactement ?")
    text, custom = say(web_stack, sender, "can we speak English please")
    assert_in("en", text, custom)
    assert slots(web_stack, sender)["language"] == "en"
    # The slot now wins over a French-looking message.
    text, custom = say(web_stack, sender, "et les CAR-T c'est quoi ?")
    assert custom["kb_article"] == "car-t-cells"
    assert_in("en", text, custom)
    text, custom = say(web_stack, sender, "en français svp")
    assert_in("fr", text, custom)


@needs_french
def test_the_language_buttons_switch_it(web_stack: Stack) -> None:
    sender = conversation()
    say(web_stack, sender, "what is immunotherapy?")
    text, custom = say(web_stack, sender, "/use_french")
    assert_in("fr", text, custom)
    text, custom = say(web_stack, sender, "/ask_car_t_cells")
    assert custom["kb_article"] == "car-t-cells"
    assert_in("fr", text, custom)


@needs_french
def test_the_page_switch_changes_the_language_mid_conversation(web_stack: Stack) -> None:
    sender = conversation()
    text, custom = say(web_stack, sender, "what are CAR-T cells?", {"language": "en"})
    assert_in("en", text, custom)
    text, custom = say(web_stack, sender, "what are CAR-T cells?", {"language": "fr"})
    assert custom["kb_article"] == "car-t-cells"
    assert_in("fr", text, custom)
    assert slots(web_stack, sender)["language"] == "fr"
    # Without metadata, the conversation keeps what the switch chose.
    text, custom = say(web_stack, sender, "tell me more")
    assert_in("fr", text, custom)


def texts_of(stack: Stack, sender: str, text: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Send one message; every reply text and every custom JSON, in order."""
    body = {"sender": sender, "message": text}
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    assert response.status_code == 200, response.text
    messages = response.json()
    return [m["text"] for m in messages if "text" in m], [
        m["custom"] for m in messages if "custom" in m
    ]


@needs_french
def test_a_trial_search_in_french_asks_in_french_and_finds_what_english_finds(
    web_stack: Stack,
) -> None:
    """The English search of tests/e2e/test_rest.py, in French words: the same trials."""
    sender = conversation()
    first, _ = texts_of(
        web_stack, sender, "des essais pour un cancer du poumon pour mon père de 60 ans"
    )
    assert "Voulez-vous un type de traitement précis" in first[-1]  # type and age were given
    assert not any("De quel type de cancer" in t or "Quel âge" in t for t in first)
    place, _ = texts_of(web_stack, sender, "peu importe")
    assert "Où doit avoir lieu l'essai" in place[-1]
    found, customs = texts_of(web_stack, sender, "n'importe où")
    shown = list(dict.fromkeys(re.findall(r"NCT\d{8}", " ".join(found))))
    assert shown == ["NCT06751849", "NCT06751901", "NCT05907980"]
    assert "Seule l'équipe de l'essai peut décider" in found[0]
    assert customs[0]["kb_article"] == "trial-search" and customs[0]["language"] == "fr"
    state = slots(web_stack, sender)
    assert (state["cancer_type"], state["age"], state["person_sex"], state["language"]) == (
        "Lung cancer",
        60.0,
        "MALE",
        "fr",
    )


@pytest.fixture(scope="module")
def stack_without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa alone: every custom action fails, so the channel's own reply is sent."""
    workdir = tmp_path_factory.mktemp("no-actions")
    env = {"DATABASE_URL": f"sqlite:///{workdir / 'missing.db'}"}  # placeholder contacts
    with running_stack(workdir, model=MODEL, env=env, with_actions=False) as running:
        yield running


@pytest.mark.parametrize(
    ("text", "metadata", "language", "urgent"),
    [
        ("mon père a 39,5 de fièvre depuis ce matin", None, "fr", True),
        ("my dad has had a fever of 39.5 since this morning", None, "en", True),
        ("what is immunotherapy?", {"language": "fr"}, "fr", False),
        ("c'est quoi l'immunothérapie exactement ?", None, "fr", False),
    ],
)
def test_with_the_action_server_down_the_reply_speaks_the_message_language(
    stack_without_actions: Stack,
    text: str,
    metadata: dict[str, Any] | None,
    language: str,
    urgent: bool,
) -> None:
    reply, custom = say(stack_without_actions, conversation(), text, metadata)
    assert custom["urgent"] is urgent
    assert_in(language, reply, custom)
    if urgent:
        assert "15" in reply and "112" in reply
