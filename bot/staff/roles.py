"""Staff roles, who may do what, and the `Actor` every staff operation is done by."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotAllowed

EDITOR = "editor"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (EDITOR, REVIEWER, ADMIN)  # each role can do everything the ones before it can


def can(role: str, needed: str) -> bool:
    """Whether `role` may do what `needed` may: admin > reviewer > editor."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class Actor:
    """Who does an operation: a signed-in member of staff, or the operator at the command line.

    The operator (`name` and `role` None) runs the server and is allowed everything; the
    audit log records their actions without a name.
    """

    name: str | None
    role: str | None

    @classmethod
    def operator(cls) -> Actor:
        """The person at the command line."""
        return cls(None, None)

    @property
    def is_operator(self) -> bool:
        """Whether this is the command line rather than a staff account."""
        return self.role is None

    def require(self, needed: str) -> None:
        """Refuse unless this actor's role allows `needed`.

        Raises:
            NotAllowed: the role is too low.
        """
        if self.role is not None and not can(self.role, needed):
            raise NotAllowed(f"This needs the {needed} role; you are {self.role}.")
