"""The published topics as the web pages show them: grouped lists and handouts.

Reads through `bot.kb.store`, which renders every answer; this module only arranges
them for pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.answers import Answer
from bot.kb.store import ArticleStore, get_article, published_articles
from bot.kb.topics import GROUPS, intent_for_slug
from bot.text import is_slug

# Headings of the topic groups, in the order the list shows them. The conversation
# group (greeting, thanks, ...) holds no topic a nurse would hand out.
GROUP_TITLES: dict[str, str] = {
    "about": "About immunotherapy",
    "types": "Types of immunotherapy",
    "side-effects": "Side effects",
    "living": "Daily life",
    "trials": "Clinical trials",
    "hospital": "The hospital and your care team",
}
HIDDEN_GROUPS = ("conversation",)


@dataclass(frozen=True)
class Topic:
    """A published article as a link target."""

    slug: str
    title: str
    group: str

    @property
    def payload(self) -> str:
        """The message that asks the assistant for this topic."""
        return "/" + intent_for_slug(self.slug)


@dataclass(frozen=True)
class TopicGroup:
    """A heading and its topics."""

    key: str
    title: str
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class Handout:
    """A topic's printable content: the answer, its details (if any), source and date."""

    topic: Topic
    answer: Answer
    details: str | None


def find_topic(store: ArticleStore, slug: str) -> Topic | None:
    """Return the published, linkable topic for `slug`, or None."""
    if not is_slug(slug):
        return None
    with store.session_factory() as session:
        article = get_article(session, slug)
        if article is None or article.group in HIDDEN_GROUPS:
            return None
        return Topic(article.slug, article.title, article.group)


def topic_groups(store: ArticleStore) -> list[TopicGroup]:
    """Return every published topic, grouped, groups in the catalogue's order."""
    with store.session_factory() as session:
        articles = published_articles(session)
    order = [g for g in GROUPS if g not in HIDDEN_GROUPS]
    order += sorted({a.group for a in articles} - set(order) - set(HIDDEN_GROUPS))
    groups = []
    for key in order:
        catalogue = GROUPS.get(key, ())
        members = [a for a in articles if a.group == key]
        # The catalogue's order (basics first); articles it does not list come last.
        members.sort(key=lambda a: catalogue.index(a.slug) if a.slug in catalogue else 999)
        topics = tuple(Topic(a.slug, a.title, a.group) for a in members)
        if topics:
            groups.append(TopicGroup(key, GROUP_TITLES.get(key, key.replace("-", " ")), topics))
    return groups


def handout(store: ArticleStore, slug: str) -> Handout | None:
    """Return the printable content of a published topic, or None."""
    topic = find_topic(store, slug)
    if topic is None:
        return None
    answer = store.answer_for(slug)
    details = store.details_for(slug)
    return Handout(topic, answer, details.text if details.text != answer.text else None)
