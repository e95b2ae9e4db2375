"""The inbox: patient messages the assistant did not answer well, read from Rasa's store.

`sync` reads Rasa's SQL tracker store (table `events`, one row per event, written by
`rasa.core.tracker_store.SQLTrackerStore`) from where it stopped last time, keeps the
user messages that ended badly, redacts them and stores them as `InboxItem`s. Neither
the raw text nor the conversation id is ever stored. Staff then teach each item as an
example of an intent, point it at an article, or dismiss it.

Rasa saves a whole turn (the message, the actions and the replies) in one commit after
the turn, so every user message read here already has its replies beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.answers import HOSPITAL_DEFAULTS
from bot.audit import record
from bot.kb_store import hospital_values
from bot.models import Article
from bot.redact import function_words, redact
from bot.staff_models import InboxCursor, InboxItem
from bot.topics import intent_for_slug
from bot.training_examples import add_example
from bot.trial_models import TrialLocation

NOT_UNDERSTOOD = "not_understood"
OUT_OF_SCOPE = "out_of_scope"
LOW_CONFIDENCE = "low_confidence"
REASONS = {
    NOT_UNDERSTOOD: "Not understood",
    OUT_OF_SCOPE: "Out of scope",
    LOW_CONFIDENCE: "Unsure of the topic",
}
# config.yml's FallbackClassifier turns any intent under 0.6 into `nlu_fallback`
# (not understood). Between 0.6 and this the assistant answered, but DIET's
# confidence was low enough that the topic may be wrong: worth a look by staff.
LOW_CONFIDENCE_BELOW = 0.8
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
NOT_UNDERSTOOD_SLUG = "not-understood"
MAX_TEXT_CHARS = 500  # longer messages are cut: the start says what they were about
SIMILARITY = 0.6  # token Jaccard of two group keys for them to be listed together
_BATCH = 2000
_PLACE_SETTINGS = ("hospital_name", "hospital_country", "trial_site_names")
_STATES = {"taught": "Added as example", "pointed": "Pointed to article", "dismissed": "Dismissed"}


class InboxError(ValueError):
    """An inbox action that cannot be done; the message says why."""


class TrackerStoreUnavailable(RuntimeError):
    """Rasa's conversation store cannot be read; nothing was changed."""


@dataclass(frozen=True)
class BadTurn:
    """One user message that ended badly (text still raw: redact before storing)."""

    event_id: int
    text: str
    reason: str
    intent: str | None
    confidence: float | None
    at: dt.datetime


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


def source_name(tracker_store_url: str) -> str:
    """The cursor key of a tracker store: its URL without the password."""
    try:
        return make_url(tracker_store_url).render_as_string(hide_password=True)[:200]
    except Exception:  # noqa: BLE001 - a malformed URL is reported by `read_events`
        return tracker_store_url.split("@")[-1][:200]


def read_events(tracker_store_url: str, after_id: int) -> Iterator[dict[str, Any]]:
    """Yield the tracker store's events with an id above `after_id`, oldest first.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    try:
        url = make_url(tracker_store_url)
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            raise TrackerStoreUnavailable(
                f"Rasa's conversation store {source_name(tracker_store_url)} does not exist "
                "yet. Start the assistant (make run) or set TRACKER_STORE_URL."
            )
        engine = create_engine(url, future=True)
    except TrackerStoreUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - any bad URL is the same problem to staff
        raise TrackerStoreUnavailable(f"TRACKER_STORE_URL is not usable: {error}") from error
    query = text(
        "SELECT id, sender_id, type_name, timestamp, data FROM events "
        "WHERE id > :after ORDER BY id LIMIT :size"
    )
    try:
        with engine.connect() as connection:
            last = after_id
            while True:
                rows = connection.execute(query, {"after": last, "size": _BATCH}).all()
                for row in rows:
                    last = row.id
                    yield dict(row._mapping)
                if len(rows) < _BATCH:
                    return
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(
            f"Cannot read Rasa's conversation store {source_name(tracker_store_url)}: "
            f"{type(error).__name__}. Check that it is running and TRACKER_STORE_URL."
        ) from error
    finally:
        engine.dispose()


def bad_turns(events: Iterable[dict[str, Any]]) -> Iterator[BadTurn]:
    """Yield the user messages whose turn ended badly, in event order.

    A turn is a user event and the events of the same conversation up to the next
    user event. Button payloads ("/intent") and empty messages are skipped, and so
    are answers inside a form (the form asks its own questions).
    """
    open_turns: dict[str, dict[str, Any]] = {}
    for event in events:
        sender = event["sender_id"]
        data = _json(event["data"])
        if event["type_name"] == "user":
            if sender in open_turns:
                yield from _judge(open_turns.pop(sender))
            open_turns[sender] = {"id": event["id"], "data": data, "slugs": [], "actions": []}
        elif sender in open_turns and event["type_name"] == "bot":
            custom = (data.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get("kb_article"):
                open_turns[sender]["slugs"].append(custom["kb_article"])
        elif sender in open_turns and event["type_name"] == "action":
            open_turns[sender]["actions"].append(str(data.get("name") or ""))
    for turn in open_turns.values():
        yield from _judge(turn)


def _json(raw: object) -> dict[str, Any]:
    try:
        data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _judge(turn: dict[str, Any]) -> Iterator[BadTurn]:
    data = turn["data"]
    message = str(data.get("text") or "").strip()
    if not message or message.startswith("/"):
        return
    parse = data.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    confidence = (parse.get("intent") or {}).get("confidence")
    in_form = any(action.endswith("_form") for action in turn["actions"])
    if intent == OUT_OF_SCOPE_INTENT:
        reason = OUT_OF_SCOPE
    elif intent == FALLBACK_INTENT or NOT_UNDERSTOOD_SLUG in turn["slugs"]:
        reason = NOT_UNDERSTOOD
        if intent == FALLBACK_INTENT:  # the classifier's own best guess is next in line
            guess = next(
                (r for r in parse.get("intent_ranking") or [] if r.get("name") != intent), {}
            )
            intent, confidence = guess.get("name"), guess.get("confidence")
    elif confidence is not None and confidence < LOW_CONFIDENCE_BELOW and not in_form:
        reason = LOW_CONFIDENCE
    else:
        return
    timestamp = float(data.get("timestamp") or 0)
    yield BadTurn(
        turn["id"],
        message,
        reason,
        intent,
        float(confidence) if confidence is not None else None,
        dt.datetime.fromtimestamp(timestamp, dt.timezone.utc),
    )


def known_terms(session: Session) -> list[str]:
    """Words redaction must keep: the KB's terms and titles, trial cities, the hospital."""
    articles = session.scalars(select(Article)).all()
    terms = [t for a in articles for words in (a.terms or {}).values() for t in words]
    terms += [a.title for a in articles]
    terms += [
        v
        for k, v in {**HOSPITAL_DEFAULTS, **hospital_values(session)}.items()
        if k in _PLACE_SETTINGS
    ]
    terms += [c for c in session.scalars(select(TrialLocation.city).distinct()) if c]
    return terms


