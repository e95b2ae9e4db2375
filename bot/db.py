"""The engine, the one session factory, the tables' base, UTC time, and migrations (Alembic)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from bot.errors import Refused

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Alembic announces each of its plugins at INFO on every start: noise in the servers' logs.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


# Every table of every feature registers on this one base, so one migration history covers them.
Base = declarative_base()


def utcnow() -> datetime:
    """Now, with UTC attached: every stored time is UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """The same moment with UTC attached: SQLite hands stored UTC times back naive."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class DatabaseNotReady(Refused):
    """The database is missing, unreachable or not migrated to the current schema."""


def make_engine(database_url: str) -> Engine:
    """Create the engine for `database_url`; SQLite files get their folder created."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory: `with f() as s` to read, `with f.begin() as s` to write."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision."""
    command.upgrade(_alembic_config(engine), "head")


def check_schema(engine: Engine) -> None:
    """Fail with a clear message unless the database is reachable and fully migrated.

    Raises:
        DatabaseNotReady: what is wrong, and the command that fixes it.
    """
    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        raise DatabaseNotReady(
            f"Cannot open the knowledge-base database at {where}: {error.__class__.__name__}. "
            "Check DATABASE_URL and that the database server is running."
        ) from error
    if current != head:
        state = "is empty" if current is None else f"is at schema {current}, not {head}"
        raise DatabaseNotReady(
            f"The knowledge-base database at {where} {state}. "
            "Run `python -m bot db upgrade` then `python -m bot kb load` (or `make run`)."
        )
