"""Clinical sign-off: a reviewer vouches for the text patients read now, audited.

The article row keeps who signed off, in which clinical role, and on which day, as plain
strings (the knowledge base knows nothing of staff accounts). Any later change of the
text clears it (`bot.staff.revisions.apply_fields`), so "Clinically reviewed on ..." is
only ever shown for the very words that were reviewed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.kb.files import LANGUAGE_NAMES
from bot.kb.store import get_article
from bot.kb.tables import Article
from bot.language import DEFAULT_LANGUAGE
from bot.staff.audit import record
from bot.staff.revision_checks import RevisionError
from bot.staff.roles import REVIEWER, Actor

MAX_ROLE_CHARS = 80


def sign_off(
    session: Session,
    slug: str,
    role: str,
    *,
    actor: Actor,
    name: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> Article:
    """Record that `actor` clinically reviewed the published text of one version today.

    A reviewer signs one language version: the others keep their own sign-off (or
    still await one).

    Args:
        session: the transaction of the sign-off (the audit event lands with it).
        slug: a published article.
        role: the signer's clinical role as patients' care would name it ("Oncologist").
        actor: who signs; a reviewer or an admin. The operator must give `name`.
        name: the signer's name, for the command line (a staff member signs as themself).
        language: the version signed ("en", "fr").

    Raises:
        NotAllowed: the actor is an editor.
        RevisionError: not published, no role, or no name.
    """
    actor.require(REVIEWER)
    signer = (actor.name or name or "").strip()
    role = " ".join((role or "").split())
    if not signer:
        raise RevisionError("Say who signs this article off.")
    if not role or len(role) > MAX_ROLE_CHARS:
        raise RevisionError(f"Give your clinical role (at most {MAX_ROLE_CHARS} characters).")
    article = get_article(session, slug, language=language)
    if article is None:
        version = (
            "" if language == DEFAULT_LANGUAGE else f" in {LANGUAGE_NAMES.get(language, language)}"
        )
        raise RevisionError(
            f"{slug} is not published{version}: only published text can be signed off."
        )
    today = dt.date.today()
    article.signed_off_by = signer
    article.signed_off_role = role
    article.signed_off_on = today
    record(
        session,
        actor.name,
        "article.sign_off",
        slug,
        {
            "name": signer,
            "role": role,
            "on": today.isoformat(),
            "updated_on": article.updated_on.isoformat(),
            "language": language,
        },
    )
    session.flush()
    return article
