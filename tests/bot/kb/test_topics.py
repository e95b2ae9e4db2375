"""The slug <-> intent rule covers every required topic, both ways."""

from __future__ import annotations

from bot.kb.topics import GROUPS, REQUIRED_SLUGS, group_of, intent_for_slug, slug_for_intent


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
