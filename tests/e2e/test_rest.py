"""The real Rasa server and action server, talked to over the REST webhook."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import update

from bot.db import make_engine, make_session_factory
from bot.kb.tables import Article
from bot.settings import PROJECT_ROOT
from tests.support.stack import SOCKETIO_CREDENTIALS, Stack, prepare_database, running_stack

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kb.db'}"
    prepare_database(url)
    return url


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Stack]:
    assert MODEL.exists(), "train first: make train"
    # socket.io is off by default; this module also checks that channel, so it turns it on.
    with running_stack(
        tmp_path_factory.mktemp("stack"),
        model=MODEL,
        env={"DATABASE_URL": database_url},
        credentials=SOCKETIO_CREDENTIALS,
    ) as running:
        yield running


def conversation() -> str:
    return f"it-{uuid.uuid4().hex[:12]}"


def texts(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["text"] for m in response.json() if "text" in m]


def customs(response: requests.Response) -> list[dict[str, object]]:
    return [m["custom"] for m in response.json() if "custom" in m]


def kb_article(stack: Stack, sender: str) -> str | None:
    return stack.tracker(sender)["slots"]["kb_article"]  # type: ignore[index]


def test_greeting_gives_the_disclaimer_and_sets_the_slot(stack: Stack) -> None:
    sender = conversation()
    [text] = texts(stack.say(sender, "hello"))
    assert "not personal medical advice" in text.lower() or "general information" in text.lower()
    assert kb_article(stack, sender) == "greeting"


def test_a_topic_question_is_answered_with_source_and_buttons(stack: Stack) -> None:
    sender = conversation()
    response = stack.say(sender, "what is car t cell therapy?")
    [text] = texts(response)
    assert "Source:" in text and "Last updated" in text
    [reply] = [m for m in response.json() if "text" in m]
    assert any(b["payload"] == "/ask_side_effects_car_t" for b in reply["buttons"])
    assert customs(response)[0]["kb_article"] == "car-t-cells" == kb_article(stack, sender)


def test_follow_up_and_tell_me_more_use_the_last_article(stack: Stack) -> None:
    sender = conversation()
    stack.say(sender, "what side effects can immunotherapy cause?")
    assert kb_article(stack, sender) == "side-effects-overview"
    stack.say(sender, "and with CAR-T?")
    assert kb_article(stack, sender) == "side-effects-car-t"
    [details] = texts(stack.say(sender, "tell me more"))
    assert kb_article(stack, sender) == "side-effects-car-t"
    assert details.startswith("[") is False and len(details) > 200


def test_a_button_payload_answers_its_topic(stack: Stack) -> None:
    sender = conversation()
    texts(stack.say(sender, "/ask_trial_phases"))
    assert kb_article(stack, sender) == "trial-phases"


def test_a_warning_sign_gets_the_urgent_answer(stack: Stack) -> None:
    sender = conversation()
    response = stack.say(sender, "my husband has a temperature of 39.2 since his keytruda")
    [text] = texts(response)
    assert "15" in text and "112" in text
    assert customs(response)[0]["urgent"] is True
    assert kb_article(stack, sender) == "urgent-symptoms"


def test_a_general_question_is_not_urgent(stack: Stack) -> None:
    sender = conversation()
    stack.say(sender, "can immunotherapy cause diarrhoea?")
    assert kb_article(stack, sender) == "side-effects-digestive"


KIND_QUESTION = "Do you want a certain kind of immunotherapy?"
PLACE_QUESTION = "Where should the trial take place?"


def nct_ids(replies: list[str]) -> list[str]:
    return list(dict.fromkeys(re.findall(r"NCT\d{8}", " ".join(replies))))


def test_a_trial_search_asks_only_what_it_was_not_told_and_shows_results(stack: Stack) -> None:
    sender = conversation()
    first = texts(stack.say(sender, "trials for lung cancer for my 60 year old dad"))
    assert "ClinicalTrials.gov" in first[0]  # what the search can do, from its article
    assert KIND_QUESTION in first[-1]  # cancer type and age were in the message
    assert not any("What type of cancer" in t or "How old" in t for t in first)
    assert PLACE_QUESTION in texts(stack.say(sender, "any kind"))[-1]
    response = stack.say(sender, "anywhere")
    shown = nct_ids(texts(response))
    assert shown == ["NCT06751849", "NCT06751901", "NCT05907980"]
    assert "only the trial team can decide who can join" in texts(response)[0]
    assert customs(response)[0]["kb_article"] == "trial-search" == kb_article(stack, sender)
    slots = stack.tracker(sender)["slots"]
    assert (slots["cancer_type"], slots["age"], slots["person_sex"]) == (
        "Lung cancer",
        60.0,
        "MALE",
    )


def test_a_trial_search_survives_skip_correction_questions_and_warning_signs(
    stack: Stack,
) -> None:
    sender = conversation()
    assert "What type of cancer" in texts(stack.say(sender, "/ask_trial_search"))[-1]
    assert "How old" in texts(stack.say(sender, "Leukaemia"))[-1]
    skipped = texts(stack.say(sender, "skip"))
    assert "I need the age" in skipped[0] and "How old" in skipped[-1]
    assert KIND_QUESTION in texts(stack.say(sender, "30"))[-1]
    corrected = texts(stack.say(sender, "actually he is 58"))
    assert corrected[0] == "OK, I changed the age to 58." and KIND_QUESTION in corrected[-1]
    asked = stack.say(sender, "what is CAR-T?")
    assert customs(asked)[0]["kb_article"] == "car-t-cells"
    assert KIND_QUESTION in texts(asked)[-1]  # answered, then the search resumes
    urgent = stack.say(sender, "he has a fever of 39 and is short of breath")
    assert customs(urgent)[0]["urgent"] is True
    assert KIND_QUESTION in texts(urgent)[-1]
    assert PLACE_QUESTION in texts(stack.say(sender, "CAR-T or other cell therapy"))[-1]
    results = texts(stack.say(sender, "anywhere"))
    assert sorted(nct_ids(results)) == ["NCT03937544", "NCT04272125", "NCT05164042"]
    assert stack.tracker(sender)["slots"]["age"] == 58.0
    again = texts(stack.say(sender, "are there trials for bladder cancer for my mum?"))
    assert "How old" in again[-1]  # a new search, with the new cancer type already read
    assert stack.tracker(sender)["slots"]["cancer_type"] == "Bladder cancer"


@pytest.mark.parametrize("stop", ["never mind", "/stop"])  # words, or the question's button
def test_stop_ends_the_trial_search(stack: Stack, stop: str) -> None:
    sender = conversation()
    stack.say(sender, "/ask_trial_search")
    stack.say(sender, "Lung cancer")
    assert texts(stack.say(sender, stop))[0].startswith("OK, I stopped the trial search.")
    assert not stack.tracker(sender)["active_loop"]
    stack.say(sender, "what is immunotherapy?")
    assert kb_article(stack, sender) == "immunotherapy-basics"


def test_more_trials_pages_through_the_results(stack: Stack) -> None:
    sender = conversation()
    for message in ("/ask_trial_search", "Leukaemia", "30", "any", "anywhere"):
        response = stack.say(sender, message)
    first = nct_ids(texts(response))
    assert len(first) == 3
    [reply] = [m for m in response.json() if m.get("buttons")]
    assert reply["buttons"][0]["payload"] == "/more_trials"
    more = nct_ids(texts(stack.say(sender, "/more_trials")))
    assert len(more) == 3 and set(more).isdisjoint(first)


def test_a_staff_edit_shows_on_the_next_message_without_retraining(
    stack: Stack, database_url: str
) -> None:
    with make_session_factory(make_engine(database_url)).begin() as session:
        session.execute(
            update(Article).where(Article.slug == "thanks").values(answer="Edited by staff.")
        )
    assert texts(stack.say(conversation(), "thank you so much"))[0].startswith("Edited by staff.")


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 10_000,  # cut to 2,000 characters by the channel
        "\x00\x01\x02\ufffd binary \xff\xfe",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "🤒😷💊",
        "Bonjour, qu'est-ce que l'immunothérapie ?",
        "¿Qué es la inmunoterapia?",
        "/greet",
        '/ask_car_t_cells{"kb_article": "<b>x</b>"}',
        "/no_such_intent",
        '/report_urgent_symptom{"broken":',
        None,
        12345,
        ["a", "list"],
    ],
)
def test_odd_input_gets_a_sensible_reply_never_an_error(stack: Stack, message: object) -> None:
    sender = conversation()
    response = stack.say(sender, message)
    replies = texts(response)
    assert replies, "the reader always gets a reply"
    assert all("<script" not in t and "<img" not in t and "<b>" not in t for t in replies)
    # An article was answered, or close topics were offered as "did you mean" buttons.
    offered = [c.get("did_you_mean") for c in customs(response) if c.get("did_you_mean")]
    assert isinstance(kb_article(stack, sender), str) or offered


def test_a_body_over_the_request_limit_is_refused_plainly(stack: Stack) -> None:
    """Sanic's limit (SANIC_REQUEST_MAX_SIZE, 64 KB): a clear 413, never a 500."""
    response = stack.say(conversation(), "x" * 100_000)
    assert response.status_code == 413
    assert "size limit" in response.json()["message"]


