"""Retention and a person's requests, on a real tracker store written by Rasa itself."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.privacy import conversation_ref
from bot.settings import Settings, SettingsError
from bot.staff.conversations import (
    ConversationNotFound,
    delete_conversation,
    export_conversation,
    find_conversation,
    purge,
)
from bot.staff.inbox import sync
from bot.staff.tables import AuditEvent, InboxItem, InboxSighting
from bot.staff.tracker_store import conversation_events, delete_conversations, sender_ids
from bot.training.tables import TrainingExample
from tests.support.tracker_store import turn, write_conversation

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")

KEY = "k" * 64
DAY = 24 * 3600
OLD = time.time() - 100 * DAY  # older than the default retention of 90 days
RECENT = time.time() - 2 * DAY


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Three conversations: one idle for 100 days, one recent, one old but still going."""
    path = tmp_path / "conversations.db"
    write_conversation(
        path,
        "old-patient",
        turn("my name is Marie Dupont, does Keytruda cause rash", "ask_side_effects", 0.95, at=OLD),
        turn("who won the football", "out_of_scope", 0.9, at=OLD + 60),
    )
    write_conversation(
        path,
        "recent-patient",
        turn("what is CAR-T", "ask_car_t_cells", 0.97, slug="car-t-cells", at=RECENT),
        turn("who won the football", "out_of_scope", 0.9, at=RECENT + 60),
        turn("blorp fizz wug", "nlu_fallback", 0.5, slug="not-understood", at=RECENT + 120),
    )
    write_conversation(
        path,
        "long-patient",
        turn("what is immunotherapy", "ask_immunotherapy_basics", 0.98, at=OLD),
        turn("and vaccines?", "ask_cancer_vaccines", 0.96, at=RECENT),
    )
    return path


@pytest.fixture
def store_url(store_path: Path) -> str:
    return f"sqlite:///{store_path}"


def senders(store_url: str) -> set[str]:
    return set(sender_ids(store_url))


