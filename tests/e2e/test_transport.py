"""Why the widget uses Rasa's REST channel (through the web app) and not socket.io.

Evidence on the real Rasa 3.6 server, with the official python-socketio client:
over socket.io an answer arrives in pieces with no end-of-turn marker, and its custom
JSON (the `urgent` flag the page needs to style and announce warning signs) arrives only
because our guarded channel replaces Rasa's output, which raises on custom JSON; over
REST the whole turn, flag included, is one response. If a Rasa upgrade changes this,
this test fails and docs/web.md should be revisited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.settings import PROJECT_ROOT
from tests.support.stack import SOCKETIO_CREDENTIALS, Stack, running_stack

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
URGENT = "my husband has a temperature of 39.2 since his keytruda"


@pytest.fixture(scope="module")
def socketio_stack(
    tmp_path_factory: pytest.TempPathFactory, web_database_url: str
) -> Iterator[Stack]:
    """A stack with the socket.io channel on (it is off by default)."""
    with running_stack(
        tmp_path_factory.mktemp("socketio-stack"),
        model=MODEL,
        env={"DATABASE_URL": web_database_url},
        credentials=SOCKETIO_CREDENTIALS,
    ) as running:
        yield running


def test_rest_gives_the_whole_turn_socketio_gives_pieces_with_no_end(
    socketio_stack: Stack,
) -> None:
    rest = socketio_stack.say(f"transport-{uuid.uuid4().hex[:8]}", URGENT).json()
    assert [m["custom"]["urgent"] for m in rest if "custom" in m] == [True]

    pieces = socketio_stack.say_socketio(URGENT, quiet=3.0)
    assert len(pieces) > 1, "one answer arrives as several events, with no end marker"
    assert not any("urgent" in p for p in pieces), "Rasa's keyword-argument emit is gone"
    flags = [p["custom"]["urgent"] for p in pieces if "custom" in p]
    assert flags == [True], "the guarded channel sends the flag as the event's data"
