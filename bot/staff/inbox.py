"""The inbox: patient messages the assistant did not answer well, read from Rasa's store.

`sync` reads Rasa's SQL tracker store (`bot.staff.tracker_store`) from where it stopped last
time, keeps the user messages that ended badly, redacts them and stores them as
`InboxItem`s. Neither the raw text nor the conversation id is ever stored: only the
conversation's keyed reference, in an `InboxSighting`, so that a person's request to
erase their conversation reaches the inbox too. Staff then teach each item as an example
of an intent, point it at an article, or dismiss it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.db import as_utc, utcnow
from bot.errors import Refused
from bot.kb.hospital import current_values
from bot.kb.tables import Article
from bot.kb.topics import intent_for_slug
from bot.language import LANGUAGES, as_language, detect_language
from bot.privacy import conversation_ref
from bot.safety.redact import PLACEHOLDER, function_words, redact
from bot.staff.audit import record
from bot.staff.tables import InboxCursor, InboxItem, InboxSighting
from bot.staff.tracker_store import BadTurn, bad_turns, read_events, source_name
from bot.training.examples import add_example
from bot.training.tables import TrainingExample
from bot.trials.tables import TrialLocation

MAX_TEXT_CHARS = 500  # longer messages are cut: the start says what they were about
SIMILARITY = 0.6  # token Jaccard of two group keys for them to be listed together
UNKNOWN_LANGUAGE = "?"  # how staff see, and filter, a message whose language is not known
_PLACE_SETTINGS = ("hospital_name", "hospital_country", "trial_site_names")


class InboxError(Refused):
    """An inbox action that cannot be done; the message says why."""


@dataclass
class SyncReport:
    """What one sync found."""

    events_read: int = 0
    added: int = 0
    repeated: int = 0


@dataclass
class InboxGroup:
    """Open items close enough to be handled together."""

    items: list[InboxItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many times patients sent these messages."""
        return sum(item.count for item in self.items)

    @property
    def last_seen(self) -> dt.datetime:
        """The latest time one of them was sent."""
        return max(item.last_seen for item in self.items)

    @property
    def reasons(self) -> list[str]:
        """The reasons, most frequent first."""
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.reason] = counts.get(item.reason, 0) + item.count
        return sorted(counts, key=lambda r: -counts[r])


def known_terms(session: Session) -> list[str]:
    """Words redaction must keep: the KB's terms and titles, trial cities, the hospital."""
    articles = session.scalars(select(Article)).all()
    terms = [t for a in articles for words in (a.terms or {}).values() for t in words]
    terms += [a.title for a in articles]
    terms += [v for k, v in current_values(session).items() if k in _PLACE_SETTINGS]
    terms += [c for c in session.scalars(select(TrialLocation.city).distinct()) if c]
    return terms


def message_language(turn: BadTurn) -> str | None:
    """The language of a message: as the conversation knew it, else detected, else None.

    Detection reads the raw text in memory only (it is never stored unredacted).
    """
    if turn.language is not None:
        return turn.language
    return detect_language(turn.text)


def group_key(redacted: str) -> str:
    """Normalised content words, sorted: near-identical questions share a key."""
    function = function_words()
    words = {
        w[:-1] if w.endswith("s") and len(w) > 3 else w
        for w in re.findall(r"[^\W_]+", PLACEHOLDER.sub(" ", redacted.lower()))
        if w not in function
    }
    return " ".join(sorted(words))[:200]


