"""Migration 0007: existing articles become English versions; a slug may have one per language."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.db import _alembic_config, make_engine, upgrade

_INSERT = (
    "INSERT INTO article (slug, title, group_name, answer, related, terms, sources, "
    "updated_on, status, updated_at{columns}) VALUES ('car-t-cells', :title, 'types', "
    "'Text.', '[]', '{{}}', '[]', '2026-11-29', 'published', '2026-11-29 10:00:00'{values})"
)


def _insert(connection: Connection, title: str, language: str | None = None) -> None:
    columns, values = (", language", ", :language") if language else ("", "")
    connection.execute(
        text(_INSERT.format(columns=columns, values=values)),
        {"title": title, "language": language},
    )


def test_old_articles_become_english_and_a_slug_takes_one_version_per_language(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(_alembic_config(engine), "0006")
    with engine.begin() as connection:
        _insert(connection, "CAR-T")
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT language FROM article")).scalar_one() == "en"
        _insert(connection, "Cellules CAR-T", "fr")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _insert(connection, "Twice", "fr")
    command.downgrade(_alembic_config(engine), "0006")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM article")).scalars().all() == ["CAR-T"]
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _insert(connection, "Unique again")
