"""Which new passwords are accepted: long, not common, not the user name, hard to guess.

The rules follow ASVS 2.1: at least 12 characters, checked against a list of common
and breached passwords (zxcvbn's 30,000, bundled: no network call) and a guessability
score that also counts the user name as known to an attacker.
"""

from __future__ import annotations

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; this only bounds the work per attempt
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable", about 10^8 guesses or more
_SCORED_CHARS = 72  # zxcvbn refuses longer input: the start of a long passphrase is scored
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])
_ADVICE = "Try four or five words that only you would put together."


def password_problem(password: str, name: str) -> str | None:
    """Say why `password` cannot be used by the user `name`, or return None if it can."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"The password must have at least {MIN_PASSWORD_CHARS} characters."
    if len(password) > MAX_PASSWORD_CHARS:
        return f"The password must have at most {MAX_PASSWORD_CHARS} characters."
    if len(set(password)) == 1:
        return f"The password must not be one character repeated. {_ADVICE}"
    name = name.strip().lower()
    if len(name) >= 3 and name in password.lower():
        return f"The password must not contain the user name. {_ADVICE}"
    if password.lower() in _COMMON:
        return f"That password is one of the most common ones. {_ADVICE}"
    result = zxcvbn(password[:_SCORED_CHARS], user_inputs=[name])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"]
        because = f": {warning[0].lower()}{warning[1:].rstrip('.')}" if warning else ""
        return f"That password is too easy to guess{because}. {_ADVICE}"
    return None
