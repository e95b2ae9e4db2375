"""Rasa's parse-failure warnings, which quote the whole message, never reach the log."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator

import pytest
import structlog
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from bot.settings import PROJECT_ROOT
from rasa_ext import log_privacy

SECRET = "Zorvexa Dupont tel 06 12 34 56 78"


@pytest.fixture
def rasa_style_structlog() -> Iterator[None]:
    """structlog writing through `logging`, as `rasa run` configures it."""
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    yield
    structlog.reset_defaults()


@pytest.mark.parametrize(
    "text",
    [f"/help {SECRET}", f'/greet{{"nope": 1}} {SECRET}', f"/{{{SECRET}}}", f"/greet{{}} {SECRET}"],
)
def test_rasa_parse_failures_quote_nothing_once_installed(
    text: str, rasa_style_structlog: None, caplog: pytest.LogCaptureFixture
) -> None:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        log_privacy.install()
        YAMLStoryReader.unpack_regex_message(Message({"text": text}), domain)
    assert [str(w.message) for w in caught if SECRET in str(w.message)] == []
    assert SECRET not in caplog.text


def test_without_the_filters_rasa_quotes_the_message(rasa_style_structlog: None) -> None:
    """The leak the filters stop (if Rasa stops quoting, this test says so)."""
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        YAMLStoryReader.unpack_regex_message(Message({"text": f"/help {SECRET}"}), domain)
    assert any(SECRET in str(w.message) for w in caught)


def test_the_record_filter_keeps_other_records() -> None:
    keep = logging.LogRecord("rasa", logging.WARNING, "f", 1, "model loaded", None, None)
    drop = logging.LogRecord(
        "rasa", logging.WARNING, "f", 1, '{"user_text": "x", "event": "message.parsing.failed"}',
        None, None,
    )  # fmt: skip
    assert log_privacy.DropMessageText().filter(keep) is True
    assert log_privacy.DropMessageText().filter(drop) is False
