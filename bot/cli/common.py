"""What the command groups share: the migrated database, the checked knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.db import check_schema, make_engine, make_session_factory
from bot.kb.files import KnowledgeBase, read_kb
from bot.kb.topics import domain_intents
from bot.settings import Settings


def migrated_sessions(settings: Settings) -> sessionmaker[Session]:
    """The session factory of the configured database, failing unless it is migrated."""
    engine = make_engine(settings.database_url)
    check_schema(engine)
    return make_session_factory(engine)


def read_checked(settings: Settings, kb_dir: Path | None) -> KnowledgeBase | None:
    """The knowledge base with its problems printed; None when it has errors."""
    kb = read_kb(kb_dir or settings.kb_dir, domain_intents(settings.domain_file))
    for problem in kb.problems:
        print(problem, file=sys.stderr)
    if kb.errors:
        print(f"{len(kb.errors)} error(s): nothing was loaded or built.", file=sys.stderr)
        return None
    return kb
