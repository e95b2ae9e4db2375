"""The published topics as the web pages show them, in a language: lists and handouts.

Reads through `bot.kb.store`, which renders every answer; this module only arranges
them for pages. A topic whose version in the asked language is not published shows its
English version, and says so (`Topic.language`), so the page can mark it `lang="en"`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.answers import Answer
from bot.kb.store import ArticleStore, get_article, published_articles, readable_article
from bot.kb.tables import Article
from bot.kb.topics import GROUPS, intent_for_slug
from bot.language import DEFAULT_LANGUAGE
from bot.text import is_slug
from web.i18n import TEXTS, say

# The conversation group (greeting, thanks, ...) holds no topic a nurse would hand out.
HIDDEN_GROUPS = ("conversation",)


@dataclass(frozen=True)
class Topic:
    """A published article as a link target, in the language its title is written in."""

    slug: str
    title: str
    group: str
    language: str = DEFAULT_LANGUAGE

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

    @property
    def language(self) -> str:
        """The language the article's text is in (English when it fell back)."""
        return self.topic.language


def group_title(key: str, language: str) -> str:
    """A group's heading in `language` (the key in words for a group the catalogue lacks)."""
    name = f"group_{key}"
    return say(name, language) if name in TEXTS else key.replace("-", " ")


def _topic(article: Article, english: Article | None) -> Topic:
    """A topic from its version; group from the English version (French files share it)."""
    group = (english.group if english is not None else None) or article.group
    return Topic(article.slug, article.title, group, article.language)


def find_topic(store: ArticleStore, slug: str, *, language: str = DEFAULT_LANGUAGE) -> Topic | None:
    """Return the published, linkable topic for `slug` in `language`, or None."""
    if not is_slug(slug):
        return None
    with store.session_factory() as session:
        found = readable_article(session, slug, language=language)
        if found is None:
            return None
        topic = _topic(found, get_article(session, slug))
    return None if topic.group in HIDDEN_GROUPS else topic


def topic_groups(store: ArticleStore, *, language: str = DEFAULT_LANGUAGE) -> list[TopicGroup]:
    """Return every published topic in `language`, grouped, groups in the catalogue's order."""
    with store.session_factory() as session:
        english = {a.slug: a for a in published_articles(session)}
        readable = published_articles(session, language=language)  # else English
        topics = [_topic(version, english.get(version.slug)) for version in readable]
    order = [g for g in GROUPS if g not in HIDDEN_GROUPS]
    order += sorted({t.group for t in topics} - set(order) - set(HIDDEN_GROUPS))
    groups = []
    for key in order:
        catalogue = GROUPS.get(key, ())
        members = sorted((t for t in topics if t.group == key), key=lambda t: t.title)
        # The catalogue's order (basics first); topics it does not list come last, by title.
        members.sort(key=lambda t: catalogue.index(t.slug) if t.slug in catalogue else 999)
        if members:
            groups.append(TopicGroup(key, group_title(key, language), tuple(members)))
    return groups


def handout(store: ArticleStore, slug: str, *, language: str = DEFAULT_LANGUAGE) -> Handout | None:
    """Return the printable content of a published topic in `language`, or None."""
    topic = find_topic(store, slug, language=language)
    if topic is None:
        return None
    short = store.answer_for(slug, language=topic.language)
    details = store.details_for(slug, language=topic.language)
    return Handout(topic, short, details.text if details.text != short.text else None)