def test_a_body_that_is_not_json_is_a_client_error(stack: Stack) -> None:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", data=b"\x00\xffnot json", timeout=10
    )
    assert 400 <= response.status_code < 500


def test_the_http_api_needs_the_token(stack: Stack) -> None:
    sender = conversation()
    stack.say(sender, "hi")
    response = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=10)
    assert response.status_code == 401


def test_socketio_channel_delivers_replies_to_a_real_client(stack: Stack) -> None:
    """python-socketio>=5.10 broke Rasa 3.6's rooms: replies never arrived."""
    received = stack.say_socketio("what is car t cell therapy?")
    assert str(received[0]["text"]).startswith("CAR-T")
    assert any("Source:" in str(m.get("text")) for m in received)
    assert any(m.get("quick_replies") for m in received), "related-topic buttons arrive"
    customs = [m["custom"] for m in received if "custom" in m]
    assert customs and customs[-1]["kb_article"] == "car-t-cells"  # Rasa's own output raised


def test_the_server_log_holds_no_message_text(stack: Stack) -> None:
    marker = f"zebra{uuid.uuid4().hex[:8]}"
    stack.say(conversation(), f"my neighbour {marker} asked about immunotherapy")
    assert marker not in stack.log_text()


def test_with_the_action_server_down_the_reader_still_gets_help(stack: Stack) -> None:
    """Runs last in this module: it stops the action server."""
    assert stack.actions is not None
    stack.actions.terminate()
    stack.actions.wait(timeout=20)
    [text] = texts(stack.say(conversation(), "what is immunotherapy?"))
    assert "care team" in text and "112" in text
    response = stack.say(conversation(), "my wife is confused and can't speak properly")
    [urgent] = texts(response)
    assert "Call your care team now" in urgent and "15" in urgent
    calls = [
        {"label": "Call 15 (SAMU)", "tel": "15"},
        {"label": "Call 112 (emergency)", "tel": "112"},
    ]
    assert customs(response) == [
        {"kb_article": "urgent-symptoms", "urgent": True, "language": "en", "calls": calls}
    ]
    over_socketio = " ".join(str(m.get("text")) for m in stack.say_socketio("hello"))
    assert "care team" in over_socketio and "112" in over_socketio
