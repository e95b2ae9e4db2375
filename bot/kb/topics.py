"""The topic catalogue: required slugs, their groups, and how intents map to them.

Slugs are stable public identifiers (nurse links, tests and staff tools use them), so
this list only ever grows. Each slug is answered for one intent; the naming rule, and
every slug or intent that code refers to by name, live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

# Slugs and intents that code answers or checks by name.
URGENT_SLUG = "urgent-symptoms"
NOT_UNDERSTOOD_SLUG = "not-understood"
CAPABILITIES_SLUG = "capabilities"
SIDE_EFFECTS_OVERVIEW_SLUG = "side-effects-overview"
TRIAL_SEARCH_SLUG = "trial-search"
URGENT_INTENT = "report_urgent_symptom"
PERSONAL_ADVICE_INTENT = "ask_personal_advice"
NLU_FALLBACK_INTENT = "nlu_fallback"  # what Rasa's FallbackClassifier predicts when unsure
OUT_OF_SCOPE_INTENT = "out_of_scope"
STOP_INTENT = "stop"
INFORM_INTENT = "inform"

GROUPS: dict[str, tuple[str, ...]] = {
    "about": (
        "immunotherapy-basics",
        "immunotherapy-vs-other-treatments",
        "cancers-treated",
        "response-and-results",
        "treatment-course",
        "biomarker-tests",
        "costs-and-cover",
    ),
    "types": (
        "types-overview",
        "checkpoint-inhibitors",
        "cancer-vaccines",
        "car-t-cells",
        "other-immunotherapies",
        "bispecific-antibodies",
    ),
    "side-effects": (
        "side-effects-overview",
        "side-effects-fatigue",
        "side-effects-skin",
        "side-effects-digestive",
        "side-effects-hormonal",
        "side-effects-lungs",
        "side-effects-liver",
        "side-effects-joints-muscles",
        "side-effects-infusion-reactions",
        "side-effects-car-t",
        "side-effects-vaccines",
        "managing-side-effects",
        "side-effects-heart",
        "side-effects-nerves-eyes",
        "side-effects-kidneys",
        URGENT_SLUG,
    ),
    "living": (
        "daily-life",
        "fertility-pregnancy",
        "vaccinations",
        "alcohol-diet-supplements",
        "travel",
        "autoimmune-and-transplant",
        "caregivers",
    ),
    "trials": (
        "clinical-trials-basics",
        "trial-phases",
        "joining-a-trial",
        "trial-eligibility",
        "trial-risks-benefits",
        "trial-search",
        "early-access",
    ),
    "hospital": ("curie-immunotherapy-center", "contact-care-team"),
    "conversation": (
        "greeting",
        "capabilities",
        "bot-identity",
        "goodbye",
        "thanks",
        "personal-advice",
        "human-handoff",
        "out-of-scope",
        "not-understood",
    ),
}

REQUIRED_SLUGS: tuple[str, ...] = tuple(s for slugs in GROUPS.values() for s in slugs)

# Topics offered when the assistant cannot help (out of scope, not understood).
MAIN_TOPICS: tuple[str, ...] = (
    "immunotherapy-basics",
    "types-overview",
    "side-effects-overview",
    "clinical-trials-basics",
    "contact-care-team",
)

# Conversation intents keep Rasa's usual names; every other slug is asked by
# `ask_<slug with underscores>`.
_SPECIAL_INTENTS: dict[str, str] = {
    "greeting": "greet",
    "goodbye": "goodbye",
    "thanks": "thank",
    "bot-identity": "bot_challenge",
    "out-of-scope": "out_of_scope",
    NOT_UNDERSTOOD_SLUG: NLU_FALLBACK_INTENT,
}
_SPECIAL_SLUGS: dict[str, str] = {v: k for k, v in _SPECIAL_INTENTS.items()}


def group_of(slug: str) -> str | None:
    """Return the group a required slug belongs to, or None for other slugs."""
    return next((g for g, slugs in GROUPS.items() if slug in slugs), None)


def intent_for_slug(slug: str) -> str:
    """Return the intent that asks for `slug` (also the payload of its button)."""
    return _SPECIAL_INTENTS.get(slug) or "ask_" + slug.replace("-", "_")


def slug_for_intent(intent: str | None) -> str | None:
    """Return the slug an intent asks for, or None when it names no topic."""
    if not intent:
        return None
    if intent in _SPECIAL_SLUGS:
        return _SPECIAL_SLUGS[intent]
    if intent == URGENT_INTENT:
        return URGENT_SLUG
    if intent.startswith("ask_"):
        return intent[len("ask_") :].replace("_", "-")
    return None


# Slugs whose intents are written by hand in domain.yml, with their own rules: the
# conversation turns, and the trial search (its intent starts a form). Every other
# topic's `ask_<slug>` intent and rule are generated when a model is trained.
FIXED_SLUGS: frozenset[str] = frozenset((*GROUPS["conversation"], TRIAL_SEARCH_SLUG))


def is_generated_topic(slug: str) -> bool:
    """Whether `slug`'s intent and rule are generated from the articles at training."""
    return slug not in FIXED_SLUGS


def trained_topic_slugs(published: Iterable[str]) -> list[str]:
    """The topics a model is trained to answer: every published one, and every required one.

    Required topics always count (they cannot be unpublished), so the stories that use
    their intents stay valid even on a database that has not loaded them yet.
    """
    return sorted(s for s in {*REQUIRED_SLUGS, *published} if is_generated_topic(s))


def with_topic_intents(domain: Iterable[str] | None, slugs: Iterable[str]) -> list[str] | None:
    """The domain's own intents, plus the generated intents of the articles `slugs`.

    What staff may attach an example to, or point a button at: a topic's intent exists
    once its article does, and the next training declares it. None when the domain is.
    """
    if domain is None:
        return None
    generated = (intent_for_slug(s) for s in slugs if is_generated_topic(s))
    return list(dict.fromkeys([*domain, *sorted(generated)]))


def domain_intents(domain_file: Path) -> list[str] | None:
    """Return the intents the Rasa domain declares, or None if there is no domain."""
    if not domain_file.exists():
        return None
    intents = (yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}).get("intents", [])
    return [i if isinstance(i, str) else next(iter(i)) for i in intents]
