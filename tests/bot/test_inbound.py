"""Which messages keep a leading "/" (button payloads) and which metadata Rasa may store."""

from __future__ import annotations

import pytest
import yaml

from bot.inbound import as_words, button_intent, kept_metadata
from bot.kb.answers import topic_button
from bot.kb.topics import MAIN_TOPICS, REQUIRED_SLUGS, domain_intents, with_topic_intents
from bot.settings import PROJECT_ROOT
from bot.trials.replies import MORE_RESULTS_PAYLOAD, STOP_PAYLOAD

# Topic intents are generated from the articles at training; the required ones always.
INTENTS = frozenset(
    with_topic_intents(domain_intents(PROJECT_ROOT / "domain.yml"), REQUIRED_SLUGS) or ()
)


@pytest.mark.parametrize(
    "payload", ["/ask_car_t_cells", "/greet", "/stop", "/more_trials", "  /tell_me_more  "]
)
def test_an_exact_button_payload_of_a_known_intent_is_kept(payload: str) -> None:
    assert as_words(payload, INTENTS) == payload
    assert button_intent(payload, INTENTS) == payload.strip()[1:]


def test_every_payload_the_bot_sends_is_kept() -> None:
    articles = [yaml.safe_load(p.read_text()) for p in (PROJECT_ROOT / "data" / "kb").glob("*.yml")]
    slugs = {slug for article in articles for slug in article.get("related") or ()}
    payloads = [topic_button(slug, slug).payload for slug in {*slugs, *MAIN_TOPICS}]
    assert len(payloads) > 25
    for payload in [*payloads, STOP_PAYLOAD, MORE_RESULTS_PAYLOAD]:
        assert as_words(payload, INTENTS) == payload, payload


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("/help my name is X tel 06 12 34 56 78", "help my name is X tel 06 12 34 56 78"),
        ('/ask_car_t_cells{"nope":1} hello', 'ask_car_t_cells{"nope":1} hello'),
        ("/{Dupont 06 12 34 56 78}", "{Dupont 06 12 34 56 78}"),
        ("/greet{} my husband has a fever of 40", "greet{} my husband has a fever of 40"),
        ('/greet{"drug": "keytruda"}', 'greet{"drug": "keytruda"}'),
        ("/greet@0.99", "greet@0.99"),
        ("/greet @1", "greet @1"),
        ("/no_such_intent", "no_such_intent"),
        ("/Greet", "Greet"),
        ("/greet extra", "greet extra"),
        ("//greet", "greet"),
        ("/ /greet{}", "greet{}"),
        (" \u00a0/\t/ask_car_t_cells{}", "ask_car_t_cells{}"),
        ("/", ""),
        ("///", ""),
        ("/\n/greet", "greet"),
    ],
)
def test_any_other_slash_message_is_read_as_words(message: str, words: str) -> None:
    read = as_words(message, INTENTS)
    assert read == words
    assert not read.strip().startswith("/"), "Rasa would parse it as a coded intent"


@pytest.mark.parametrize(
    "message", ["hello", "what is car-t?", "a/b testing", "fever 40/41", "", "  spaced  "]
)
def test_a_message_without_a_leading_slash_is_unchanged(message: str) -> None:
    assert as_words(message, INTENTS) == message


def test_with_no_known_intents_every_slash_message_is_words() -> None:
    assert as_words("/greet", frozenset()) == "greet"


@pytest.mark.parametrize(
    ("metadata", "kept"),
    [
        ({"language": "fr"}, {"language": "fr"}),
        ({"language": "en", "blob": "M" * 20_000}, {"language": "en"}),
        ({"language": "de"}, None),
        ({"language": ["fr"]}, None),
        ({"blob": "x"}, None),
        ("language=fr", None),
        (None, None),
        (["fr"], None),
    ],
)
def test_metadata_keeps_only_a_known_language(metadata: object, kept: object) -> None:
    assert kept_metadata(metadata) == kept
