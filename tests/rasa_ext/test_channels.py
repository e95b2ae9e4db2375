"""The guarded channels: what reaches Rasa, and the reply of last resort."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.privacy import conversation_ref
from bot.settings import Settings
from rasa_ext.channels import fallback_answer, guarded, message_language


def test_fallback_is_urgent_for_a_warning_sign_and_always_gives_contacts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    urgent = fallback_answer("my dad has a temperature of 39.5")
    assert urgent.urgent and "15" in urgent.text and "112" in urgent.text
    calm = fallback_answer("what is immunotherapy")
    assert not calm.urgent and HOSPITAL_DEFAULTS["care_team_phone"] in calm.text


async def _turn(text: str, metadata: object, *, reply: bool = True) -> UserMessage:
    """Run one guarded turn with a real UserMessage; return what Rasa's handler got."""
    seen: list[UserMessage] = []

    async def handler(message: UserMessage) -> None:
        seen.append(message)
        if reply:
            await message.output_channel.send_text_message(message.sender_id, "ok")

    message = UserMessage(text, CollectingOutputChannel(), "it-sender-5f2e9c", metadata=metadata)
    await guarded(handler)(message)
    return seen[0]


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("/greet{} my husband has a fever of 40", "greet{} my husband has a fever of 40"),
        ("/help my name is Zorvexa", "help my name is Zorvexa"),
        ("/ask_car_t_cells", "/ask_car_t_cells"),
        ("hello\x00 there", "hello  there"),
    ],
)
async def test_rasa_sees_words_unless_the_text_is_a_button_payload(text: str, seen: str) -> None:
    assert (await _turn(text, None)).text == seen


async def test_only_the_language_metadata_reaches_rasa() -> None:
    message = await _turn("hello", {"language": "fr", "blob": "M" * 20_000})
    assert message.metadata == {"language": "fr"}


async def test_the_fallback_warning_names_the_conversation_by_its_reference(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    await _turn("hello", None, reply=False)
    assert "it-sender-5f2e9c" not in caplog.text
    assert conversation_ref("it-sender-5f2e9c", Settings.from_env().secret_key) in caplog.text


@pytest.mark.parametrize(
    ("text", "metadata", "language"),
    [
        ("mon père a 39 de fièvre", None, "fr"),
        ("my dad has a fever of 39", None, "en"),
        ("my dad has a fever of 39", {"language": "fr"}, "fr"),
        ("mon père a 39 de fièvre", {"language": "en"}, "en"),
        ("ok", None, "en"),
        ("ok", {"language": "fr-FR"}, "fr"),
    ],
)
def test_the_reply_of_last_resort_speaks_the_message_language(
    text: str, metadata: object, language: str
) -> None:
    assert message_language(text, metadata) == language


async def test_the_fallback_is_sent_in_french_for_a_french_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    output = CollectingOutputChannel()
    message = UserMessage("mon père a 39,5 de fièvre", output, "it-sender-fr", metadata=None)

    async def silent(message: UserMessage) -> None:
        return None

    await guarded(silent)(message)
    [text, custom] = output.messages
    assert custom["custom"]["urgent"] is True and custom["custom"]["language"] == "fr"
    assert text["text"] == fallback_answer("mon père a 39,5 de fièvre", "fr").text
    assert "15" in text["text"] and "112" in text["text"]