def group_key(redacted: str) -> str:
    """Normalised content words, sorted: near-identical questions share a key."""
    function = function_words()
    words = {
        w[:-1] if w.endswith("s") and len(w) > 3 else w
        for w in re.findall(r"[^\W_]+", _PLACEHOLDERS.sub(" ", redacted.lower()))
        if w not in function
    }
    return " ".join(sorted(words))[:200]


_PLACEHOLDERS = re.compile(r"\[(?:email|link|phone|date|number|name)\]")


def sync(session: Session, tracker_store_url: str, *, actor: str | None = None) -> SyncReport:
    """Read new events from Rasa's store into the inbox (in `session`'s transaction).

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
        redacted = redact(turn.text[: MAX_TEXT_CHARS * 2], keep)[:MAX_TEXT_CHARS].strip()
        if not redacted:
            continue
        item = session.scalars(
            select(InboxItem).where(InboxItem.text == redacted, InboxItem.status == "open")
        ).first()
        if item is not None:
            item.count += 1
            item.last_seen = max(_aware(item.last_seen), turn.at)
            report.repeated += 1
            continue
        session.add(
            InboxItem(
                text=redacted,
                group_key=group_key(redacted),
                reason=turn.reason,
                intent=turn.intent,
                confidence=turn.confidence,
                first_seen=turn.at,
                last_seen=turn.at,
            )
        )
        session.flush()  # a repeat later in the same batch finds this one
        report.added += 1
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


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def open_groups(session: Session, reason: str | None = None) -> list[InboxGroup]:
    """Open items grouped with their near-duplicates, biggest groups first."""
    stmt = select(InboxItem).where(InboxItem.status == "open")
    if reason:
        stmt = stmt.where(InboxItem.reason == reason)
    items = sorted(session.scalars(stmt), key=lambda i: (-i.count, i.id))
    groups: list[tuple[set[str], InboxGroup]] = []
    for item in items:
        words = set(item.group_key.split())
        for key, group in groups:
            if _jaccard(words, key) >= SIMILARITY:
                group.items.append(item)
                break
        else:
            groups.append((words, InboxGroup([item])))
    return sorted((g for _, g in groups), key=lambda g: (-g.count, -g.last_seen.timestamp()))


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
    now = dt.datetime.now(dt.timezone.utc)
    for item in items:
        item.status, item.resolution = state, resolution
        item.resolved_by, item.resolved_at = actor, now


def teach(
    session: Session,
    item_ids: Sequence[int],
    intent: str,
    known_intents: Iterable[str],
    *,
    actor: str,
) -> int:
    """Add each item's text as a training example of `intent`; return how many.

    Raises:
        InboxError: an item is already handled.
        bot.training_examples.ExampleError: the intent is not in the domain, or a text
            cannot be an example.
    """
    items = _open_items(session, item_ids)
    intents = list(known_intents)
    for item in items:
        add_example(session, item.text, intent, intents, actor=actor, inbox_item_id=item.id)
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
) -> int:
    """Teach the items as examples of the intent that answers article `slug`.

    Raises:
        InboxError: no such article, no intent answers it, or an item is handled.
    """
    if session.scalars(select(Article.id).where(Article.slug == slug)).first() is None:
        raise InboxError(f"There is no article {slug!r}.")
    intent = intent_for_slug(slug)
    intents = list(known_intents)
    if intent not in intents:
        raise InboxError(f"No intent answers the article {slug!r} yet; choose another one.")
    items = _open_items(session, item_ids)
    for item in items:
        add_example(session, item.text, intent, intents, actor=actor, inbox_item_id=item.id)
    _resolve(items, "pointed", slug, actor)
    record(session, actor, "inbox.point", slug, {"items": sorted(i.id for i in items)})
    return len(items)


def dismiss(session: Session, item_ids: Sequence[int], *, actor: str) -> int:
    """Close the items without teaching anything; return how many."""
    items = _open_items(session, item_ids)
    _resolve(items, "dismissed", None, actor)
    record(session, actor, "inbox.dismiss", None, {"items": sorted(i.id for i in items)})
    return len(items)


def state_label(state: str) -> str:
    """A readable name for an item's state."""
    return _STATES.get(state, "Open")
