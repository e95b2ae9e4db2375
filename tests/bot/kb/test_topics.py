"""The slug <-> intent rule covers every required topic, both ways."""

from __future__ import annotations

from bot.kb.files import check_set
from bot.kb.topics import (
    GROUPS,
    REQUIRED_SLUGS,
    group_of,
    intent_for_slug,
    slug_for_intent,
    trained_topic_slugs,
    with_topic_intents,
)


def test_every_slug_round_trips_through_its_intent() -> None:
    for slug in REQUIRED_SLUGS:
        assert slug_for_intent(intent_for_slug(slug)) == slug


def test_slugs_are_unique_and_grouped() -> None:
    assert len(REQUIRED_SLUGS) == len(set(REQUIRED_SLUGS))
    assert all(group_of(slug) in GROUPS for slug in REQUIRED_SLUGS)


def test_non_topic_intents_name_no_slug() -> None:
    assert slug_for_intent("tell_me_more") is None
    assert slug_for_intent(None) is None
    assert slug_for_intent("report_urgent_symptom") == "urgent-symptoms"
    assert slug_for_intent("nlu_fallback") == "not-understood"


def test_a_new_published_topic_is_trained_and_conversation_topics_stay_in_the_domain() -> None:
    slugs = trained_topic_slugs(["what-to-bring", "greeting", "trial-search"])
    assert "what-to-bring" in slugs
    assert set(REQUIRED_SLUGS) - set(GROUPS["conversation"]) - {"trial-search"} <= set(slugs)
    assert not {"greeting", "trial-search", "not-understood"} & set(slugs)


def test_an_article_brings_its_own_intent_to_the_known_ones() -> None:
    assert with_topic_intents(None, ["what-to-bring"]) is None
    known = with_topic_intents(["greet"], ["what-to-bring", "greeting"])
    assert known == ["greet", "ask_what_to_bring"]


def test_a_button_to_a_conversation_topic_needs_the_domain_intent() -> None:
    articles = [
        {"slug": "what-to-bring", "related": ["greeting"]},
        {"slug": "greeting", "related": ["what-to-bring"]},
    ]
    problems = [str(p) for p in check_set(articles, known_intents=["ask_trial_search"])]
    assert any("no intent 'greet'" in p for p in problems)
    assert not any("ask_what_to_bring" in p for p in problems)
