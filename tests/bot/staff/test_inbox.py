"""The inbox read from a real tracker store written by Rasa's own SQLTrackerStore."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.core.events import ActionExecuted
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.store import ArticleStore
from bot.kb.topics import REQUIRED_SLUGS, domain_intents, with_topic_intents
from bot.settings import PROJECT_ROOT
from bot.staff.inbox import InboxError, dismiss, group_key, open_groups, point, sync, teach
from bot.staff.tables import AuditEvent, InboxCursor, InboxItem
from bot.staff.tracker_store import (
    LOW_CONFIDENCE,
    LOW_CONFIDENCE_BELOW,
    NOT_UNDERSTOOD,
    OUT_OF_SCOPE,
    TrackerStoreUnavailable,
    source_name,
)
from bot.training.tables import TrainingExample
from tests.support.tracker_store import turn, write_conversation

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")

# Topic intents are generated from the articles at training; the required ones always.
INTENTS = with_topic_intents(domain_intents(PROJECT_ROOT / "domain.yml"), REQUIRED_SLUGS) or []


@pytest.fixture
def tracker_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'conversations.db'}"


@pytest.fixture
def conversations(tmp_path: Path) -> Path:
    path = tmp_path / "conversations.db"
    write_conversation(
        path,
        "patient-1",
        [ActionExecuted("action_listen")],
        turn("what is immunotherapy", "ask_immunotherapy_basics", 0.98),
        turn("who won the football yesterday", "out_of_scope", 0.93),
        turn(
            "blorp fizz wug",
            "nlu_fallback",
            0.6,
            slug="not-understood",
            ranking=[("nlu_fallback", 0.6), ("ask_cancer_vaccines", 0.31)],
        ),
        turn("/ask_types_overview", "ask_types_overview", 1.0),
        turn("", "nlu_fallback", 0.6, slug="not-understood"),
    )
    write_conversation(
        path,
        "patient-2",
        turn(
            "hi my name is Marie Dupont, marie.dupont@gmail.com, call 06 12 34 56 78 "
            "about how long does immunotherapy last",
            "ask_treatment_course",
            0.66,
        ),
        turn("how long does immunotherapy last for??", "ask_treatment_course", 0.7),
        turn("and with CAR-T?", "follow_up", 0.9, slug="not-understood"),
        turn("lung cancer", "inform", 0.4, actions=("trial_search_form",)),
    )
    return path


def items(session: Session) -> dict[str, InboxItem]:
    return {i.text: i for i in session.scalars(select(InboxItem))}


def test_each_reason_is_found_and_good_answers_buttons_and_forms_are_not(
    session_factory: sessionmaker[Session],
    store: ArticleStore,
    conversations: Path,
    tracker_url: str,
) -> None:
    with session_factory.begin() as session:
        report = sync(session, tracker_url, key="k" * 64)
    assert report.added == 5
    with session_factory() as session:
        found = items(session)
    assert found["who won the football yesterday"].reason == OUT_OF_SCOPE
    gibberish = found["blorp fizz wug"]
    assert (gibberish.reason, gibberish.intent) == (NOT_UNDERSTOOD, "ask_cancer_vaccines")
    assert gibberish.confidence == pytest.approx(0.31)
    assert found["and with CAR-T?"].reason == NOT_UNDERSTOOD  # the answer was not-understood
    assert found["how long does immunotherapy last for??"].reason == LOW_CONFIDENCE
    assert "what is immunotherapy" not in found
    assert not any(t.startswith("/") or not t for t in found)
    assert "lung cancer" not in found  # an answer to the trial search form


def test_messages_are_redacted_before_they_are_stored(
    session_factory: sessionmaker[Session],
    store: ArticleStore,
    conversations: Path,
    tracker_url: str,
) -> None:
    with session_factory.begin() as session:
        sync(session, tracker_url, key="k" * 64)
    with session_factory() as session:
        stored = " ".join(
            str(value)
            for row in session.execute(text("SELECT * FROM inbox_item")).all()
            for value in row
        )
        assert "[name]" in stored and "[email]" in stored and "[phone]" in stored
        for secret in ("Marie", "Dupont", "marie.dupont", "gmail", "06 12", "patient-2"):
            assert secret not in stored
        assert "immunotherapy" in stored and "CAR-T" in stored  # the question stays readable
        audit = " ".join(str(e.detail) for e in session.scalars(select(AuditEvent)))
        assert "Marie" not in audit and "patient" not in audit


def test_a_second_sync_adds_nothing_and_repeats_count_on_one_item(
    session_factory: sessionmaker[Session],
    store: ArticleStore,
    conversations: Path,
    tracker_url: str,
) -> None:
    with session_factory.begin() as session:
        sync(session, tracker_url, key="k" * 64)
    with session_factory.begin() as session:
        again = sync(session, tracker_url, key="k" * 64)
    assert (again.events_read, again.added, again.repeated) == (0, 0, 0)
    write_conversation(
        conversations, "patient-3", turn("who won the football yesterday", "out_of_scope", 0.9)
    )
    with session_factory.begin() as session:
        later = sync(session, tracker_url, key="k" * 64)
    assert (later.added, later.repeated) == (0, 1)
    with session_factory() as session:
        assert items(session)["who won the football yesterday"].count == 2
        cursor = session.get(InboxCursor, source_name(tracker_url))
        assert cursor is not None and cursor.last_event_id > 0


def test_near_duplicates_are_listed_together(
    session_factory: sessionmaker[Session],
    store: ArticleStore,
    conversations: Path,
    tracker_url: str,
) -> None:
    write_conversation(
        conversations,
        "patient-4",
        turn("how long does immunotherapy last", "ask_treatment_course", 0.7),
    )
    assert group_key("how long does immunotherapy last") == group_key(
        "How long does immunotherapy last for??"
    )
    with session_factory.begin() as session:
        sync(session, tracker_url, key="k" * 64)
    with session_factory() as session:
        groups = open_groups(session)
        together = next(g for g in groups if len(g.items) > 1)
        texts = {i.text for i in together.items}
        assert "how long does immunotherapy last" in texts
        assert "how long does immunotherapy last for??" in texts
        assert "who won the football yesterday" not in texts
        only_scope = open_groups(session, OUT_OF_SCOPE)
        assert [i.reason for g in only_scope for i in g.items] == [OUT_OF_SCOPE]


def test_an_unreachable_store_changes_nothing(
    session_factory: sessionmaker[Session], store: ArticleStore, tmp_path: Path
) -> None:
    for url in (
        f"sqlite:///{tmp_path / 'missing.db'}",
        "postgresql://rasa:secret@127.0.0.1:9/rasa",
        "not a url",
    ):
        with pytest.raises(TrackerStoreUnavailable) as raised:
            with session_factory.begin() as session:
                sync(session, url, key="k" * 64)
        assert "secret" not in str(raised.value)
    assert not (tmp_path / "missing.db").exists()
    with session_factory() as session:
        assert session.scalars(select(InboxCursor)).all() == []
        assert session.scalars(select(AuditEvent)).all() == []


def test_teach_point_and_dismiss_resolve_items_with_an_audit_event(
    session_factory: sessionmaker[Session],
    store: ArticleStore,
    conversations: Path,
    tracker_url: str,
) -> None:
    with session_factory.begin() as session:
        sync(session, tracker_url, key="k" * 64)
    with session_factory.begin() as session:
        found = items(session)
        group = [found["how long does immunotherapy last for??"].id]
        # These conversations never said their language: staff say it for them.
        taught = teach(
            session, group, "ask_treatment_course", INTENTS, actor="eddie", language="en"
        )
        assert taught == 1
        car_t = [found["and with CAR-T?"].id]
        point(session, car_t, "car-t-cells", INTENTS, actor="eddie", language="en")
        dismiss(session, [found["who won the football yesterday"].id], actor="eddie")
    with session_factory() as session:
        examples = {(e.text, e.intent) for e in session.scalars(select(TrainingExample))}
        assert examples == {
            ("how long does immunotherapy last for??", "ask_treatment_course"),
            ("and with CAR-T?", "ask_car_t_cells"),
        }
        open_texts = {i.text for g in open_groups(session) for i in g.items}
        assert "who won the football yesterday" not in open_texts
        assert "and with CAR-T?" not in open_texts
        actions = [e.action for e in session.scalars(select(AuditEvent))]
        assert {"inbox.teach", "inbox.point", "inbox.dismiss", "example.add"} <= set(actions)
        with pytest.raises(InboxError):
            dismiss(session, group, actor="eddie")  # already handled
        with pytest.raises(InboxError):
            point(session, [found["blorp fizz wug"].id], "no-such-article", INTENTS, actor="e")


def test_each_message_keeps_its_language_from_the_metadata_else_the_slot(
    session_factory: sessionmaker[Session], store: ArticleStore, tmp_path: Path, tracker_url: str
) -> None:
    path = tmp_path / "conversations.db"
    write_conversation(  # the page's switch: every message carries it
        path,
        "patient-fr",
        turn("c'est quoi un essai", "out_of_scope", 0.9, metadata={"language": "fr"}),
    )
    write_conversation(  # detected at the first message: the action sets the slot
        path,
        "patient-fr-2",
        turn("combien de temps dure le traitement", "ask_treatment_course", 0.5,
             slots={"language": "fr"}),
        turn("et pour les CAR-T", "ask_car_t_cells", 0.5),
    )  # fmt: skip
    write_conversation(
        path,
        "patient-en",
        turn("who won the football", "out_of_scope", 0.9, metadata={"language": "en"}),
        turn("what about the weather", "out_of_scope", 0.9),
    )
    with session_factory.begin() as session:
        sync(session, tracker_url, key="k" * 64)
    with session_factory() as session:
        languages = {text: item.language for text, item in items(session).items()}
    assert languages == {
        "c'est quoi un essai": "fr",
        "combien de temps dure le traitement": "fr",
        "et pour les CAR-T": "fr",
        "who won the football": "en",
        "what about the weather": "en",  # the conversation never said: detected
    }


def test_teaching_a_french_message_adds_a_french_example_and_groups_keep_one_language(
    session_factory: sessionmaker[Session], store: ArticleStore
) -> None:
    with session_factory.begin() as session:
        french = InboxItem(
            text="combien de temps dure l'immunothérapie",
            group_key="combien dure immunothérapie temps",
            reason="low_confidence",
            language="fr",
        )
        english = InboxItem(
            text="immunothérapie combien dure temps",  # same words, another language
            group_key="combien dure immunothérapie temps",
            reason="low_confidence",
            language="en",
        )
        unknown = InboxItem(text="durée", group_key="durée", reason="not_understood")
        session.add_all([french, english, unknown])
    with session_factory.begin() as session:
        groups = open_groups(session)
        assert sorted([str(i.language) for i in g.items] for g in groups) == [
            ["None"],
            ["en"],
            ["fr"],
        ]
        assert [i.text for g in open_groups(session, language="?") for i in g.items] == ["durée"]
        with pytest.raises(InboxError, match="language"):
            teach(session, [unknown.id], "ask_treatment_course", INTENTS, actor="eddie")
        # A language given for the unknown one does not change the French one's.
        ids = [french.id, unknown.id]
        teach(session, ids, "ask_treatment_course", INTENTS, actor="eddie", language="en")
    with session_factory() as session:
        taught = {e.text: e.language for e in session.scalars(select(TrainingExample))}
    assert taught == {"combien de temps dure l'immunothérapie": "fr", "durée": "en"}


def test_low_confidence_threshold_sits_above_the_fallback_threshold() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    assert fallback["threshold"] < LOW_CONFIDENCE_BELOW < 1
