"""The root of the project's own errors.

Every error that `bot` raises on purpose is a `Refused`: something a person asked for that
cannot be done, with a message written for that person (what is wrong and what to do).
Callers that show messages to people (the staff pages, the command line) catch `Refused`;
anything else is a bug and is left to crash loudly.
"""

from __future__ import annotations


class Refused(Exception):
    """An operation that cannot be done; the message says why and what to do."""


class NotAllowed(Refused):
    """The person's role does not allow the operation."""
