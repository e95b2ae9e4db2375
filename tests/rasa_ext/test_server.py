"""The Rasa launcher: the token goes into Rasa's argv inside the process only."""

from __future__ import annotations

import pytest

from rasa_ext.server import rasa_argv


def test_the_token_is_appended_inside_the_process() -> None:
    argv = rasa_argv(["--model", "m.tar.gz", "--enable-api"], "t0ken")
    assert argv == ["rasa", "run", "--model", "m.tar.gz", "--enable-api", "--auth-token", "t0ken"]


@pytest.mark.parametrize("flag", ["--auth-token", "--auth-token=abc", "--jwt-secret"])
def test_a_secret_on_the_command_line_is_refused(flag: str) -> None:
    with pytest.raises(SystemExit, match="command line"):
        rasa_argv(["--model", "m.tar.gz", flag, "abc"], "t0ken")