def sync(
    session: Session,
    tracker_store_url: str,
    *,
    key: str,
    actor: str | None = None,
) -> SyncReport:
    """Read new events from Rasa's store into the inbox (in `session`'s transaction).

    Args:
        session: the knowledge-base session the items are added in.
        tracker_store_url: Rasa's store.
        actor: the staff member who asked; None for the command line.
        key: the secret key: each message's conversation reference is kept beside its
            item, so `forget_conversation` can find that person's copies.

    Raises:
        TrackerStoreUnavailable: the store cannot be read; the cursor is unchanged.
    """
    source = source_name(tracker_store_url)
    cursor = session.get(InboxCursor, source) or InboxCursor(source=source, last_event_id=0)
    report = SyncReport()
    last_id = cursor.last_event_id

    def counted(events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal last_id
        for event in events:
            report.events_read += 1
            last_id = max(last_id, int(event["id"]))
            yield event

    turns = list(bad_turns(counted(read_events(tracker_store_url, cursor.last_event_id))))
    keep = known_terms(session) if turns else []
    for turn in turns:
        language = message_language(turn)  # known before redaction, which may read it
        redacted = redact(turn.text[: MAX_TEXT_CHARS * 2], keep, language=language)[
            :MAX_TEXT_CHARS
        ].strip()
        if not redacted:
            continue
        item = session.scalars(
            select(InboxItem).where(
                InboxItem.text == redacted,
                InboxItem.status == "open",
                InboxItem.language.is_(None)
                if language is None
                else InboxItem.language == language,
            )
        ).first()
        if item is not None:
            item.count += 1
            item.last_seen = max(as_utc(item.last_seen), turn.at)
            report.repeated += 1
        else:
            item = InboxItem(
                text=redacted,
                group_key=group_key(redacted),
                reason=turn.reason,
                intent=turn.intent,
                confidence=turn.confidence,
                language=language,
                first_seen=turn.at,
                last_seen=turn.at,
            )
            session.add(item)
            session.flush()  # a repeat later in the same batch finds this one
            report.added += 1
        ref = conversation_ref(turn.sender_id, key)
        session.add(InboxSighting(item_id=item.id, conversation_ref=ref, seen_at=turn.at))
    cursor.last_event_id = last_id
    session.merge(cursor)
    record(
        session,
        actor,
        "inbox.sync",
        source,
        {"events": report.events_read, "added": report.added, "repeated": report.repeated},
    )
    return report


def open_groups(
    session: Session, reason: str | None = None, language: str | None = None
) -> list[InboxGroup]:
    """Open items grouped with their near-duplicates, biggest groups first.

    A group holds messages of one language only (an unknown language is its own), so
    teaching a group teaches one language's examples.

    Args:
        session: the knowledge-base database.
        reason: only the items of this reason; None for every reason.
        language: only the items of this language ("?" for the unknown); None for all.
    """
    stmt = select(InboxItem).where(InboxItem.status == "open")
    if reason:
        stmt = stmt.where(InboxItem.reason == reason)
    if language == UNKNOWN_LANGUAGE:
        stmt = stmt.where(InboxItem.language.is_(None))
    elif language:
        stmt = stmt.where(InboxItem.language == language)
    items = sorted(session.scalars(stmt), key=lambda i: (-i.count, i.id))
    groups: list[tuple[str | None, set[str], InboxGroup]] = []
    for item in items:
        words = set(item.group_key.split())
        for group_language, key, group in groups:
            if group_language == item.language and _jaccard(words, key) >= SIMILARITY:
                group.items.append(item)
                break
        else:
            groups.append((item.language, words, InboxGroup([item])))
    return sorted((g for *_, g in groups), key=lambda g: (-g.count, -g.last_seen.timestamp()))


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _open_items(session: Session, item_ids: Sequence[int]) -> list[InboxItem]:
    if not item_ids:
        raise InboxError("Choose at least one message.")
    items = list(session.scalars(select(InboxItem).where(InboxItem.id.in_(list(item_ids)))))
    if len(items) != len(set(item_ids)) or any(i.status != "open" for i in items):
        raise InboxError("Some of these messages were already handled; reload the inbox.")
    return items


def _resolve(items: Iterable[InboxItem], state: str, resolution: str | None, actor: str) -> None:
    now = utcnow()
    for item in items:
        item.status, item.resolution = state, resolution
        item.resolved_by, item.resolved_at = actor, now


def _languages(items: Sequence[InboxItem], language: str | None) -> dict[int, str]:
    """Each item's example language: its own, else the one staff chose for it.

    Raises:
        InboxError: an item's language is unknown and staff chose none.
    """
    chosen = as_language(language) if language else None
    languages = {}
    for item in items:
        found = as_language(item.language) or chosen
        if found is None:
            raise InboxError(
                "The language of some of these messages is not known: say which language "
                f"they are in ({', '.join(LANGUAGES)})."
            )
        languages[item.id] = found
    return languages


def _add_examples(
    session: Session,
    items: Sequence[InboxItem],
    intent: str,
    intents: Sequence[str],
    *,
    actor: str,
    language: str | None,
) -> None:
    """Each item's text as an example of `intent` in the item's language."""
    languages = _languages(items, language)
    for item in items:
        add_example(
            session,
            item.text,
            intent,
            intents,
            actor=actor,
            inbox_item_id=item.id,
            language=languages[item.id],
        )


def teach(
    session: Session,
    item_ids: Sequence[int],
    intent: str,
    known_intents: Iterable[str],
    *,
    actor: str,
    language: str | None = None,
) -> int:
    """Add each item's text as a training example of `intent`; return how many.

    Each example is in its message's language (French messages teach French examples of
    the same model); `language` is only for messages whose language is not known.

    Raises:
        InboxError: an item is already handled, or its language is unknown and not given.
        bot.training.examples.ExampleError: the intent is not in the domain, or a text
            cannot be an example.
    """
    items = _open_items(session, item_ids)
    _add_examples(session, items, intent, list(known_intents), actor=actor, language=language)
    _resolve(items, "taught", intent, actor)
    record(session, actor, "inbox.teach", intent, {"items": sorted(i.id for i in items)})
    return len(items)


def point(
    session: Session,
    item_ids: Sequence[int],
    slug: str,
    known_intents: Iterable[str],
    *,
    actor: str,
    language: str | None = None,
) -> int:
    """Teach the items as examples of the intent that answers article `slug`.

    Examples are in their messages' languages, as with `teach`.

    Raises:
        InboxError: no such article, no intent answers it, an item is handled, or its
            language is unknown and not given.
    """
    if session.scalars(select(Article.id).where(Article.slug == slug)).first() is None:
        raise InboxError(f"There is no article {slug!r}.")
    intent = intent_for_slug(slug)
    intents = list(known_intents)
    if intent not in intents:
        raise InboxError(f"No intent answers the article {slug!r} yet; choose another one.")
    items = _open_items(session, item_ids)
    _add_examples(session, items, intent, intents, actor=actor, language=language)
    _resolve(items, "pointed", slug, actor)
    record(session, actor, "inbox.point", slug, {"items": sorted(i.id for i in items)})
    return len(items)


def dismiss(session: Session, item_ids: Sequence[int], *, actor: str) -> int:
    """Close the items without teaching anything; return how many."""
    items = _open_items(session, item_ids)
    _resolve(items, "dismissed", None, actor)
    record(session, actor, "inbox.dismiss", None, {"items": sorted(i.id for i in items)})
    return len(items)


def purge_items(session: Session, before: dt.datetime) -> int:
    """Delete the items last seen before `before`, whatever their state; return how many.

    Examples staff taught from them stay (redacted, and now linked to no item).
    """
    old = select(InboxItem.id).where(InboxItem.last_seen < before)
    session.execute(delete(InboxSighting).where(InboxSighting.seen_at < before))
    return _delete_items(session, old)


def forget_conversation(session: Session, ref: str) -> tuple[int, int]:
    """Remove one conversation's copies from the inbox.

    An item only this conversation sent is deleted. An item other people sent too (the
    same redacted words) stays, one time fewer: it is no longer theirs.

    Returns:
        How many items were deleted, and how many shared items were kept.
    """
    seen = dict(
        session.execute(
            select(InboxSighting.item_id, func.count())
            .where(InboxSighting.conversation_ref == ref)
            .group_by(InboxSighting.item_id)
        ).all()
    )
    if not seen:
        return 0, 0
    session.execute(delete(InboxSighting).where(InboxSighting.conversation_ref == ref))
    items = list(session.scalars(select(InboxItem).where(InboxItem.id.in_(list(seen)))))
    gone = [item.id for item in items if item.count <= seen[item.id]]
    for item in items:
        if item.id not in gone:
            item.count -= seen[item.id]
    if gone:
        _delete_items(session, select(InboxItem.id).where(InboxItem.id.in_(gone)))
    return len(gone), len(items) - len(gone)


def _delete_items(session: Session, select_ids: Select) -> int:
    """Delete the items `select_ids` selects, with their sightings; examples are unlinked."""
    ids = select_ids.scalar_subquery()
    session.execute(
        update(TrainingExample)
        .where(TrainingExample.inbox_item_id.in_(ids))
        .values(inbox_item_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(InboxSighting)
        .where(InboxSighting.item_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        delete(InboxItem).where(InboxItem.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return result.rowcount