def audit(session: Session, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(session.scalars(stmt))


def test_retention_setting_defaults_to_90_days_and_refuses_nonsense(tmp_path: Path) -> None:
    assert Settings.from_env({}, root=tmp_path).conversation_retention_days == 90
    env = {"CONVERSATION_RETENTION_DAYS": "30"}
    assert Settings.from_env(env, root=tmp_path).conversation_retention_days == 30
    for bad in ("0", "-5", "ninety", "1.5"):
        with pytest.raises(SettingsError, match="CONVERSATION_RETENTION_DAYS"):
            Settings.from_env({"CONVERSATION_RETENTION_DAYS": bad}, root=tmp_path)


def test_purge_deletes_idle_conversations_keeps_active_ones_whole_and_audits_counts(
    session_factory: sessionmaker[Session], store_url: str
) -> None:
    with session_factory.begin() as session:
        sync(session, store_url, key=KEY)  # the football question: old and recent copies
        session.add(TrainingExample(text="old example", intent="out_of_scope", added_by="x"))
    with session_factory() as session:
        assert session.scalar(select(InboxItem.count).where(InboxItem.text.like("%football%")))
    with session_factory.begin() as session:
        old_item = InboxItem(text="an old one", group_key="old one", reason="out_of_scope")
        old_item.first_seen = old_item.last_seen = dt.datetime.fromtimestamp(OLD, dt.timezone.utc)
        session.add(old_item)
        session.flush()
        example = session.scalars(select(TrainingExample)).one()
        example.inbox_item_id = old_item.id
    with session_factory.begin() as session:
        report = purge(session, store_url, 90)
    assert (report.conversations, report.inbox_items) == (1, 1)
    assert report.events > 4
    with session_factory() as session:
        assert senders(store_url) == {"recent-patient", "long-patient"}
        # The conversation still going on keeps its old first turn.
        texts = [e["data"].get("text") for e in conversation_events(store_url, "long-patient")]
        assert "what is immunotherapy" in texts
        assert (
            session.scalars(select(InboxItem.text).where(InboxItem.text == "an old one")).all()
            == []
        )
        assert (
            session.scalars(select(TrainingExample)).one().inbox_item_id is None
        )  # kept, unlinked
        (event,) = audit(session, "conversations.purge")
        assert event.detail == {
            "retention_days": 90,
            "conversations": 1,
            "events": report.events,
            "inbox_items": 1,
        }
        assert event.target is None
    with session_factory.begin() as session:
        again = purge(session, store_url, 90)
    assert (again.conversations, again.events, again.inbox_items) == (0, 0, 0)


def test_purge_without_a_tracker_store_yet_still_purges_the_inbox(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory.begin() as session:
        report = purge(session, f"sqlite:///{tmp_path / 'not-yet.db'}", 90)
    assert (report.conversations, report.events) == (0, 0)
    assert not (tmp_path / "not-yet.db").exists()  # no empty store created either


def test_purge_of_a_database_where_rasa_has_not_made_its_table_yet(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a server database exists before Rasa's first start
    with session_factory.begin() as session:
        report = purge(session, f"sqlite:///{empty}", 90)
    assert (report.conversations, report.events) == (0, 0)


@pytest.mark.parametrize("by", ["id", "ref", "REF"])
def test_export_by_id_or_by_the_reference_on_the_page(
    session_factory: sessionmaker[Session], store_url: str, by: str
) -> None:
    ref = conversation_ref("recent-patient", KEY)
    wanted = {"id": "recent-patient", "ref": ref, "REF": f" {ref.upper()} "}[by]
    with session_factory.begin() as session:
        document = export_conversation(session, store_url, KEY, wanted)
    assert document["reference"] == ref
    said = [(m["from"], m["text"]) for m in document["messages"]]
    assert said[:2] == [("person", "what is CAR-T"), ("assistant", "An answer.")]
    assert len(said) == 6
    assert document["messages"][1]["topic"] == "car-t-cells"
    assert document["topics"] == ["car-t-cells", "x", "not-understood"]
    assert all(m["at"].endswith("+00:00") for m in document["messages"])
    with session_factory() as session:
        (event,) = audit(session, "conversation.export")
        assert (event.target, event.detail) == (ref, {"messages": 6})
        assert "recent-patient" not in str(event.detail) + str(event.target)


def test_delete_erases_the_events_and_this_persons_inbox_copies_only(
    session_factory: sessionmaker[Session], store_url: str
) -> None:
    with session_factory.begin() as session:
        sync(session, store_url, key=KEY)
    ref = conversation_ref("recent-patient", KEY)
    with session_factory() as session:
        football = session.scalars(select(InboxItem).where(InboxItem.text.like("%football%"))).one()
        assert football.count == 2  # the old patient asked it too
    with session_factory.begin() as session:
        report = delete_conversation(session, store_url, KEY, ref)
    assert (report.ref, report.inbox_items, report.inbox_shared) == (ref, 1, 1)
    assert report.events > 0
    with session_factory() as session:
        assert senders(store_url) == {"old-patient", "long-patient"}
        texts = set(session.scalars(select(InboxItem.text)))
        assert "blorp fizz wug" not in texts  # only this person sent it
        football = session.scalars(select(InboxItem).where(InboxItem.text.like("%football%"))).one()
        assert football.count == 1  # still sent by someone else: kept, counted once fewer
        refs = set(session.scalars(select(InboxSighting.conversation_ref)))
        assert ref not in refs and refs
        (event,) = audit(session, "conversation.delete")
        assert event.target == ref
        assert event.detail == {"events": report.events, "inbox_items": 1, "inbox_shared": 1}
        stored = " ".join(
            str(v) for row in session.execute(text("SELECT * FROM audit_event")) for v in row
        )
        assert "recent-patient" not in stored and "CAR-T" not in stored and "football" not in stored
    with session_factory.begin() as session, pytest.raises(ConversationNotFound):
        delete_conversation(session, store_url, KEY, ref)  # already gone: said so, not a no-op


def test_delete_by_id_and_a_purged_conversations_inbox_copies_by_reference(
    session_factory: sessionmaker[Session], store_url: str
) -> None:
    with session_factory.begin() as session:
        sync(session, store_url, key=KEY)
    with session_factory.begin() as session:
        assert delete_conversation(session, store_url, KEY, "long-patient").events > 0
    old_ref = conversation_ref("old-patient", KEY)
    delete_conversations(store_url, ["old-patient"])  # gone from Rasa's store, not the inbox
    with session_factory.begin() as session:
        report = delete_conversation(session, store_url, KEY, old_ref)
    assert report.events == 0 and report.inbox_items + report.inbox_shared >= 1


@pytest.mark.parametrize("wanted", ["nobody", "", "   ", "0123456789ab", "x" * 10_000])
def test_nothing_matching_is_refused_clearly(
    session_factory: sessionmaker[Session], store_url: str, wanted: str
) -> None:
    with session_factory.begin() as session:
        with pytest.raises(ConversationNotFound, match="No conversation matches"):
            export_conversation(session, store_url, KEY, wanted)
        with pytest.raises(ConversationNotFound, match="No conversation matches"):
            delete_conversation(session, store_url, KEY, wanted)
    assert senders(store_url) == {"old-patient", "recent-patient", "long-patient"}


def test_a_missing_store_finds_nothing(tmp_path: Path) -> None:
    assert find_conversation(f"sqlite:///{tmp_path / 'none.db'}", KEY, "recent-patient") is None


def test_an_ambiguous_reference_is_refused(store_path: Path, store_url: str) -> None:
    ref = conversation_ref("recent-patient", KEY)
    write_conversation(store_path, ref, turn("hello", "greet", 0.99))  # an id equal to a ref
    with pytest.raises(ConversationNotFound, match="matches 2 conversations"):
        find_conversation(store_url, KEY, ref)
