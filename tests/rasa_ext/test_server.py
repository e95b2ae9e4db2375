"""The Rasa launcher: the token goes into Rasa's argv inside the process only."""

from __future__ import annotations

import pytest

from rasa_ext.server import rasa_argv

TOKEN = "ab" * 32


def test_the_token_is_appended_inside_the_process() -> None:
    argv = rasa_argv(["--model", "m.tar.gz", "--enable-api"], TOKEN)
    assert argv == ["rasa", "run", "--model", "m.tar.gz", "--enable-api", "--auth-token", TOKEN]


def test_a_short_token_is_refused() -> None:
    with pytest.raises(SystemExit, match="at least 32"):
        rasa_argv(["--model", "m.tar.gz"], "secret-token")


@pytest.mark.parametrize("flag", ["--auth-token", "--auth-token=abc", "--jwt-secret"])
def test_a_secret_on_the_command_line_is_refused(flag: str) -> None:
    with pytest.raises(SystemExit, match="command line"):
        rasa_argv(["--model", "m.tar.gz", flag, "abc"], TOKEN)
